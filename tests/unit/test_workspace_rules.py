"""A workspace's retention window and a member's alert e-mail switches, as pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.alert_emails import AlertEmails
from chalicelib.domain.identity import Workspace

CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_workspace_without_a_setting_keeps_data_for_24_months() -> None:
    workspace = Workspace(id="w", name="Studio", created_at=CREATED)

    assert workspace.retention == timedelta(days=730)
    assert workspace.as_json()["retention_days"] == 730


@pytest.mark.parametrize(("stored", "effective"), [(365, 365), (10, 30), (5000, 1095), (30, 30)])
def test_a_stored_retention_is_held_within_the_promised_bounds(stored: int, effective: int) -> None:
    workspace = Workspace(id="w", name="Studio", created_at=CREATED, retention_days=stored)

    assert workspace.retention == timedelta(days=effective)
    assert workspace.as_json()["retention_bounds"] == {"min": 30, "max": 1095}


def test_alert_emails_default_to_what_needs_someone_to_act() -> None:
    defaults = AlertEmails()

    assert [kind for kind, on in defaults.as_flags().items() if on] == ["sync_failed", "needs_reauth"]
    assert AlertEmails.from_flags({}) == defaults


def test_stored_switches_win_and_missing_kinds_keep_their_default() -> None:
    switches = AlertEmails.from_flags({"viral_post": True, "needs_reauth": False})

    assert switches.wants("viral_post")
    assert not switches.wants("needs_reauth")
    assert switches.wants("sync_failed")
    assert not switches.wants("weekly_digest")
