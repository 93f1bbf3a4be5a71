"""The posts table: sorting, paging with stable cursors, bad parameters, CSV."""

from __future__ import annotations

import base64
import csv
import io
import json
from dataclasses import replace
from typing import Any

from chalicelib.domain.platforms import PostMetrics
from chalicelib.storage.posts import PostRepository, StoredPost
from tests.functional.dashboard import seed
from tests.functional.dashboard.conftest import Studio


def all_pages(studio: Studio, path: str, query: str) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    cursor = None
    pages = 0
    while True:
        url = f"{path}?{query}" + (f"&cursor={cursor}" if cursor else "")
        body = json.loads(studio.get(url, studio.admin).body)
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items, pages


def test_500_posts_page_in_the_requested_order_without_gaps_or_repeats(studio: Studio) -> None:
    account = seed.connect(studio.admin.workspace_id, studio.admin.member_id)
    stored = seed.posts(account, 500)
    path = f"/api/dashboard/accounts/{account.id}/posts"

    by_views, pages = all_pages(studio, path, "sort=views&order=desc&limit=100")
    oldest_first, _ = all_pages(studio, path, "sort=created_at&order=asc&limit=100")

    assert pages == 5
    assert len({p["id"] for p in by_views}) == 500
    expected = sorted(
        stored, key=lambda s: (s.metrics.views or 0, s.post.created_at, s.post.id), reverse=True
    )
    assert [p["id"] for p in by_views] == [s.post.id for s in expected]
    assert [p["id"] for p in oldest_first] == [s.post.id for s in reversed(stored)]


def test_a_cursor_keeps_its_place_when_a_new_post_arrives_between_pages(studio: Studio) -> None:
    account = seed.connect(studio.admin.workspace_id, studio.admin.member_id)
    seed.posts(account, 30)
    path = f"/api/dashboard/accounts/{account.id}/posts"
    first = json.loads(studio.get(f"{path}?limit=10", studio.admin).body)
    template = seed.posts(account, 1)[0]  # rewrites p0000 as it was
    fresh = replace(template.post, id="fresh", created_at=seed.NOW)
    PostRepository().save([StoredPost(account.id, fresh, PostMetrics("fresh"), seed.NOW)], seed.RETENTION)

    second = json.loads(studio.get(f"{path}?limit=10&cursor={first['next_cursor']}", studio.admin).body)

    assert second["total"] == 31
    assert not {p["id"] for p in first["items"]} & {p["id"] for p in second["items"]}
    assert second["items"][0]["created_at"] < first["items"][-1]["created_at"]


def test_bad_sort_limit_or_a_tampered_cursor_is_a_json_error(studio: Studio) -> None:
    account = seed.connect(studio.admin.workspace_id, studio.admin.member_id)
    seed.posts(account, 12)
    path = f"/api/dashboard/accounts/{account.id}/posts"
    cursor = json.loads(studio.get(f"{path}?limit=5", studio.admin).body)["next_cursor"]
    tampered = base64.urlsafe_b64encode(b'["other","created_at","desc",1,"x","p"]').decode()

    for query, status in [
        ("sort=popularity", 422),
        ("limit=0", 422),
        ("limit=101", 422),
        ("order=sideways", 422),
        (f"cursor={cursor[:-3]}", 400),
        (f"cursor={tampered}", 400),
        (f"sort=views&cursor={cursor}", 400),  # a cursor of another ordering
    ]:
        response = studio.get(f"{path}?{query}", studio.admin)
        assert response.status_code == status, (query, response.body)
        assert json.loads(response.body)["error"]["code"] in ("validation_failed", "invalid_cursor")


def test_csv_has_every_post_in_the_requested_order_with_formulas_neutralised(studio: Studio) -> None:
    account = seed.connect(studio.admin.workspace_id, studio.admin.member_id)
    stored = seed.posts(account, 40)

    response = studio.get(
        f"/api/dashboard/accounts/{account.id}/posts?format=csv&sort=views&limit=5", studio.admin
    )

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="posts-{account.id}-')
    assert disposition.endswith('.csv"')
    rows = list(csv.reader(io.StringIO(response.body.decode())))
    assert rows[0] == [
        "id",
        "created_at",
        "caption_excerpt",
        "permalink",
        "media_type",
        "views",
        "likes",
        "comments",
        "shares",
        "saves",
        "engagement_rate",
    ]
    assert len(rows) == 41
    assert [int(row[5]) for row in rows[1:]] == sorted((s.metrics.views or 0 for s in stored), reverse=True)
    assert all(row[2].startswith("'=caption") for row in rows[1:])
