from __future__ import annotations

import pytest

from chalicelib.settings import Settings, SettingsError
from tests.conftest import in_process_environment


def test_sync_cadences_have_sane_defaults() -> None:
    settings = Settings.from_env(in_process_environment())

    assert (settings.sync_profile_hours, settings.sync_counters_hours) == (6, 2)
    assert settings.sync_demographics_hour_utc == 4
    assert settings.sync_jitter == 0.1


def test_sync_cadences_are_read_from_the_environment() -> None:
    environment = {
        **in_process_environment(),
        "CREATORDECK_SYNC_PROFILE_HOURS": "12",
        "CREATORDECK_SYNC_COUNTERS_HOURS": "3",
        "CREATORDECK_SYNC_DEMOGRAPHICS_HOUR_UTC": "0",
        "CREATORDECK_SYNC_JITTER": "0.25",
    }

    settings = Settings.from_env(environment)

    assert (settings.sync_profile_hours, settings.sync_counters_hours) == (12, 3)
    assert (settings.sync_demographics_hour_utc, settings.sync_jitter) == (0, 0.25)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CREATORDECK_SYNC_PROFILE_HOURS", "0"),
        ("CREATORDECK_SYNC_COUNTERS_HOURS", "often"),
        ("CREATORDECK_SYNC_DEMOGRAPHICS_HOUR_UTC", "24"),
        ("CREATORDECK_SYNC_DEMOGRAPHICS_HOUR_UTC", "-1"),
        ("CREATORDECK_SYNC_JITTER", "1.5"),
        ("CREATORDECK_SYNC_JITTER", "some"),
    ],
)
def test_refuses_sync_cadences_out_of_bounds(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({**in_process_environment(), name: value})
