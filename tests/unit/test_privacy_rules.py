"""Pure privacy rules: what the public status shows, which removals keep a reconnected account, the delay."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.platforms import Platform
from chalicelib.domain.privacy import (
    DeletionRequest,
    DeletionSource,
    DeletionStatus,
    DeletionTarget,
    MetaApp,
)
from chalicelib.settings import Settings, SettingsError
from tests.conftest import in_process_environment

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_the_public_status_names_nobody() -> None:
    request = DeletionRequest(
        code="ABC",
        source=DeletionSource.ACCOUNT,
        status=DeletionStatus.PENDING,
        requested_at=NOW,
        due_at=NOW,
        targets=(DeletionTarget("ws-1", "conn-1", Platform.TIKTOK, "member-1"),),
        member=("ws-1", "member-1"),
        requester_id="member-1",
    )

    shown = request.public_json()

    assert shown == {
        "confirmation_code": "ABC",
        "status": "pending",
        "requested_at": NOW.isoformat(),
        "completed_at": None,
    }


@pytest.mark.parametrize(
    ("source", "keeps_reconnected"),
    [
        (DeletionSource.TIKTOK, True),
        (DeletionSource.META_DEAUTHORIZED, True),
        (DeletionSource.THREADS_DEAUTHORIZED, True),
        (DeletionSource.META, False),
        (DeletionSource.CREATOR, False),
        (DeletionSource.ACCOUNT, False),
    ],
)
def test_only_removals_of_the_app_spare_an_account_connected_again(
    source: DeletionSource, keeps_reconnected: bool
) -> None:
    assert source.after_removal is keeps_reconnected


def test_each_meta_app_has_its_own_secret_and_platforms() -> None:
    assert MetaApp.META.platforms == (Platform.FACEBOOK, Platform.INSTAGRAM)
    assert MetaApp.META.secret_name == "meta_app_secret"
    assert MetaApp.THREADS.platforms == (Platform.THREADS,)
    assert MetaApp.THREADS.secret_name == "threads_app_secret"


@pytest.mark.parametrize("raw", ["-1", "31", "two", "1.5"])
def test_the_deletion_delay_is_refused_outside_0_to_30_days(raw: str) -> None:
    environment = {**in_process_environment(), "CREATORDECK_DEAUTHORIZED_DELETION_DELAY_DAYS": raw}

    with pytest.raises(SettingsError, match="0 to 30"):
        Settings.from_env(environment)


def test_the_deletion_delay_defaults_to_none() -> None:
    assert Settings.from_env(in_process_environment()).deauthorized_deletion_delay_days == 0
