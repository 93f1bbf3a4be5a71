"""Facebook Pages and Instagram (Facebook Login) against the simulator."""

from __future__ import annotations

import urllib.parse

import httpx
import pytest

from chalicelib.domain.platforms import DemographicsUnavailableReason, MediaType, Platform
from chalicelib.platforms.base import BadRequestError, PermissionMissingError, ReauthorizeError
from tests.functional.platforms.conftest import account


@pytest.fixture
def pick(connect, client, providers):
    """Log in with Facebook for ``platform`` and pick the connectable account named ``name``."""

    def run(platform, name, **consent):
        user_tokens = connect(platform, **consent)
        accounts = client.run(providers[platform].connectable_accounts(user_tokens))
        return next(a for a in accounts if a.name == name), accounts

    return run


def test_authorization_url_is_the_facebook_dialog_with_comma_scopes(providers):
    request = providers[Platform.INSTAGRAM].authorization_request("st-2")
    url = urllib.parse.urlsplit(request.url)
    params = dict(urllib.parse.parse_qsl(url.query))

    assert (url.netloc, url.path) == ("www.facebook.com", "/v25.0/dialog/oauth")
    assert (
        params["scope"] == "pages_show_list,pages_read_engagement,instagram_basic,instagram_manage_insights"
    )
    assert params["client_id"] == "1000000000000001"
    assert request.code_verifier is None


def test_code_exchange_gives_a_long_lived_user_token_with_granted_permissions(connect, sim_clock):
    tokens = connect(Platform.FACEBOOK)

    assert tokens.scopes >= {"pages_show_list", "pages_read_engagement", "read_insights"}
    assert tokens.expires_at is not None
    assert (tokens.expires_at - sim_clock()).days >= 59
    assert tokens.account_id is None


def test_connectable_pages_carry_non_expiring_page_tokens(pick, creators):
    page, pages = pick(Platform.FACEBOOK, "Ana Bakes")

    assert [p.name for p in pages] == ["Ana Bakes", "Ana Travels", "Souza Family Kitchen"]
    assert page.account_id == account(creators(), "facebook_page", "anabakes")["id"]
    assert page.tokens.expires_at is None
    assert page.tokens.refresh_token is not None


def test_connectable_instagram_accounts_are_those_linked_to_pages(pick, creators):
    ig, accounts = pick(Platform.INSTAGRAM, "Ana Bakes")

    assert [a.name for a in accounts] == ["Ana Bakes", "Ana Travels"]
    assert ig.account_id == account(creators(), "instagram", "ana.bakes")["id"]


def test_facebook_page_profile_posts_and_metrics_match_ground_truth(pick, client, providers, creators):
    provider = providers[Platform.FACEBOOK]
    page, _ = pick(Platform.FACEBOOK, "Ana Bakes")
    truth = account(creators(), "facebook_page", "anabakes")

    profile = client.run(provider.profile(page.tokens))
    posts = client.run(provider.posts(page.tokens))
    newer = client.run(provider.posts(page.tokens, since_post_id=truth["posts"][4]["id"]))
    metrics = client.run(provider.post_metrics(page.tokens, [p.id for p in posts[:5]]))

    assert (profile.account_id, profile.followers) == (truth["id"], truth["followers"])
    assert [p.id for p in posts] == [p["id"] for p in truth["posts"]]
    assert [p.id for p in newer] == [p["id"] for p in truth["posts"][:4]]
    first = truth["posts"][0]
    assert metrics[first["id"]].views == first["views"]
    assert metrics[first["id"]].reach == first["reach"]
    assert metrics[first["id"]].shares == first["shares"]
    assert client.run(provider.demographics(page.tokens)).unavailable_reason is (
        DemographicsUnavailableReason.NOT_OFFERED
    )


