"""The docs a newcomer reads say what the code does."""

from __future__ import annotations

import re

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


def test_every_privacy_promise_names_tests_that_exist() -> None:
    """docs/privacy.md: each row's last column names test files (and tests) that are really there."""
    rows = [
        line
        for line in (ROOT / "docs" / "privacy.md").read_text().splitlines()
        if line.startswith("| ") and not line.startswith("| promise")
    ]
    assert len(rows) > 20
    broken = []
    for row in rows:
        test_column = row.rstrip(" |").rsplit(" | ", 1)[-1]
        references = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", test_column)
        if not references:
            broken.append(f"no test named: {row[:80]}")
        for path, name in references:
            source = ROOT / path
            if not source.is_file():
                broken.append(f"missing file {path}")
            elif name and not re.search(rf"^def {name}\(", source.read_text(), re.MULTILINE):
                broken.append(f"missing test {path}::{name}")
    assert broken == []
