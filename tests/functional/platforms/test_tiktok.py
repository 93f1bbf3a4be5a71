"""TikTok provider against the simulator: Login Kit with hex PKCE, rotation, revoke, Display API."""

from __future__ import annotations

import hashlib
import json
import urllib.parse

import pytest

from chalicelib.domain.platforms import DemographicsUnavailableReason, MediaType, Platform
from chalicelib.platforms.base import AccessTokenExpiredError, PermissionMissingError, ReauthorizeError
from tests.functional.platforms.conftest import REDIRECT, account

SCOPES = "user.info.basic,user.info.profile,user.info.stats,video.list"


def test_authorization_url_uses_client_key_comma_scopes_and_hex_pkce(providers):
    request = providers[Platform.TIKTOK].authorization_request("st-1")
    url = urllib.parse.urlsplit(request.url)
    params = dict(urllib.parse.parse_qsl(url.query))

    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://www.tiktok.com/v2/auth/authorize/"
    assert params["client_key"] == "sim-tiktok-client-key"
    assert params["scope"] == SCOPES
    assert params["redirect_uri"] == REDIRECT
    assert params["state"] == "st-1"
    assert params["code_challenge_method"] == "S256"
    assert request.code_verifier is not None
    assert params["code_challenge"] == hashlib.sha256(request.code_verifier.reveal().encode()).hexdigest()
    assert request.code_verifier.reveal() not in request.url


def test_code_exchange_returns_tokens_expiries_and_granted_scopes(connect, sim_clock):
    tokens = connect(Platform.TIKTOK)

    assert tokens.access_token.reveal().startswith("act.")
    assert tokens.refresh_token is not None
    assert tokens.scopes == frozenset(SCOPES.split(","))
    assert tokens.user_id.startswith("-000")
    assert tokens.expires_at is not None
    assert (tokens.expires_at - sim_clock()).total_seconds() == 7200
    assert "act." not in repr(tokens)


def test_refresh_rotates_the_refresh_token_and_the_old_one_dies(connect, client, providers):
    provider = providers[Platform.TIKTOK]
    tokens = connect(Platform.TIKTOK)

    fresh = client.run(provider.refresh(tokens))

    assert fresh.refresh_token is not None
    assert tokens.refresh_token is not None
    assert fresh.refresh_token.reveal() != tokens.refresh_token.reveal()
    assert fresh.access_token.reveal() != tokens.access_token.reveal()
    assert fresh.user_id == tokens.user_id
    with pytest.raises(ReauthorizeError):
        client.run(provider.refresh(tokens))
    assert client.run(provider.profile(fresh)).account_id == tokens.user_id


def test_refresh_keeps_the_refresh_token_when_not_rotated(connect, client, providers, knobs):
    knobs(tiktok_refresh_rotation=False)
    tokens = connect(Platform.TIKTOK)

    fresh = client.run(providers[Platform.TIKTOK].refresh(tokens))

    assert fresh.refresh_token is not None
    assert tokens.refresh_token is not None
    assert fresh.refresh_token.reveal() == tokens.refresh_token.reveal()


@pytest.mark.parametrize("keeps_clock", [False, True])
def test_refresh_token_expiry_follows_what_tiktok_says_each_time(
    connect, client, providers, knobs, http, keeps_clock
):
    knobs(tiktok_refresh_keeps_clock=keeps_clock)
    tokens = connect(Platform.TIKTOK)
    http.post("http://simulator.local/_sim/advance", json={"days": 10})

    fresh = client.run(providers[Platform.TIKTOK].refresh(tokens))

    assert tokens.refresh_expires_at is not None
    assert fresh.refresh_expires_at is not None
    moved = (fresh.refresh_expires_at - tokens.refresh_expires_at).days
    assert moved == (0 if keeps_clock else 10)


def test_revoke_kills_the_grant(connect, client, providers, http):
    provider = providers[Platform.TIKTOK]
    tokens = connect(Platform.TIKTOK)

    client.run(provider.revoke(tokens))

    revocations = http.get("http://simulator.local/_sim/revocations").json()["revocations"]
    assert [(r["platform"], r["via"]) for r in revocations] == [("tiktok", "oauth/revoke")]
    with pytest.raises(ReauthorizeError):
        client.run(provider.profile(tokens))