def test_instagram_profile_posts_and_metrics_match_ground_truth(pick, client, providers, creators, knobs):
    knobs(meta_empty_page_with_next=True)
    provider = providers[Platform.INSTAGRAM]
    ig, _ = pick(Platform.INSTAGRAM, "Ana Bakes")
    truth = account(creators(), "instagram", "ana.bakes")

    profile = client.run(provider.profile(ig.tokens))
    posts = client.run(provider.posts(ig.tokens))
    metrics = client.run(provider.post_metrics(ig.tokens, [p.id for p in posts[:3]] + ["17900000000000000"]))

    assert (profile.handle, profile.followers, profile.posts_count) == (
        "ana.bakes",
        truth["followers"],
        truth["post_count"],
    )
    assert [p.id for p in posts] == [p["id"] for p in truth["posts"]]
    assert {p.media_type for p in posts} <= {MediaType.IMAGE, MediaType.VIDEO, MediaType.CAROUSEL}
    first = truth["posts"][0]
    assert set(metrics) == {p.id for p in posts[:3]}
    assert (metrics[first["id"]].views, metrics[first["id"]].saves) == (first["views"], first["saves"])


def test_instagram_demographics_are_shares_of_followers(pick, client, providers):
    ig, _ = pick(Platform.INSTAGRAM, "Ana Bakes")

    demographics = client.run(providers[Platform.INSTAGRAM].demographics(ig.tokens))

    assert demographics.available
    assert {s.key for s in demographics.genders} <= {"female", "male", "unspecified"}
    assert sum(s.share for s in demographics.countries) == pytest.approx(1.0)


@pytest.mark.parametrize("with_13_17", [True, False])
def test_instagram_age_buckets_are_kept_as_given_with_or_without_13_17(
    pick, client, providers, knobs, with_13_17
):
    knobs(ig_demographics_age_13_17=with_13_17)
    ig, _ = pick(Platform.INSTAGRAM, "Ana Bakes")

    demographics = client.run(providers[Platform.INSTAGRAM].demographics(ig.tokens))

    ages = {s.key for s in demographics.age_ranges}
    assert ("13-17" in ages) is with_13_17
    assert {"18-24", "25-34", "65+"} <= ages
    assert sum(s.share for s in demographics.age_ranges) == pytest.approx(1.0)


@pytest.mark.parametrize("below_threshold", ["empty", "error"])
@pytest.mark.parametrize("dimension_keys", ["breakdown", "timeframe_and_breakdown"])
def test_small_instagram_account_demographics_are_below_threshold(
    pick, client, providers, knobs, below_threshold, dimension_keys
):
    knobs(ig_demographics_below_threshold=below_threshold, ig_demographics_dimension_keys=dimension_keys)
    small, _ = pick(Platform.INSTAGRAM, "Ana Travels")
    big, _ = pick(Platform.INSTAGRAM, "Ana Bakes")

    assert client.run(providers[Platform.INSTAGRAM].demographics(small.tokens)).unavailable_reason is (
        DemographicsUnavailableReason.BELOW_THRESHOLD
    )
    assert client.run(providers[Platform.INSTAGRAM].demographics(big.tokens)).available


def test_refresh_extends_the_user_token_and_mints_the_page_token_again(pick, client, providers):
    page, _ = pick(Platform.FACEBOOK, "Ana Bakes")

    fresh = client.run(providers[Platform.FACEBOOK].refresh(page.tokens))

    assert fresh.account_id == page.account_id
    assert fresh.refresh_token is not None
    assert fresh.refresh_token.reveal() != page.tokens.refresh_token.reveal()
    assert client.run(providers[Platform.FACEBOOK].profile(fresh)).account_id == page.account_id


def advance(http: httpx.Client, days: int) -> None:
    assert http.post("http://simulator.local/_sim/advance", json={"days": days}).status_code == 200


def test_refresh_that_does_not_extend_the_user_token_stops_renewing_it(pick, client, providers, knobs, http):
    # GIVEN Meta re-exchanges a long-lived user token without extending it (meta.md §1.3 [U])
    knobs(meta_reexchange_expiry="unchanged")
    page, _ = pick(Platform.FACEBOOK, "Ana Bakes")
    # WHEN the sweep refreshes a week before the user token dies
    advance(http, 53)
    fresh = client.run(providers[Platform.FACEBOOK].refresh(page.tokens))

    # THEN the user token is kept (to revoke with) but no longer scheduled for renewal
    assert fresh.refresh_token is not None
    assert fresh.refresh_expires_at is None
    assert fresh.expires_at is None
    assert client.run(providers[Platform.FACEBOOK].profile(fresh)).account_id == page.account_id


