"""Everything held about a person, found by key and index (never a scan): to export it or to delete it.

A connection's data:

=======================  ============  ===========================================================
what                     table         found by
=======================  ============  ===========================================================
the connection, tokens   connections   WORKSPACE#<ws> / CONNECTION#<id>
refresh schedule entry   connections   REFRESHDUE#<shard> / the connection's ``refresh_due_sk``
alerts                   connections   WORKSPACE#<ws> / ALERT#..., filtered on ``connection_id``
posts                    posts         CONNECTION#<id>
counter series           metrics       SERIES#<id>#PROFILE, #DEMOGRAPHICS, #POST#<post id> per post
account rollup           metrics       SERIES#<id>#ROLLUP / ACCOUNT (storage/account_rollups.py)
=======================  ============  ===========================================================

A member's account: the member item, the email claim, sessions, API keys and password resets (gsi1
``MEMBER#<id>`` in accounts), the sign-in guard (``SIGNIN#sha256(email)``), invitations sent to their
address, OAuth states and Meta choices they started (gsi1 ``MEMBER#<id>`` in connections).
The audit log is kept (ids only, one year) and exported (entries by the member or about them or their
connections), never rewritten here.

A closed workspace: each of its connections and members as above (members of every status), then
whatever is left in its ``WORKSPACE#<id>`` partition of every table: the workspace item, invitations,
alerts, scheduled posts and, this time, its audit entries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, Final, cast

from pynamodb.exceptions import DoesNotExist

from chalicelib.domain.audit import AuditAction
from chalicelib.domain.snapshots import SnapshotKind
from chalicelib.security.tokens import hash_secret
from chalicelib.storage.account_rollups import AccountRollupItem, rollup_key
from chalicelib.storage.accounts import EmailClaimItem, InvitationItem, MemberItem
from chalicelib.storage.audit import AuditItem
from chalicelib.storage.base import TableModel
from chalicelib.storage.connections import AlertItem, ConnectionItem, RefreshDueItem, _connection, _shard
from chalicelib.storage.metrics import SnapshotItem, series_key
from chalicelib.storage.models import AccountsTable, AuditTable, ConnectionsTable, PostsTable
from chalicelib.storage.platform_accounts import account_lookup_item
from chalicelib.storage.posts import PostItem

REMOVED_MEMBER = "removed-member"
# DynamoDB takes at most 100 values in one ``IN`` of a filter expression.
MAX_FILTER_VALUES: Final = 100


class PersonalData:
    # --- deletion ---------------------------------------------------------------------------------

    def purge_connection(self, workspace_id: str, connection_id: str) -> Counter[str]:
        """Deletes a connection, its tokens, schedule entries, alerts, posts and counter series."""
        counts: Counter[str] = Counter()
        post_ids = []
        posts = list(PostItem.query(f"CONNECTION#{connection_id}"))
        with PostItem.batch_write() as batch:
            for post in posts:
                post_ids.append(post.post_id)
                batch.delete(post)
                counts["posts"] += 1
        series = [
            series_key(connection_id, SnapshotKind.PROFILE),
            series_key(connection_id, SnapshotKind.DEMOGRAPHICS),
            *(series_key(connection_id, SnapshotKind.POST, post_id) for post_id in post_ids),
        ]
        with SnapshotItem.batch_write() as batch:
            for key in series:
                for snapshot in SnapshotItem.query(key):
                    batch.delete(snapshot)
                    counts["snapshots"] += 1
        alerts = AlertItem.query(
            f"WORKSPACE#{workspace_id}",
            AlertItem.sk.startswith("ALERT#"),
            filter_condition=AlertItem.connection_id == connection_id,
        )
        for alert in alerts:
            alert.delete()
            counts["alerts"] += 1
        try:
            connection = ConnectionItem.get(
                f"WORKSPACE#{workspace_id}", f"CONNECTION#{connection_id}", consistent_read=True
            )
        except DoesNotExist:
            connection = None
        if connection is not None:
            if connection.refresh_due_sk:
                RefreshDueItem(f"REFRESHDUE#{_shard(connection_id)}", connection.refresh_due_sk).delete()
            lookup = account_lookup_item(_connection(connection))
            if lookup is not None:
                lookup.delete()
            connection.delete()
            counts["connections"] += 1
        # Last: a sync ending now cannot write the rollup again (that write needs the connection).
        for rollup in AccountRollupItem.query(rollup_key(connection_id)):
            rollup.delete()
            counts["snapshots"] += 1
        return counts

    def purge_connect_attempts(self, member_id: str) -> int:
        """OAuth states and Meta account choices a member started (they name the member)."""
        return _delete_all(ConnectionsTable.gsi1.query(f"MEMBER#{member_id}"))

    def purge_account(self, workspace_id: str, member_id: str) -> Counter[str]:
        """The member's account and every credential and guard tied to it."""
        counts: Counter[str] = Counter()
        try:
            member = MemberItem.get(f"WORKSPACE#{workspace_id}", f"MEMBER#{member_id}", consistent_read=True)
        except DoesNotExist:
            return counts
        # (not "credentials": the log redaction masks values of fields named so)
        counts["sign_in_items"] += _delete_all(AccountsTable.gsi1.query(f"MEMBER#{member_id}"))
        try:
            claim = EmailClaimItem.get(f"EMAIL#{member.email}", "EMAIL", consistent_read=True)
            if claim.member_id == member_id:
                claim.delete()
        except DoesNotExist:
            pass
        AccountsTable(f"SIGNIN#{hash_secret(member.email)}", "GUARD").delete()
        for invitation in InvitationItem.query(
            f"WORKSPACE#{workspace_id}", InvitationItem.sk.startswith("INVITATION#")
        ):
            if invitation.email == member.email:
                invitation.delete()
                counts["invitations"] += 1
            elif invitation.invited_by == member_id:
                invitation.update(actions=[InvitationItem.invited_by.set(REMOVED_MEMBER)])
        member.delete()
        counts["accounts"] += 1
        return counts

    def workspace_members(self, workspace_id: str) -> list[str]:
        """Ids of every member item of the workspace, whatever its status (removed ones too)."""
        return [
            item.member_id
            for item in MemberItem.query(f"WORKSPACE#{workspace_id}", MemberItem.sk.startswith("MEMBER#"))
        ]

    def purge_workspace_partition(self, workspace_id: str) -> Counter[str]:
        """Everything left under ``WORKSPACE#<id>`` in every table; run after connections and members."""
        counts: Counter[str] = Counter()
        pk = f"WORKSPACE#{workspace_id}"
        for table in (ConnectionsTable, PostsTable, AuditTable, AccountsTable):
            counts[f"{table.logical_name}_items"] += _delete_all(table.query(pk))
        return counts

    # --- export -------------------------------------------------------------------------------------

    def member_profile(self, workspace_id: str, member_id: str) -> dict[str, Any] | None:
        try:
            member = MemberItem.get(f"WORKSPACE#{workspace_id}", f"MEMBER#{member_id}", consistent_read=True)
        except DoesNotExist:
            return None
        return {
            "id": member.member_id,
            "workspace_id": member.workspace_id,
            "email": member.email,
            "name": member.name,
            "role": member.role,
            "status": member.status,
            "created_at": member.created_at.isoformat(),
        }

    def connection_records(self, workspace_id: str, connection_id: str) -> dict[str, list[dict[str, Any]]]:
        """Posts, counter snapshots and alerts of one connection, as plain JSON (no tokens)."""
        posts = [_plain(item, drop=("pk", "sk")) for item in PostItem.query(f"CONNECTION#{connection_id}")]
        series = [
            series_key(connection_id, SnapshotKind.PROFILE),
            series_key(connection_id, SnapshotKind.DEMOGRAPHICS),
            *(series_key(connection_id, SnapshotKind.POST, str(post["post_id"])) for post in posts),
        ]
        snapshots = [
            {"series": key.removeprefix(f"SERIES#{connection_id}#"), "window": item.sk, **_plain(item)}
            for key in series
            for item in SnapshotItem.query(key)
        ]
        snapshots += [
            {"series": "ROLLUP", "window": item.sk, **_plain(item)}
            for item in AccountRollupItem.query(rollup_key(connection_id))
        ]
        alerts = [
            _plain(item)
            for item in AlertItem.query(
                f"WORKSPACE#{workspace_id}",
                AlertItem.sk.startswith("ALERT#"),
                filter_condition=AlertItem.connection_id == connection_id,
            )
        ]
        return {"posts": posts, "snapshots": snapshots, "alerts": alerts}

    def audit_about(
        self, workspace_id: str, member_id: str, connection_ids: Iterable[str] = ()
    ) -> list[dict[str, Any]]:
        """Audit entries the member made, or whose target is the member or one of their connections.

        ``connection_ids`` are the connections they hold now; those they connected and that are gone
        since (an admin disconnected them) are the targets of their own ``connection.connected``
        entries. The audit table has no index by target (storage/audit.py), so the entries about
        them are one Query of the workspace's partition filtered on the target (per 100 targets,
        DynamoDB's limit for ``IN``): the same read the member's own target needed before, never a scan.
        """
        entries: dict[str, dict[str, Any]] = {}
        targets = {member_id, *connection_ids}
        for item in AuditItem.gsi1.query(f"ACTOR#{member_id}"):
            audit = cast(AuditItem, item)
            entries[audit.entry_id] = _plain(audit)
            if audit.action == AuditAction.CONNECTION_CONNECTED.value:
                targets.add(audit.target)
        ordered = sorted(targets)
        for start in range(0, len(ordered), MAX_FILTER_VALUES):
            for audit in AuditItem.query(
                f"WORKSPACE#{workspace_id}",
                AuditItem.sk.startswith("AUDIT#"),
                filter_condition=AuditItem.target.is_in(*ordered[start : start + MAX_FILTER_VALUES]),
            ):
                entries[audit.entry_id] = _plain(audit)
        return sorted(entries.values(), key=lambda entry: str(entry.get("at")))


def _delete_all(items: Iterable[TableModel]) -> int:
    deleted = 0
    for item in items:
        type(item)(item.pk, item.sk).delete()
        deleted += 1
    return deleted


_NEVER_EXPORTED = frozenset({"pk", "sk", "gsi1pk", "gsi1sk", "access_envelope", "refresh_envelope"})


def _plain(item: TableModel, drop: Iterable[str] = ()) -> dict[str, Any]:
    """An item's attributes as JSON-ready values, without keys or anything sealed."""
    hidden = _NEVER_EXPORTED | set(drop)
    out: dict[str, Any] = {}
    for name, value in item.attribute_values.items():
        if name in hidden:
            continue
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif hasattr(value, "as_dict"):
            value = value.as_dict()
        elif isinstance(value, set):
            value = sorted(value)
        out[name] = value
    return out
