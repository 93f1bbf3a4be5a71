"""One page of a longer list, and the opaque cursor to the next."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    cursor: str | None


def every_item(fetch: Callable[[str | None], Page[T]]) -> Iterator[T]:
    """Each item of every page ``fetch`` (given the previous page's cursor) hands out, in order."""
    cursor: str | None = None
    while True:
        page = fetch(cursor)
        yield from page.items
        if page.cursor is None:
            return
        cursor = page.cursor
