"""CREATORDECK_VAULT_EPOCH_HOURS: how long every function seals under one shared data key."""

from __future__ import annotations

import pytest

from chalicelib.settings import Settings, SettingsError
from tests.conftest import in_process_environment


def test_the_vault_epoch_is_a_day_by_default() -> None:
    assert Settings.from_env(in_process_environment()).vault_epoch_hours == 24


@pytest.mark.parametrize("hours", ["1", "6", "168"])
def test_the_vault_epoch_is_read_from_the_environment(hours: str) -> None:
    settings = Settings.from_env({**in_process_environment(), "CREATORDECK_VAULT_EPOCH_HOURS": hours})

    assert settings.vault_epoch_hours == int(hours)


@pytest.mark.parametrize("hours", ["0", "169", "-1", "1.5", "daily"])
def test_refuses_a_vault_epoch_out_of_bounds_naming_the_variable_and_the_range(hours: str) -> None:
    with pytest.raises(SettingsError, match=r"CREATORDECK_VAULT_EPOCH_HOURS .* from 1 to 168"):
        Settings.from_env({**in_process_environment(), "CREATORDECK_VAULT_EPOCH_HOURS": hours})
