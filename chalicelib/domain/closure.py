"""A closed workspace: when it was closed, when its data goes, and how a closed workspace refuses entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.errors import PermissionDeniedError

__all__ = ["ClosedWorkspaceError", "WorkspaceClosure"]


@dataclass(frozen=True)
class WorkspaceClosure:
    workspace_id: str
    closed_at: datetime
    deletion_due_at: datetime
    confirmation_code: str  # of the scheduled deletion: its public status page


class ClosedWorkspaceError(PermissionDeniedError):
    """A sign-in or an API key of a closed workspace."""

    code = "workspace_closed"

    def __init__(self) -> None:
        super().__init__(
            "This workspace was closed and its data is being deleted; nobody can sign in to it any more."
        )
