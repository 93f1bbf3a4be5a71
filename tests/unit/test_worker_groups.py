"""How ``make test`` spreads the suite over its two workers (tests/conftest.py)."""

from __future__ import annotations

from tests.conftest import StackGroupScheduling


def scope_of(nodeid: str) -> str:
    scheduler = StackGroupScheduling.__new__(StackGroupScheduling)  # the rule needs no running session
    scope: str = scheduler._split_scope(nodeid)
    return scope


def test_every_e2e_and_every_integration_test_runs_on_one_worker_with_its_folder() -> None:
    assert scope_of("tests/e2e/test_dashboard_flow.py::test_screens_fit_a_phone") == "tests/e2e/"
    assert scope_of("tests/e2e/test_your_data.py::test_x[a@b]") == "tests/e2e/"
    assert scope_of("tests/integration/test_stack.py::test_y") == "tests/integration/"


def test_other_tests_are_units_of_their_own() -> None:
    nodeid = "tests/unit/test_settings.py::test_z"
    assert scope_of(nodeid) == nodeid
