"""The docs a newcomer reads say what the code does."""

from __future__ import annotations

from chalicelib.settings import VARIABLES
from tests.conftest import ROOT


def test_readme_opens_with_the_two_commands() -> None:
    opening = "\n".join((ROOT / "README.md").read_text().splitlines()[:20])

    assert "make run" in opening
    assert "make test" in opening


def test_readme_lists_every_environment_variable_the_app_reads() -> None:
    readme = (ROOT / "README.md").read_text()

    missing = [variable.name for variable in VARIABLES if f"`{variable.name}`" not in readme]
    assert missing == []


def test_ci_runs_make_test() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()
