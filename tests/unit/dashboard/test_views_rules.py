"""Dashboard rules: ranges, cadence, post ordering and its cursor, alert messages and ids, CSV cells."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.api.representations import csv_cell, csv_text, entity_tag
from chalicelib.domain.alerts import alert_message, public_alert_id, sort_key_of
from chalicelib.domain.dashboard import (
    PostCursor,
    PostSort,
    RankedPost,
    SortOrder,
    cadence,
    order_posts,
    page_of,
    range_days,
    top_posts,
)
from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.platforms import PostMetrics

NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)  # a Wednesday


def post(pid: str, days_ago: float, views: int | None, likes: int | None = 0) -> RankedPost:
    return RankedPost(pid, NOW - timedelta(days=days_ago), PostMetrics(pid, views=views, likes=likes))


def test_a_range_ends_today_and_reaches_back_its_length() -> None:
    assert range_days("7d", date(2026, 11, 25)) == (date(2026, 11, 18), date(2026, 11, 25))
    assert range_days("2y", date(2026, 11, 25))[0] == date(2024, 11, 25)


def test_cadence_counts_the_last_30_days_and_twelve_iso_weeks_with_empty_weeks() -> None:
    created = [NOW - timedelta(days=d) for d in (0, 1, 2, 8, 29, 31, 200)]

    result = cadence(created, NOW)

    assert result.posts_last_30d == 5
    assert result.posts_per_week == round(5 * 7 / 30, 1)
    assert len(result.weekly) == 12
    assert result.weekly[-1] == (date(2026, 11, 23), 3)  # Monday of this week: today, -1 d, -2 d
    assert result.weekly[-2] == (date(2026, 11, 16), 1)
    assert result.weekly[0][0] == date(2026, 9, 7)
    assert sum(count for _, count in result.weekly) == 6  # the 200-day-old post is outside


def test_posts_without_the_sorted_value_come_last_in_either_order() -> None:
    posts = [post("a", 1, 300), post("b", 2, None), post("c", 3, 100)]

    assert [p.id for p in order_posts(posts, PostSort.VIEWS, SortOrder.DESC)] == ["a", "c", "b"]
    assert [p.id for p in order_posts(posts, PostSort.VIEWS, SortOrder.ASC)] == ["c", "a", "b"]


def test_pages_follow_each_other_without_gaps_or_repeats_even_with_ties() -> None:
    posts = [post(f"p{i:03d}", i, views=(i % 7) * 10 if i % 5 else None) for i in range(53)]
    ordered = order_posts(posts, PostSort.VIEWS, SortOrder.DESC)
    seen: list[str] = []
    cursor: PostCursor | None = None
    while True:
        page, last = page_of(ordered, cursor, 10)
        seen += [p.id for p in page]
        if last is None:
            break
        cursor = PostCursor.decode(
            PostCursor(
                "c1", PostSort.VIEWS, SortOrder.DESC, last.value(PostSort.VIEWS), last.created_at, last.id
            ).encode(),
            "c1",
            PostSort.VIEWS,
            SortOrder.DESC,
        )

    assert seen == [p.id for p in ordered]


@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64!",
        base64.urlsafe_b64encode(b'{"a":1}').decode(),
        PostCursor("other", PostSort.VIEWS, SortOrder.DESC, 1.0, NOW, "p").encode(),
        PostCursor("c1", PostSort.LIKES, SortOrder.DESC, 1.0, NOW, "p").encode(),
    ],
)
def test_a_cursor_that_is_malformed_or_for_another_list_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        PostCursor.decode(cursor, "c1", PostSort.VIEWS, SortOrder.DESC)
    assert raised.value.code == "invalid_cursor"


def test_top_posts_rank_by_views_then_engagement_and_skip_posts_without_views() -> None:
    posts = [post("a", 1, 100, likes=1), post("b", 1, 100, likes=50), post("c", 1, None), post("d", 1, 5)]

    assert [p.id for p in top_posts(posts, 3)] == ["b", "a", "d"]


def test_alert_messages_carry_the_stored_numbers() -> None:
    assert alert_message("viral_post", views_multiple=4.24) == "A post is getting 4.2× your usual views."  # noqa: RUF001
    assert alert_message("follower_drop", follower_change_pct=-12.5, followers=8750) == (
        "Followers fell 12.5% in a day, to 8,750."
    )
    assert alert_message("follower_spike", follower_change_pct=20.0, followers=1200).startswith(
        "Followers grew 20.0%"
    )
    assert "reconnected" in alert_message("needs_reauth")


def test_an_alert_id_names_its_sort_key_and_anything_else_names_nothing() -> None:
    created = datetime(2026, 11, 24, tzinfo=UTC)
    public = public_alert_id(created, "abc123")

    assert sort_key_of(public) == "2026-11-24T00:00:00+00:00#abc123"
    assert sort_key_of("unknown") is None
    assert sort_key_of(base64.urlsafe_b64encode(b"CONNECTION#x").decode()) is None
    assert sort_key_of("x" * 500) is None


def test_text_cells_that_a_spreadsheet_would_run_are_neutralised_but_numbers_are_not() -> None:
    assert [csv_cell(v) for v in ("=HYPERLINK(1)", "+1", "-cmd", "@SUM(A1)", "plain", -5, 0.5, None)] == [
        "'=HYPERLINK(1)",
        "'+1",
        "'-cmd",
        "'@SUM(A1)",
        "plain",
        "-5",
        "0.5",
        "",
    ]
    assert csv_text([("a", 'say "hi", then go')]) == 'a,"say ""hi"", then go"\r\n'


def test_the_entity_tag_ignores_volatile_fields_only() -> None:
    base = {"generated_at": "t1", "creators": []}

    assert entity_tag(base, ["generated_at"]) == entity_tag({**base, "generated_at": "t2"}, ["generated_at"])
    assert entity_tag(base) != entity_tag({**base, "generated_at": "t2"})
