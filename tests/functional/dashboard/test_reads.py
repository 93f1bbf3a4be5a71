"""Every dashboard view costs a fixed number of DynamoDB calls, whatever the history behind it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from chalicelib.bootstrap import services
from chalicelib.domain.dashboard import PostSort, SortOrder
from tests.functional.dashboard import seed
from tests.functional.dashboard.conftest import Studio
from tests.functional.test_team import count_dynamodb_calls

VIEW_BUDGET = 3  # the view's own reads
AUTHENTICATION = 2  # what authenticating any request costs (test_team.py)


def test_each_view_reads_at_most_three_times_with_two_years_of_days_and_500_posts(studio: Studio) -> None:
    account = seed.connect(studio.admin.workspace_id, studio.creator.member_id)
    seed.profile_days(account, 731)
    posts = seed.posts(account, 500, history_points=4)
    seed.alert(account, "sync_failed", seed.NOW)
    caller = studio.caller(studio.admin)
    dashboard = services().dashboard
    views: dict[str, Callable[[], Any]] = {
        "roster": lambda: dashboard.roster(caller),
        "account 2y": lambda: dashboard.account(caller, account.id, "2y"),
        "posts by views": lambda: dashboard.posts(
            caller, account.id, sort=PostSort.VIEWS, order=SortOrder.DESC, limit=100, cursor=None
        ),
        "oldest post": lambda: dashboard.post(caller, account.id, posts[-1].post.id),
        "demographics": lambda: dashboard.demographics(caller, account.id),
    }
    calls = count_dynamodb_calls()

    for name, view in views.items():
        calls.clear()
        view()
        assert len(calls) <= VIEW_BUDGET, (name, calls)

    paths = [
        "/api/dashboard/roster",
        f"/api/dashboard/accounts/{account.id}?range=2y",
        f"/api/dashboard/accounts/{account.id}/posts?sort=views&limit=100",
        f"/api/dashboard/accounts/{account.id}/posts/{posts[-1].post.id}",
        f"/api/dashboard/accounts/{account.id}/demographics",
    ]
    bodies = []
    for path in paths:
        calls.clear()
        response = studio.get(path, studio.admin)
        assert response.status_code == 200, response.body
        assert len(calls) <= VIEW_BUDGET + AUTHENTICATION, (path, calls)
        bodies.append(json.loads(response.body))

    roster, detail, table, oldest, _ = bodies
    assert [a["open_alerts"] for c in roster["creators"] for a in c["accounts"]] == [1]
    assert detail["account"]["open_alerts"] == 1
    assert len(detail["followers"]) == 731  # two years back to today, both ends included
    assert table["total"] == 500
    assert len(table["items"]) == 100
    assert len(oldest["history"]) == 4
