"""What an ingest worker invocation's syncs start from, in one BatchGetItem across two tables.

Every record of a batch needs its connection (with its sealed tokens, connections table) and its
workspace's retention (accounts table). Read one GetItem at a time, that is two requests per record
before any platform call; BatchGetItem takes up to 100 keys across tables, so the whole batch's
items come in one request (consistent reads, as ``base.get_live``; items past their retention count
as absent). The items are turned into the same records ``connections.py`` and ``accounts.py`` return.

A read ahead is only a saving: keys DynamoDB keeps leaving unprocessed (throttling) are simply left
out of the answer, and each record whose items are missing reads them itself, so that one slow read
fails that record (SQS brings it back) rather than the whole batch.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from chalicelib.domain.connections import Connection, SealedTokens
from chalicelib.domain.identity import Workspace
from chalicelib.storage.accounts import WorkspaceItem, _key, _workspace
from chalicelib.storage.base import shared_connection
from chalicelib.storage.connections import ConnectionItem, _connection, _sealed

MAX_KEYS: Final = 100  # BatchGetItem's limit, across tables
MAX_ATTEMPTS: Final = 4


@dataclass(frozen=True)
class StartingItems:
    """By (workspace id, connection id) and by workspace id; None: no such item (or expired).
    A key that is not there at all was not read: whoever needs it reads it on its own."""

    connections: dict[tuple[str, str], tuple[Connection, SealedTokens] | None]
    workspaces: dict[str, Workspace | None]


class SyncReads:
    def read(self, connections: Sequence[tuple[str, str]]) -> StartingItems:
        """The given connections (workspace id, connection id) and their workspaces."""
        workspace_ids = list(dict.fromkeys(w for w, _ in connections))
        keys: list[tuple[str, str, str]] = [
            (ConnectionItem.Meta.table_name, f"WORKSPACE#{w}", f"CONNECTION#{c}")
            for w, c in dict.fromkeys(connections)
        ]
        keys += [(WorkspaceItem.Meta.table_name, _key("WORKSPACE", w), "WORKSPACE") for w in workspace_ids]
        found: dict[tuple[str, str], Any] = {}
        unread: set[tuple[str, str]] = set()
        for start in range(0, len(keys), MAX_KEYS):
            items, left = _batch_get(keys[start : start + MAX_KEYS])
            found.update(items)
            unread |= left
        loaded: dict[tuple[str, str], tuple[Connection, SealedTokens] | None] = {}
        for workspace_id, connection_id in connections:
            key = (f"WORKSPACE#{workspace_id}", f"CONNECTION#{connection_id}")
            if key in unread:
                continue
            raw = found.get(key)
            connection = ConnectionItem.from_raw_data(raw) if raw is not None else None
            loaded[(workspace_id, connection_id)] = (
                (_connection(connection), _sealed(connection))
                if connection is not None and connection.is_live()
                else None
            )
        workspaces: dict[str, Workspace | None] = {}
        for workspace_id in workspace_ids:
            key = (_key("WORKSPACE", workspace_id), "WORKSPACE")
            if key in unread:
                continue
            raw = found.get(key)
            workspace = WorkspaceItem.from_raw_data(raw) if raw is not None else None
            workspaces[workspace_id] = (
                _workspace(workspace_id, workspace) if workspace is not None and workspace.is_live() else None
            )
        return StartingItems(loaded, workspaces)


def _batch_get(
    keys: Sequence[tuple[str, str, str]],
) -> tuple[dict[tuple[str, str], Any], set[tuple[str, str]]]:
    """The items found (table name, pk, sk), by (pk, sk), and the keys still unprocessed after a few
    tries with backoff."""
    pending: dict[str, Any] = {}
    for table_name, pk, sk in keys:
        table = pending.setdefault(table_name, {"Keys": [], "ConsistentRead": True})
        table["Keys"].append({"pk": {"S": pk}, "sk": {"S": sk}})
    dynamodb = shared_connection().client
    found: dict[tuple[str, str], Any] = {}
    for attempt in range(MAX_ATTEMPTS):
        answer = dynamodb.batch_get_item(RequestItems=pending)
        for items in answer.get("Responses", {}).values():
            for item in items:
                found[(item["pk"]["S"], item["sk"]["S"])] = item
        pending = answer.get("UnprocessedKeys") or {}
        if not pending:
            return found, set()
        if attempt + 1 < MAX_ATTEMPTS:
            time.sleep(0.05 * 2**attempt)
    return found, {(key["pk"]["S"], key["sk"]["S"]) for table in pending.values() for key in table["Keys"]}
