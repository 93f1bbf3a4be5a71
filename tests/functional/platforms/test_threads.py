"""Threads provider against the simulator."""

from __future__ import annotations

import pytest

from chalicelib.domain.platforms import DemographicsUnavailableReason, Platform
from chalicelib.platforms.base import ReauthorizeError
from tests.functional.platforms.conftest import account


@pytest.mark.parametrize("user_id_type", ["number", "string"])
def test_code_exchange_gives_a_long_lived_token_with_granted_scopes(connect, knobs, creators, user_id_type):
    knobs(threads_user_id_type=user_id_type)

    tokens = connect(Platform.THREADS)

    assert tokens.user_id == account(creators(), "threads", "ana.bakes")["id"]
    assert tokens.scopes == {"threads_basic", "threads_manage_insights"}
    assert tokens.refresh_token is None


def test_profile_posts_metrics_and_demographics(connect, client, providers, creators):
    provider = providers[Platform.THREADS]
    tokens = connect(Platform.THREADS)
    truth = account(creators(), "threads", "ana.bakes")

    profile = client.run(provider.profile(tokens))
    posts = client.run(provider.posts(tokens))
    metrics = client.run(provider.post_metrics(tokens, [posts[0].id]))
    demographics = client.run(provider.demographics(tokens))

    assert (profile.handle, profile.followers) == ("ana.bakes", truth["followers"])
    assert [p.id for p in posts] == [p["id"] for p in truth["posts"]]
    assert metrics[posts[0].id].likes == truth["posts"][0]["likes"]
    assert demographics.available


def test_small_account_demographics_are_below_threshold(connect, client, providers, knobs):
    knobs(next_user="ben.okafor")
    tokens = connect(Platform.THREADS)

    demographics = client.run(providers[Platform.THREADS].demographics(tokens))

    assert demographics.unavailable_reason is DemographicsUnavailableReason.BELOW_THRESHOLD


def test_refresh_needs_a_day_old_token_then_gives_a_new_one(connect, client, providers, http):
    tokens = connect(Platform.THREADS)
    http.post("http://simulator.local/_sim/advance", json={"days": 2})

    fresh = client.run(providers[Platform.THREADS].refresh(tokens))

    assert fresh.access_token.reveal() != tokens.access_token.reveal()


def test_revoked_token_asks_to_reauthorize(connect, client, providers, http):
    tokens = connect(Platform.THREADS)
    http.post("http://simulator.local/_sim/revoke", json={"platform": "threads", "user_id": tokens.user_id})

    client.run(providers[Platform.THREADS].revoke(tokens))  # no platform call exists; never fails
    with pytest.raises(ReauthorizeError):
        client.run(providers[Platform.THREADS].profile(tokens))
