"""YouTube provider against the simulator: Google OAuth with base64url PKCE, Data API, Analytics."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import urllib.parse

import pytest

from chalicelib.domain.platforms import DemographicsUnavailableReason, Platform
from chalicelib.platforms.base import (
    AccessTokenExpiredError,
    AccountMissingError,
    PermissionMissingError,
    ReauthorizeError,
)
from tests.functional.platforms.conftest import account

YT = "https://www.googleapis.com/auth/"


def test_authorization_url_asks_offline_access_with_base64url_pkce(providers):
    request = providers[Platform.YOUTUBE].authorization_request("st-9")
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request.url).query))

    assert request.url.startswith("https://accounts.google.com/o/oauth2/v2/auth?")
    assert params["scope"] == f"{YT}youtube.readonly {YT}yt-analytics.readonly"
    assert params["access_type"] == "offline"
    assert params["prompt"] == "consent"
    assert request.code_verifier is not None
    digest = hashlib.sha256(request.code_verifier.reveal().encode()).digest()
    assert params["code_challenge"] == base64.urlsafe_b64encode(digest).decode().rstrip("=")
    assert params["code_challenge_method"] == "S256"


def test_code_exchange_names_the_channel_and_keeps_the_refresh_token(connect, creators):
    tokens = connect(Platform.YOUTUBE)

    assert tokens.refresh_token is not None
    assert tokens.account_id == account(creators(), "youtube", "anabakes")["id"]
    assert tokens.scopes == {f"{YT}youtube.readonly", f"{YT}yt-analytics.readonly"}


@pytest.mark.parametrize("items", ["omitted", "empty_list"])
def test_google_account_without_a_channel_is_account_missing_and_its_grant_withdrawn(
    connect, knobs, http, items
):
    knobs(next_user="noa@example.test", youtube_no_channel_items=items)

    with pytest.raises(AccountMissingError) as caught:
        connect(Platform.YOUTUBE)

    assert caught.value.kind == "account_missing"
    revocations = http.get("http://simulator.local/_sim/revocations").json()["revocations"]
    assert [(r["platform"], r["via"]) for r in revocations] == [("google", "oauth2/revoke")]


def test_refresh_keeps_the_old_refresh_token(connect, client, providers):
    tokens = connect(Platform.YOUTUBE)

    fresh = client.run(providers[Platform.YOUTUBE].refresh(tokens))

    assert fresh.access_token.reveal() != tokens.access_token.reveal()
    assert fresh.refresh_token == tokens.refresh_token
    assert fresh.account_id == tokens.account_id


def test_revoke_withdraws_the_grant_and_is_idempotent(connect, client, providers, http):
    provider = providers[Platform.YOUTUBE]
    tokens = connect(Platform.YOUTUBE)

    client.run(provider.revoke(tokens))
    client.run(provider.revoke(tokens))

    revocations = http.get("http://simulator.local/_sim/revocations").json()["revocations"]
    assert [r["via"] for r in revocations] == ["oauth2/revoke"]
    with pytest.raises(ReauthorizeError):
        client.run(provider.refresh(tokens))
    with pytest.raises(AccessTokenExpiredError):
        client.run(provider.profile(tokens))


def test_rounded_public_subscriber_count_is_read_as_given(connect, client, providers, creators, knobs):
    knobs(youtube_round_subscriber_count=True)
    tokens = connect(Platform.YOUTUBE)
    exact = account(creators(), "youtube", "anabakes")["followers"]

    profile = client.run(providers[Platform.YOUTUBE].profile(tokens))

    step = 10 ** (len(str(exact)) - 3)
    assert profile.followers == exact // step * step


def test_profile_matches_ground_truth(connect, client, providers, creators):
    tokens = connect(Platform.YOUTUBE)

    profile = client.run(providers[Platform.YOUTUBE].profile(tokens))

    truth = account(creators(), "youtube", "anabakes")
    assert (profile.account_id, profile.handle) == (truth["id"], "anabakes")
    assert profile.followers == truth["followers"]
    assert profile.posts_count == truth["post_count"]


def test_posts_walk_the_uploads_playlist_then_videos_in_batches_of_50(
    connect, client, providers, creators, recorded
):
    tokens = connect(Platform.YOUTUBE)

    posts = client.run(providers[Platform.YOUTUBE].posts(tokens))

    truth = account(creators(), "youtube", "anabakes")["posts"]
    assert [p.id for p in posts] == [p["id"] for p in truth]
    assert posts[0].metrics is not None
    assert posts[0].metrics.views == truth[0]["views"]
    pages = [r for r in recorded if r.url.path == "/youtube/v3/playlistItems"]
    assert all(r.url.params["maxResults"] == "50" for r in pages)
    videos = [r for r in recorded if r.url.path == "/youtube/v3/videos"]
    assert all(len(r.url.params["id"].split(",")) <= 50 for r in videos)


def test_posts_stop_at_the_newest_known_post(connect, client, providers, creators):
    tokens = connect(Platform.YOUTUBE)
    truth = [p["id"] for p in account(creators(), "youtube", "anabakes")["posts"]]

    posts = client.run(providers[Platform.YOUTUBE].posts(tokens, since_post_id=truth[3]))

    assert [p.id for p in posts] == truth[:3]


def test_post_metrics_match_ground_truth(connect, client, providers, creators):
    tokens = connect(Platform.YOUTUBE)
    truth = {p["id"]: p for p in account(creators(), "youtube", "anabakes")["posts"]}

    metrics = client.run(providers[Platform.YOUTUBE].post_metrics(tokens, list(truth)))

    assert set(metrics) == set(truth)
    some = next(iter(truth))
    assert (metrics[some].views, metrics[some].comments) == (truth[some]["views"], truth[some]["comments"])
    assert metrics[some].reach is None


def test_demographics_from_analytics_sum_to_one(connect, client, providers):
    tokens = connect(Platform.YOUTUBE)

    demographics = client.run(providers[Platform.YOUTUBE].demographics(tokens))

    assert demographics.available
    assert {s.key for s in demographics.genders} <= {"female", "male", "unspecified"}
    assert "65+" in {s.key for s in demographics.age_ranges} or len(demographics.age_ranges) > 3
    for shares in (demographics.genders, demographics.age_ranges, demographics.countries):
        assert sum(s.share for s in shares) == pytest.approx(1.0)
    assert demographics.share_of_country("US") is not None


def test_small_channel_demographics_are_below_threshold(connect, client, providers, knobs):
    knobs(next_user="kaicodes")
    tokens = connect(Platform.YOUTUBE)

    demographics = client.run(providers[Platform.YOUTUBE].demographics(tokens))

    assert demographics.unavailable_reason is DemographicsUnavailableReason.BELOW_THRESHOLD


def test_youtube_readonly_alone_is_enough_for_analytics(connect, client, providers):
    tokens = connect(Platform.YOUTUBE, sim_scope=[f"{YT}youtube.readonly"])

    assert client.run(providers[Platform.YOUTUBE].demographics(tokens)).available


def test_without_any_analytics_scope_demographics_say_permission_missing(connect, client, providers):
    tokens = dataclasses.replace(connect(Platform.YOUTUBE), scopes=frozenset())

    demographics = client.run(providers[Platform.YOUTUBE].demographics(tokens))

    assert demographics.unavailable_reason is DemographicsUnavailableReason.PERMISSION_MISSING


def test_missing_data_scope_is_permission_missing(connect, client, providers):
    tokens = connect(Platform.YOUTUBE, sim_scope=[f"{YT}yt-analytics.readonly"])

    with pytest.raises(PermissionMissingError):
        client.run(providers[Platform.YOUTUBE].profile(tokens))