def test_revoke_of_an_expired_access_token_refreshes_first(connect, client, providers, http):
    tokens = connect(Platform.TIKTOK)
    http.post("http://simulator.local/_sim/expire", json={"platform": "tiktok"})

    client.run(providers[Platform.TIKTOK].revoke(tokens))

    revocations = http.get("http://simulator.local/_sim/revocations").json()["revocations"]
    assert len(revocations) == 1


def test_profile_matches_ground_truth(connect, client, providers, creators):
    tokens = connect(Platform.TIKTOK)

    profile = client.run(providers[Platform.TIKTOK].profile(tokens))

    truth = account(creators(), "tiktok", "mayamakes")
    assert profile.account_id == truth["id"]
    assert profile.handle == "mayamakes"
    assert profile.followers == truth["followers"]
    assert profile.posts_count == truth["post_count"]


def test_profile_with_a_partial_grant_leaves_counters_unknown(connect, client, providers):
    tokens = connect(Platform.TIKTOK, sim_scope=["user.info.basic", "user.info.profile", "video.list"])

    profile = client.run(providers[Platform.TIKTOK].profile(tokens))

    assert "user.info.stats" not in tokens.scopes
    assert profile.handle == "mayamakes"
    assert profile.followers is None


def test_posts_walk_every_page_once_newest_first(connect, client, providers, creators):
    tokens = connect(Platform.TIKTOK)

    posts = client.run(providers[Platform.TIKTOK].posts(tokens))

    truth = account(creators(), "tiktok", "mayamakes")["posts"]
    assert [p.id for p in posts] == [p["id"] for p in truth]
    assert len(truth) > 20
    assert all(p.media_type is MediaType.VIDEO for p in posts)
    assert posts[0].metrics is not None
    assert posts[0].metrics.views == truth[0]["views"]


def test_posts_stop_at_the_newest_known_post(connect, client, providers, creators):
    tokens = connect(Platform.TIKTOK)
    truth = [p["id"] for p in account(creators(), "tiktok", "mayamakes")["posts"]]

    posts = client.run(providers[Platform.TIKTOK].posts(tokens, since_post_id=truth[25]))

    assert [p.id for p in posts] == truth[:25]


def test_post_metrics_query_in_batches_of_twenty(connect, client, providers, creators, recorded):
    tokens = connect(Platform.TIKTOK)
    truth = {p["id"]: p for p in account(creators(), "tiktok", "mayamakes")["posts"]}

    metrics = client.run(providers[Platform.TIKTOK].post_metrics(tokens, [*truth, "7300000000000000000"]))

    seen = [
        len(json.loads(r.content)["filters"]["video_ids"])
        for r in recorded
        if r.url.path == "/v2/video/query/"
    ]

    assert set(metrics) == set(truth)
    assert max(seen) == 20
    assert sum(seen) == len(truth) + 1
    some = next(iter(truth))
    assert metrics[some].likes == truth[some]["likes"]
    assert metrics[some].saves is None


def test_demographics_are_not_offered_by_the_display_api(connect, client, providers):
    tokens = connect(Platform.TIKTOK)

    demographics = client.run(providers[Platform.TIKTOK].demographics(tokens))

    assert not demographics.available
    assert demographics.unavailable_reason is DemographicsUnavailableReason.NOT_OFFERED


def test_expired_access_token_asks_for_a_refresh(connect, client, providers, http):
    tokens = connect(Platform.TIKTOK)
    http.post("http://simulator.local/_sim/expire", json={"platform": "tiktok"})

    with pytest.raises(AccessTokenExpiredError):
        client.run(providers[Platform.TIKTOK].profile(tokens))


def test_missing_scope_is_permission_missing(connect, client, providers):
    tokens = connect(Platform.TIKTOK, sim_scope=["user.info.basic"])

    with pytest.raises(PermissionMissingError) as caught:
        client.run(providers[Platform.TIKTOK].posts(tokens))

    assert caught.value.platform_code == "scope_not_authorized"
