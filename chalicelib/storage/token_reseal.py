"""The connections' sealed tokens, for re-sealing them under the current KMS key (an operator command).

This module Scans the connections table (keys only, connection items only): it runs from
``creatordeck tokens reencrypt`` on an operator's machine, never on a request path and in no Lambda
function (infra/terraform/iam_actions.json lists it under ``operators``).

Access patterns: every connection's key (Scan, ``WORKSPACE#…`` / ``CONNECTION#…`` items, projected to
``pk, sk``); one connection's envelopes (GetItem, consistent); replacing them only if nothing changed
since they were read (UpdateItem conditioned on ``token_version`` and both envelopes), so a refresh that
saved newer tokens in between is never overwritten. ``token_version`` is left as it is, so a refresh
that read before the re-seal still saves its newer tokens.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.storage.base import is_conditional_failure
from chalicelib.storage.connections import ConnectionItem
from chalicelib.storage.models import ConnectionsTable

SCAN_PAGE_SIZE = 500


@dataclass(frozen=True)
class StoredEnvelopes:
    workspace_id: str
    connection_id: str
    token_version: int
    access: str = field(repr=False)  # "" once the tokens were deleted (app removed, workspace closed)
    refresh: str | None = field(default=None, repr=False)


class TokenEnvelopes:
    def connection_keys(self) -> Iterator[tuple[str, str]]:
        """(workspace id, connection id) of every connection, read page by page."""
        condition = ConnectionsTable.pk.startswith("WORKSPACE#") & ConnectionsTable.sk.startswith(
            "CONNECTION#"
        )
        for item in ConnectionsTable.scan(
            condition, attributes_to_get=["pk", "sk"], page_size=SCAN_PAGE_SIZE
        ):
            yield item.pk.removeprefix("WORKSPACE#"), item.sk.removeprefix("CONNECTION#")

    def load(self, workspace_id: str, connection_id: str) -> StoredEnvelopes | None:
        try:
            item = ConnectionItem.get(
                f"WORKSPACE#{workspace_id}", f"CONNECTION#{connection_id}", consistent_read=True
            )
        except DoesNotExist:
            return None
        return StoredEnvelopes(
            workspace_id,
            connection_id,
            int(item.token_version or 0),
            item.access_envelope or "",
            item.refresh_envelope,
        )

    def replace(self, read: StoredEnvelopes, access: str, refresh: str | None) -> bool:
        """Swaps in the re-sealed envelopes; False when the tokens changed since ``read``."""
        condition = (ConnectionItem.token_version == read.token_version) & (
            ConnectionItem.access_envelope == read.access
        )
        if read.refresh is None:
            condition &= ConnectionItem.refresh_envelope.does_not_exist()
        else:
            condition &= ConnectionItem.refresh_envelope == read.refresh
        actions: list[Any] = [ConnectionItem.access_envelope.set(access)]
        if refresh is not None:
            actions.append(ConnectionItem.refresh_envelope.set(refresh))
        try:
            ConnectionItem(f"WORKSPACE#{read.workspace_id}", f"CONNECTION#{read.connection_id}").update(
                actions=actions, condition=condition
            )
        except UpdateError as exc:
            if is_conditional_failure(exc):
                return False
            raise
        return True
