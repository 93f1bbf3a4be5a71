from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from chalicelib.domain.identity import Workspace
from chalicelib.domain.snapshots import DEFAULT_RETENTION, MAX_RETENTION
from chalicelib.services.ingestion import WorkspaceRetentions


class Workspaces:
    """Workspaces by id, counting the reads."""

    def __init__(self, *workspaces: Workspace) -> None:
        self._by_id = {workspace.id: workspace for workspace in workspaces}
        self.reads: list[str] = []

    def get_workspace(self, workspace_id: str) -> Workspace | None:
        self.reads.append(workspace_id)
        return self._by_id.get(workspace_id)


def workspace(workspace_id: str, retention_days: int | None) -> Workspace:
    return Workspace(workspace_id, "Studio", datetime(2026, 1, 1, tzinfo=UTC), retention_days)


async def retentions_of(retentions: WorkspaceRetentions, *workspace_ids: str) -> list[timedelta]:
    return list(await asyncio.gather(*(retentions.of(w) for w in workspace_ids)))


def test_a_batch_reads_each_workspace_once_even_when_its_records_ask_at_the_same_time() -> None:
    workspaces = Workspaces(workspace("w1", 90), workspace("w2", None))
    retentions = WorkspaceRetentions(workspaces, DEFAULT_RETENTION)

    found = asyncio.run(retentions_of(retentions, "w1", "w1", "w2", "w1"))

    assert found == [timedelta(days=90), timedelta(days=90), DEFAULT_RETENTION, timedelta(days=90)]
    assert sorted(workspaces.reads) == ["w1", "w2"]


def test_the_next_batch_reads_again_so_a_changed_retention_applies() -> None:
    workspaces = Workspaces(workspace("w1", 90))

    for _ in range(2):
        asyncio.run(retentions_of(WorkspaceRetentions(workspaces, DEFAULT_RETENTION), "w1"))

    assert workspaces.reads == ["w1", "w1"]


def test_a_retention_beyond_the_promised_bounds_is_held_within_them() -> None:
    retentions = WorkspaceRetentions(Workspaces(workspace("w1", 5000)), DEFAULT_RETENTION)

    assert asyncio.run(retentions_of(retentions, "w1", "gone")) == [MAX_RETENTION, DEFAULT_RETENTION]
