"""Alerts: newest first with cursor paging, open or all, visibility, idempotent acknowledgement, CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

from chalicelib.domain.alerts import public_alert_id
from tests.functional.dashboard import seed
from tests.functional.dashboard.conftest import Studio
from tests.functional.team import Persona
from tests.functional.test_team import count_dynamodb_calls


def acknowledge(studio: Studio, alert_id: str, persona: Persona) -> Any:
    return studio.team.post(f"/api/alerts/{alert_id}/acknowledge", {}, persona.headers)


def listed(studio: Studio, persona: Persona, query: str = "") -> dict[str, Any]:
    response = studio.get(f"/api/alerts{query}", persona)
    assert response.status_code == 200, response.body
    return json.loads(response.body)  # type: ignore[no-any-return]


def test_alerts_come_newest_first_in_pages_that_follow_each_other(studio: Studio) -> None:
    account = seed.connect(studio.admin.workspace_id, studio.admin.member_id)
    raised = [seed.alert(account, "sync_failed", seed.NOW - timedelta(hours=h)) for h in range(7)]

    first = listed(studio, studio.admin, "?limit=3")
    second = listed(studio, studio.admin, f"?limit=3&cursor={first['next_cursor']}")
    third = listed(studio, studio.admin, f"?limit=3&cursor={second['next_cursor']}")

    ids = [a["id"] for page in (first, second, third) for a in page["items"]]
    assert ids == [a.public_id for a in raised]
    assert third["next_cursor"] is None
    assert first["items"][0] == {
        "id": raised[0].public_id,
        "kind": "sync_failed",
        "connection_id": account.id,
        "platform": "tiktok",
        "account_name": "ana",
        "post_id": None,
        "message": "Syncing this account failed repeatedly; its numbers may be out of date.",
        "created_at": raised[0].created_at.isoformat(),
        "acknowledged_at": None,
        "acknowledged_by": None,
    }
    assert studio.get("/api/alerts?cursor=garbage", studio.admin).status_code == 400


def test_acknowledging_is_idempotent_and_keeps_the_first_acknowledgement(studio: Studio) -> None:
    account = seed.connect(studio.admin.workspace_id, studio.creator.member_id)
    alert = seed.alert(account, "viral_post", seed.NOW, post_id="p1", views_multiple=4.2)

    first = acknowledge(studio, alert.public_id, studio.viewer)
    again = acknowledge(studio, alert.public_id, studio.admin)

    assert first.status_code == again.status_code == 200
    assert json.loads(again.body) == json.loads(first.body)
    answer = json.loads(first.body)
    assert answer["acknowledged_by"] == studio.viewer.member_id
    assert answer["acknowledged_at"] is not None
    assert answer["message"] == "A post is getting 4.2× your usual views."  # noqa: RUF001
    assert answer["post_id"] == "p1"
    assert listed(studio, studio.admin)["items"] == []
    assert [a["id"] for a in listed(studio, studio.admin, "?status=all")["items"]] == [alert.public_id]


def test_a_creator_sees_and_acknowledges_only_alerts_of_their_own_accounts(studio: Studio) -> None:
    own = seed.connect(studio.admin.workspace_id, studio.creator.member_id, "mine")
    other = seed.connect(studio.admin.workspace_id, studio.admin.member_id, "theirs")
    mine = seed.alert(own, "follower_spike", seed.NOW, follower_change_pct=25.0, followers=1250)
    theirs = seed.alert(other, "follower_drop", seed.NOW, follower_change_pct=-20.0, followers=800)

    assert [a["id"] for a in listed(studio, studio.creator)["items"]] == [mine.public_id]
    assert {a["id"] for a in listed(studio, studio.viewer)["items"]} == {mine.public_id, theirs.public_id}
    assert acknowledge(studio, theirs.public_id, studio.creator).status_code == 404
    assert acknowledge(studio, mine.public_id, studio.creator).status_code == 200


def test_unknown_malformed_or_foreign_alert_ids_are_not_found(studio: Studio) -> None:
    account = seed.connect(studio.admin.workspace_id, studio.admin.member_id)
    alert = seed.alert(account, "sync_failed", seed.NOW)

    for alert_id in ("unknown", "%3D%3D", public_alert_id(seed.NOW, "no-such-alert"), "x" * 300):
        response = acknowledge(studio, alert_id, studio.admin)
        assert response.status_code == 404, (alert_id, response.body)
        assert json.loads(response.body)["error"]["code"] == "not_found"
    assert acknowledge(studio, alert.public_id, studio.outsider).status_code == 404
    assert listed(studio, studio.outsider)["items"] == []


def test_alerts_csv_lists_every_matching_alert(studio: Studio) -> None:
    account = seed.connect(studio.admin.workspace_id, studio.admin.member_id, "@handle")
    for hours in range(3):
        seed.alert(account, "follower_drop", seed.NOW - timedelta(hours=hours), follower_change_pct=-15.0)

    response = studio.get("/api/alerts?format=csv&limit=1", studio.admin)

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.body.decode())))
    assert rows[0] == [
        "id",
        "kind",
        "platform",
        "account_name",
        "post_id",
        "message",
        "created_at",
        "acknowledged_at",
    ]
    assert len(rows) == 4
    assert {row[3] for row in rows[1:]} == {"'@handle"}
    assert rows[1][5] == "Followers fell 15.0% in a day."


def test_a_page_reads_once_and_may_come_back_short_with_a_cursor_to_go_on(studio: Studio) -> None:
    own = seed.connect(studio.admin.workspace_id, studio.creator.member_id, "mine")
    other = seed.connect(studio.admin.workspace_id, studio.admin.member_id, "theirs")
    mine = [seed.alert(own, "sync_failed", seed.NOW - timedelta(hours=h)) for h in (0, 130)]
    for hours in range(1, 130):  # between the creator's two, on an account they cannot see
        seed.alert(other, "sync_failed", seed.NOW - timedelta(hours=hours))
    calls = count_dynamodb_calls()

    pages = []
    cursor = None
    while True:
        calls.clear()
        page = listed(studio, studio.creator, "?limit=50" + (f"&cursor={cursor}" if cursor else ""))
        assert calls.count("Query") <= 2, calls  # the creator's connections, then one page of alerts
        pages.append([a["id"] for a in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert pages[0] == [mine[0].public_id]  # short: 49 of the 50 read were someone else's
    assert [] in pages  # a page of only other accounts' alerts still says where to go on
    assert [alert_id for page in pages for alert_id in page] == [a.public_id for a in mine]
