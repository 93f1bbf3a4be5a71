"""Roster, account detail, post detail and demographics: shapes, numbers, reasons, CSV, ETag, visibility."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from chalicelib.domain.platforms import Demographics, DemographicsUnavailableReason, Platform, Share
from chalicelib.domain.summary import summarize
from chalicelib.storage.connections import ConnectionsRepository
from tests.functional.dashboard import seed
from tests.functional.dashboard.conftest import Studio


def body(response: object) -> dict:  # type: ignore[type-arg]
    assert response.status_code == 200, response.body  # type: ignore[attr-defined]
    return json.loads(response.body)  # type: ignore[attr-defined,no-any-return]


def test_the_roster_groups_accounts_by_creator_with_their_stored_summary(studio: Studio) -> None:
    ana = seed.connect(studio.admin.workspace_id, studio.creator.member_id, "ana")
    bo = seed.connect(studio.admin.workspace_id, studio.admin.member_id, "bo", Platform.YOUTUBE)
    series = [(seed.NOW.date() - timedelta(days=back), seed.followers_on(back)) for back in range(120)]
    ConnectionsRepository().record_summary(ana, summarize(series, [], seed.NOW))
    seed.alert(ana, "sync_failed", seed.NOW)
    acknowledged = seed.alert(ana, "needs_reauth", seed.NOW - timedelta(days=1))
    studio.team.post(f"/api/alerts/{acknowledged.public_id}/acknowledge", {}, studio.admin.headers)

    roster = body(studio.get("/api/dashboard/roster", studio.viewer))

    names = [group["name"] for group in roster["creators"]]
    assert names == sorted(names, key=str.casefold)
    accounts = {a["account_name"]: a for group in roster["creators"] for a in group["accounts"]}
    assert accounts["ana"]["followers"] == seed.followers_on(0)
    assert accounts["ana"]["growth"] == {"7d": 70, "30d": 300, "90d": 900}
    assert accounts["ana"]["open_alerts"] == 1
    assert accounts["bo"] == {
        "connection_id": bo.id,
        "platform": "youtube",
        "account_name": "bo",
        "status": "active",
        "needs_reauth": False,
        "last_sync_at": None,
        "followers": None,
        "growth": {"7d": None, "30d": None, "90d": None},
        "engagement_rate": None,
        "open_alerts": 0,
    }
    owner = next(g for g in roster["creators"] if g["accounts"][0]["account_name"] == "ana")
    assert owner["member_id"] == studio.creator.member_id


def test_a_creator_sees_only_their_own_accounts_and_another_workspace_sees_none(studio: Studio) -> None:
    own = seed.connect(studio.admin.workspace_id, studio.creator.member_id, "mine")
    other = seed.connect(studio.admin.workspace_id, studio.admin.member_id, "theirs")

    roster = body(studio.get("/api/dashboard/roster", studio.creator))
    assert [a["connection_id"] for g in roster["creators"] for a in g["accounts"]] == [own.id]
    for suffix in ("", "/posts", "/demographics", "/posts/p0001"):
        assert studio.get(f"/api/dashboard/accounts/{other.id}{suffix}", studio.creator).status_code == 404
        response = studio.get(f"/api/dashboard/accounts/{own.id}{suffix}", studio.outsider)
        assert response.status_code == 404
        assert json.loads(response.body)["error"]["code"] == "not_found"
    assert body(studio.get("/api/dashboard/roster", studio.outsider))["creators"] == []
    too_long = "x" * 2000  # longer than any id, and than a DynamoDB key may be
    assert studio.get(f"/api/dashboard/accounts/{too_long}", studio.admin).status_code == 404
    assert studio.get(f"/api/dashboard/accounts/{own.id}/posts/{too_long}", studio.admin).status_code == 404


def test_account_detail_covers_the_range_with_cadence_and_top_posts(studio: Studio) -> None:
    account = seed.connect(studio.admin.workspace_id, studio.admin.member_id)
    seed.profile_days(account, 120)
    stored = seed.posts(account, 60)

    week = body(studio.get(f"/api/dashboard/accounts/{account.id}?range=7d", studio.admin))
    default = body(studio.get(f"/api/dashboard/accounts/{account.id}", studio.admin))

    today = seed.NOW.date()
    assert week["range"] == {"since": (today - timedelta(days=7)).isoformat(), "until": today.isoformat()}
    assert [p["value"] for p in week["followers"]] == [seed.followers_on(back) for back in range(7, -1, -1)]
    assert len(default["followers"]) == 91
    assert default["followers"][0]["date"] == (today - timedelta(days=90)).isoformat()
    in_30_days = [s for s in stored if seed.NOW - s.post.created_at <= timedelta(days=30)]
    assert default["cadence"]["posts_last_30d"] == len(in_30_days)
    assert len(default["cadence"]["weekly"]) == 12
    most_viewed = sorted(stored, key=lambda s: s.metrics.views or 0, reverse=True)[:5]
    assert [p["views"] for p in default["top_posts"]] == [s.metrics.views for s in most_viewed]
    assert studio.get(f"/api/dashboard/accounts/{account.id}?range=3w", studio.admin).status_code == 422


def test_post_detail_has_views_at_ages_and_history_oldest_first(studio: Studio) -> None:
    account = seed.connect(studio.admin.workspace_id, studio.admin.member_id)
    stored = seed.posts(account, 3, history_points=3)

    detail = body(studio.get(f"/api/dashboard/accounts/{account.id}/posts/p0001", studio.admin))

    views = stored[1].metrics.views or 0
    assert detail["post"]["id"] == "p0001"
    assert detail["views_at"] == {"6h": views // 4, "24h": views // 2}
    assert [h["views"] for h in detail["history"]] == [views // 3, views * 2 // 3, views]
    assert studio.get(f"/api/dashboard/accounts/{account.id}/posts/nope", studio.admin).status_code == 404
    history_csv = studio.get(f"/api/dashboard/accounts/{account.id}/posts/p0001?format=csv", studio.admin)
    rows = list(csv.reader(io.StringIO(history_csv.body.decode())))
    assert rows[0] == ["taken_at", "views", "likes", "comments", "shares", "saves"]
    assert len(rows) == 4


@pytest.mark.parametrize(
    ("stored", "reason"),
    [
        (None, "not_synced_yet"),
        (DemographicsUnavailableReason.NOT_OFFERED, "not_provided_by_platform"),
        (DemographicsUnavailableReason.BELOW_THRESHOLD, "below_threshold"),
        (DemographicsUnavailableReason.PERMISSION_MISSING, "permission_missing"),
    ],
)
def test_missing_demographics_say_why(
    studio: Studio, stored: DemographicsUnavailableReason | None, reason: str
) -> None:
    account = seed.connect(studio.admin.workspace_id, studio.admin.member_id, platform=Platform.THREADS)
    if stored is not None:
        seed.demographics(account, Demographics.not_available(Platform.THREADS, stored))

    answer = body(studio.get(f"/api/dashboard/accounts/{account.id}/demographics", studio.admin))

    assert answer["available"] is False
    assert answer["reason"] == reason
    assert answer["us_share"] is None
    assert answer["genders"] == answer["age_ranges"] == answer["countries"] == []


def test_available_demographics_give_the_top_ten_countries_and_the_us_share(studio: Studio) -> None:
    account = seed.connect(studio.admin.workspace_id, studio.admin.member_id)
    countries = tuple(Share(code, share) for code, share in zip("ABCDEFGHIJKL", range(12), strict=True))
    seed.demographics(
        account,
        Demographics(
            Platform.TIKTOK,
            genders=(Share("female", 0.6), Share("male", 0.4)),
            age_ranges=(Share("18-24", 1.0),),
            countries=(Share("US", 0.31), *(Share(s.key * 2, s.share / 100) for s in countries)),
        ),
    )

    answer = body(studio.get(f"/api/dashboard/accounts/{account.id}/demographics", studio.admin))
    exported = studio.get(f"/api/dashboard/accounts/{account.id}/demographics?format=csv", studio.admin)

    assert answer["available"] is True
    assert answer["reason"] is None
    assert answer["us_share"] == 0.31
    assert len(answer["countries"]) == 10
    assert answer["countries"][0] == {"key": "US", "share": 0.31}
    rows = list(csv.reader(io.StringIO(exported.body.decode())))
    assert rows[0] == ["dimension", "key", "share"]
    assert ["gender", "female", "0.6"] in rows
    assert len(rows) == 1 + 2 + 1 + 10


def test_json_views_carry_an_etag_and_answer_304_while_it_holds(studio: Studio) -> None:
    account = seed.connect(studio.admin.workspace_id, studio.admin.member_id)
    seed.posts(account, 3)
    for path in ("/api/dashboard/roster", f"/api/dashboard/accounts/{account.id}/posts"):
        first = studio.get(path, studio.admin)
        tag = first.headers["ETag"]
        assert first.headers["Cache-Control"] == "private, no-cache"
        assert tag.startswith('"')
        assert tag.endswith('"')

        again = studio.get(path, studio.admin, **{"If-None-Match": tag})
        assert again.status_code == 304
        assert again.body in (b"", "")
        assert again.headers["ETag"] == tag

    path = f"/api/dashboard/accounts/{account.id}/posts"
    tag = studio.get(path, studio.admin).headers["ETag"]
    seed.posts(account, 4)  # a new post changes the body
    changed = studio.get(path, studio.admin, **{"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != tag


def test_roster_csv_has_a_row_per_account_and_neutralises_formula_names(studio: Studio) -> None:
    seed.connect(studio.admin.workspace_id, studio.admin.member_id, "=HYPERLINK(evil)")
    seed.connect(studio.admin.workspace_id, studio.creator.member_id, "plain")

    response = studio.get("/api/dashboard/roster?format=csv", studio.admin)

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="roster-{studio.admin.workspace_id}-' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.body.decode())))
    assert rows[0] == [
        "creator",
        "platform",
        "account_name",
        "status",
        "followers",
        "growth_7d",
        "growth_30d",
        "growth_90d",
        "engagement_rate",
        "open_alerts",
        "last_sync_at",
    ]
    assert sorted(row[2] for row in rows[1:]) == ["'=HYPERLINK(evil)", "plain"]
    assert "ETag" not in response.headers


def test_openapi_documents_the_csv_form_and_the_conditional_get(studio: Studio) -> None:
    document = body(studio.team.http.get("/api/openapi.json"))

    operation = document["paths"]["/api/dashboard/accounts/{connection_id}/posts"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    assert "304" in operation["responses"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "format",
        "sort",
        "order",
        "cursor",
        "If-None-Match",
    }
