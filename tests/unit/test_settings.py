from __future__ import annotations

import pytest

from chalicelib.settings import Settings, SettingsError, variable_names
from tests.conftest import in_process_environment


def test_reads_every_variable_into_a_frozen_object() -> None:
    settings = Settings.from_env(in_process_environment())

    assert settings.stage == "local"
    assert settings.table_name("accounts") == "creatordeck-local-accounts"
    assert settings.max_body_bytes == 1_048_576
    with pytest.raises(AttributeError):
        settings.stage = "prod"  # type: ignore[misc]


def test_names_every_missing_variable_in_one_message() -> None:
    environment = in_process_environment()
    del environment["CREATORDECK_MEDIA_BUCKET"]
    del environment["CREATORDECK_INGEST_QUEUE_URL"]

    with pytest.raises(SettingsError) as raised:
        Settings.from_env(environment)

    assert "CREATORDECK_MEDIA_BUCKET" in str(raised.value)
    assert "CREATORDECK_INGEST_QUEUE_URL" in str(raised.value)


@pytest.mark.parametrize("value", ["many", "0", "-5"])
def test_refuses_a_body_limit_that_is_not_a_positive_number(value: str) -> None:
    environment = {**in_process_environment(), "CREATORDECK_MAX_BODY_BYTES": value}

    with pytest.raises(SettingsError, match="CREATORDECK_MAX_BODY_BYTES"):
        Settings.from_env(environment)


def test_local_only_variables_are_not_listed_for_deployed_functions() -> None:
    assert "AWS_ENDPOINT_URL" not in variable_names()
    assert "AWS_ENDPOINT_URL" in variable_names(include_local_only=True)
    assert "CREATORDECK_TOKEN_KEY_ID" in variable_names()
