"""Every dashboard view costs a fixed number of DynamoDB calls, whatever the history behind it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from chalicelib.bootstrap import services
from chalicelib.domain.dashboard import PostSort, SortOrder
from tests.functional.dashboard import seed
from tests.functional.dashboard.conftest import Studio
from tests.functional.test_team import count_dynamodb_calls

VIEW_BUDGET = 3  # the view's own reads
AUTHENTICATION = 2  # what authenticating any request costs (test_team.py)
OTHER_ALERTS = 300  # on an account the creator cannot see


def test_each_view_reads_at_most_three_times_with_two_years_of_days_and_500_posts(studio: Studio) -> None:
    account = seed.connect(studio.admin.workspace_id, studio.creator.member_id)
    seed.profile_days(account, 731)
    posts = seed.posts(account, 500, history_points=4)
    own_alerts = [seed.alert(account, "sync_failed", seed.NOW - timedelta(hours=h)) for h in (0, 400, 401)]
    others = seed.connect(studio.admin.workspace_id, studio.admin.member_id, "theirs")
    for hours in range(1, OTHER_ALERTS + 1):  # newer than the creator's older two: every page filters
        seed.alert(others, "follower_drop", seed.NOW - timedelta(hours=hours), follower_change_pct=-12.0)
    caller = studio.caller(studio.admin)
    creator = studio.caller(studio.creator)
    dashboard = services().dashboard
    alerts = services().alerts
    views: dict[str, Callable[[], Any]] = {
        "roster": lambda: dashboard.roster(caller),
        "account 2y": lambda: dashboard.account(caller, account.id, "2y"),
        "posts by views": lambda: dashboard.posts(
            caller, account.id, sort=PostSort.VIEWS, order=SortOrder.DESC, limit=100, cursor=None
        ),
        "oldest post": lambda: dashboard.post(caller, account.id, posts[-1].post.id),
        "demographics": lambda: dashboard.demographics(caller, account.id),
        "alerts": lambda: alerts.list(caller, open_only=True, limit=50, cursor=None),
        "a creator's alerts": lambda: alerts.list(creator, open_only=True, limit=50, cursor=None),
        "acknowledge": lambda: alerts.acknowledge(creator, own_alerts[1].public_id),
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
        "/api/alerts?limit=50",
    ]
    bodies = []
    for path in paths:
        calls.clear()
        response = studio.get(path, studio.admin)
        assert response.status_code == 200, response.body
        assert len(calls) <= VIEW_BUDGET + AUTHENTICATION, (path, calls)
        bodies.append(json.loads(response.body))
    calls.clear()
    response = studio.get("/api/alerts?limit=50", studio.creator)
    assert len(calls) <= VIEW_BUDGET + AUTHENTICATION, ("creator's alerts", calls)
    creators_alerts = json.loads(response.body)
    calls.clear()
    response = studio.team.post(
        f"/api/alerts/{own_alerts[2].public_id}/acknowledge", {}, studio.creator.headers
    )
    assert response.status_code == 200, response.body
    assert len(calls) <= VIEW_BUDGET + AUTHENTICATION, ("acknowledge", calls)

    roster, detail, table, oldest, _, listed = bodies
    open_alerts = {a["connection_id"]: a["open_alerts"] for c in roster["creators"] for a in c["accounts"]}
    assert open_alerts == {account.id: 2, others.id: OTHER_ALERTS}  # one acknowledged above
    assert detail["account"]["open_alerts"] == 2
    assert len(listed["items"]) == 50
    assert [a["id"] for a in creators_alerts["items"]] == [own_alerts[0].public_id]  # one page, short
    assert creators_alerts["next_cursor"] is not None
    assert len(detail["followers"]) == 731  # two years back to today, both ends included
    assert table["total"] == 500
    assert len(table["items"]) == 100
    assert len(oldest["history"]) == 4
