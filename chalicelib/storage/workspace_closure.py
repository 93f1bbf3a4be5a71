"""A workspace's closure, kept on its workspace item (table ``accounts``) until the workspace is deleted.

========================  ==============  =========  ==================================================
item                      pk              sk         closure attributes
========================  ==============  =========  ==================================================
workspace                 WORKSPACE#<id>  WORKSPACE  closed_at, deletion_due_at, closure_code, closed_by
========================  ==============  =========  ==================================================

Access patterns: close once (conditional UpdateItem: the workspace exists and is not closed yet);
is it closed (GetItem, read only on the paths that refuse a closed workspace: a sign-in whose password
was right, and an API key that was refused, whose own item names its workspace). Closing revokes the
API keys, so authenticating a live key still costs two calls. The deletion 30 days later removes the
workspace item with the rest of the workspace.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.domain.closure import WorkspaceClosure
from chalicelib.security.tokens import same_hash
from chalicelib.storage.base import is_conditional_failure
from chalicelib.storage.models import AccountsTable


class ApiKeyOwnerItem(AccountsTable):
    """The API key item (storage/accounts.py), read for its workspace when a key was refused."""

    workspace_id = UnicodeAttribute()
    secret_hash = UnicodeAttribute()


class ClosableWorkspaceItem(AccountsTable):
    """The closure's view of the workspace item: only the attributes closing adds."""

    closed_at = UTCDateTimeAttribute(null=True)
    deletion_due_at = UTCDateTimeAttribute(null=True)
    closure_code = UnicodeAttribute(null=True)
    closed_by = UnicodeAttribute(null=True)  # the admin's member id


def _key(workspace_id: str) -> tuple[str, str]:
    return f"WORKSPACE#{workspace_id}", "WORKSPACE"


class WorkspaceClosures:
    def close(self, closure: WorkspaceClosure, closed_by: str) -> bool:
        """Marks the workspace closed; False when it was closed already (or does not exist)."""
        try:
            ClosableWorkspaceItem(*_key(closure.workspace_id)).update(
                actions=[
                    ClosableWorkspaceItem.closed_at.set(closure.closed_at),
                    ClosableWorkspaceItem.deletion_due_at.set(closure.deletion_due_at),
                    ClosableWorkspaceItem.closure_code.set(closure.confirmation_code),
                    ClosableWorkspaceItem.closed_by.set(closed_by),
                ],
                condition=ClosableWorkspaceItem.pk.exists()
                & ClosableWorkspaceItem.closed_at.does_not_exist(),
            )
        except UpdateError as exc:
            if is_conditional_failure(exc):
                return False
            raise
        return True

    def closure(self, workspace_id: str) -> WorkspaceClosure | None:
        """The workspace's closure, if it was closed (and not yet deleted)."""
        try:
            item = ClosableWorkspaceItem.get(*_key(workspace_id), consistent_read=True)
        except DoesNotExist:
            return None
        if item.closed_at is None or item.deletion_due_at is None or item.closure_code is None:
            return None
        return WorkspaceClosure(workspace_id, item.closed_at, item.deletion_due_at, item.closure_code)

    def is_closed(self, workspace_id: str) -> bool:
        return self.closure(workspace_id) is not None

    def closed_key(self, prefix: str, secret_hash: str) -> bool:
        """True for a (revoked) API key, presented with its right secret, of a closed workspace."""
        try:
            key = ApiKeyOwnerItem.get(f"APIKEY#{prefix}", "APIKEY", consistent_read=True)
        except DoesNotExist:
            return False
        return same_hash(secret_hash, key.secret_hash) and self.is_closed(key.workspace_id)
