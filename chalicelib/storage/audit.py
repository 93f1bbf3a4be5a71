"""Audit entries, kept one year.

Table ``audit``: pk ``WORKSPACE#<id>``, sk ``AUDIT#<iso time>#<id>``; gsi1pk ``ACTOR#<member id>``,
gsi1sk the same as sk. Access patterns: a workspace's entries newest first (Query on pk),
one actor's entries newest first (Query on gsi1); filtering by action is a filter on either.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, Final, cast

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.domain.audit import AuditAction, AuditEntry
from chalicelib.domain.paging import Page
from chalicelib.storage.base import live_condition
from chalicelib.storage.cursors import KeyShape, decode_cursor, encode_cursor
from chalicelib.storage.models import AuditTable

RETENTION: Final = timedelta(days=365)


class AuditItem(AuditTable):
    entry_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    action = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    actor_id = UnicodeAttribute(null=True)
    target = UnicodeAttribute()
    ip = UnicodeAttribute(default="")
    user_agent = UnicodeAttribute(default="")
    details = UnicodeAttribute(default="{}")


class AuditRepository:
    def record(self, entry: AuditEntry) -> None:
        sort_key = f"AUDIT#{entry.at.isoformat()}#{entry.id}"
        AuditItem(
            f"WORKSPACE#{entry.workspace_id}",
            sort_key,
            gsi1pk=f"ACTOR#{entry.actor_id}" if entry.actor_id else None,
            gsi1sk=sort_key if entry.actor_id else None,
            entry_id=entry.id,
            workspace_id=entry.workspace_id,
            action=entry.action.value,
            at=entry.at,
            actor_id=entry.actor_id,
            target=entry.target,
            ip=entry.ip,
            user_agent=entry.user_agent[:256],
            details=json.dumps(entry.details, sort_keys=True),
            expires_at=entry.at + RETENTION,
        ).save()

    def list(
        self,
        workspace_id: str,
        *,
        actor_id: str | None = None,
        action: AuditAction | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[AuditEntry]:
        results: Any
        condition = live_condition(AuditItem)
        if action is not None:
            condition = condition & (AuditItem.action == action.value)
        if actor_id is not None:
            partition = f"ACTOR#{actor_id}"
            results = AuditItem.gsi1.query(
                partition,
                filter_condition=condition & (AuditItem.workspace_id == workspace_id),
                scan_index_forward=False,
                limit=limit,
                # A start key on the index names the item in the table too: both keys, all four.
                last_evaluated_key=decode_cursor(
                    cursor,
                    KeyShape(
                        {"gsi1pk": partition, "pk": f"WORKSPACE#{workspace_id}"},
                        {"gsi1sk": "AUDIT#", "sk": "AUDIT#"},
                    ),
                ),
            )
        else:
            partition = f"WORKSPACE#{workspace_id}"
            results = AuditItem.query(
                partition,
                AuditItem.sk.startswith("AUDIT#"),
                filter_condition=condition,
                scan_index_forward=False,
                limit=limit,
                last_evaluated_key=decode_cursor(cursor, KeyShape({"pk": partition}, {"sk": "AUDIT#"})),
            )
        entries = [_entry(cast(AuditItem, item)) for item in results]
        last_evaluated_key = results.last_evaluated_key
        if last_evaluated_key and last_evaluated_key.get("pk") != {"S": f"WORKSPACE#{workspace_id}"}:
            # Member ids are unique across workspaces, so an actor of another workspace has no
            # entries here; a cursor would only hand out that workspace's key.
            last_evaluated_key = None
        return Page(entries, encode_cursor(last_evaluated_key))


def _entry(item: AuditItem) -> AuditEntry:
    return AuditEntry(
        id=item.entry_id,
        workspace_id=item.workspace_id,
        action=AuditAction(item.action),
        at=item.at,
        actor_id=item.actor_id,
        target=item.target,
        ip=item.ip,
        user_agent=item.user_agent,
        details=json.loads(item.details or "{}"),
    )