def test_refresh_on_the_default_reading_keeps_renewing_the_user_token(
    pick, client, providers, sim_clock, http
):
    page, _ = pick(Platform.FACEBOOK, "Ana Bakes")
    advance(http, 53)

    fresh = client.run(providers[Platform.FACEBOOK].refresh(page.tokens))

    assert fresh.refresh_expires_at is not None
    assert (fresh.refresh_expires_at - sim_clock()).days >= 59


@pytest.mark.parametrize("reexchange", ["extended", "unchanged"])
@pytest.mark.parametrize("platform", [Platform.FACEBOOK, Platform.INSTAGRAM])
def test_connection_outlives_its_dead_user_token_on_its_page_token(
    pick, client, providers, knobs, http, reexchange, platform
):
    knobs(meta_reexchange_expiry=reexchange)
    connected, _ = pick(platform, "Ana Bakes")
    advance(http, 61)  # the 60-day user token is dead; the Page token never expires

    fresh = client.run(providers[platform].refresh(connected.tokens))

    assert fresh.access_token == connected.tokens.access_token
    assert (fresh.refresh_token, fresh.refresh_expires_at, fresh.expires_at) == (None, None, None)
    assert client.run(providers[platform].profile(fresh)).account_id == connected.account_id
    assert client.run(providers[platform].refresh(fresh)) == fresh
    with pytest.raises(ReauthorizeError):
        client.run(providers[platform].revoke(fresh))  # nothing left to revoke with: say so


def test_dead_user_token_and_dead_page_token_need_reauthorization(pick, client, providers, creators, http):
    page, _ = pick(Platform.FACEBOOK, "Ana Bakes")
    ana = next(x for x in creators()["logins"] if x["platform"] == "meta")
    http.post(
        "http://simulator.local/_sim/revoke",
        json={"platform": "meta", "user_id": ana["user_id"], "reason": "password_changed"},
    )

    with pytest.raises(ReauthorizeError) as caught:
        client.run(providers[Platform.FACEBOOK].refresh(page.tokens))
    assert caught.value.platform_subcode == "460"


def test_revoke_deletes_permissions_and_every_token_dies(pick, client, providers, http):
    ig, _ = pick(Platform.INSTAGRAM, "Ana Bakes")
    provider = providers[Platform.INSTAGRAM]

    client.run(provider.revoke(ig.tokens))
    client.run(provider.revoke(ig.tokens))

    revocations = http.get("http://simulator.local/_sim/revocations").json()["revocations"]
    assert [r["via"] for r in revocations] == ["DELETE /me/permissions"]
    with pytest.raises(ReauthorizeError) as caught:
        client.run(provider.profile(ig.tokens))
    assert caught.value.platform_code == "190"


def test_data_before_picking_an_account_is_a_bad_request(connect, client, providers):
    with pytest.raises(BadRequestError):
        client.run(providers[Platform.FACEBOOK].profile(connect(Platform.FACEBOOK)))


def test_missing_permission_is_permission_missing(pick, client, providers):
    page, _ = pick(Platform.FACEBOOK, "Ana Bakes", sim_scope=["pages_show_list", "read_insights"])

    with pytest.raises(PermissionMissingError):
        client.run(providers[Platform.FACEBOOK].posts(page.tokens))


def test_instagram_without_insights_permission_reports_it(pick, client, providers):
    ig, _ = pick(Platform.INSTAGRAM, "Ana Bakes", sim_scope=["pages_show_list", "instagram_basic"])

    demographics = client.run(providers[Platform.INSTAGRAM].demographics(ig.tokens))

    assert demographics.unavailable_reason is DemographicsUnavailableReason.PERMISSION_MISSING
