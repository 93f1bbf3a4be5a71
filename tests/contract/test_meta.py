"""Facebook Login, Pages, Instagram (via Facebook Login) and Graph errors, per platforms/meta.md."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from tests.contract.conftest import META_APP, META_SECRET, REDIRECT, callback_params

GRAPH = "https://graph.facebook.com/v25.0"
DIALOG = "https://www.facebook.com/v25.0/dialog/oauth"


def graph_get(client: httpx.Client, path: str, token: str, **params: str) -> httpx.Response:
    return client.get(f"{GRAPH}/{path}", params={"access_token": token} | params)


def ana_pages(client: httpx.Client, token: str) -> Any:
    return graph_get(
        client, "me/accounts", token, fields="id,name,access_token,instagram_business_account"
    ).json()


def test_dialog_shows_error_page_for_unknown_app_id(client):
    response = client.get(DIALOG, params={"client_id": "999", "redirect_uri": REDIRECT})
    assert response.status_code == 400
    assert "Invalid App ID" in response.text


def test_dialog_blocks_unregistered_redirect_uri(client):
    response = client.get(DIALOG, params={"client_id": META_APP, "redirect_uri": "https://evil.example/cb"})
    assert "URL Blocked" in response.text
    assert "location" not in response.headers


def test_dialog_redirects_with_code_state_and_hash_fragment(client):
    response = client.get(DIALOG, params={"client_id": META_APP, "redirect_uri": REDIRECT, "state": "s"})
    assert response.headers["location"].endswith("#_=_")
    assert callback_params(response)["state"] == "s"


def test_denied_dialog_redirects_with_user_denied(client, knobs):
    knobs(auto_approve=False)
    params = {"client_id": META_APP, "redirect_uri": REDIRECT, "state": "s", "scope": "pages_show_list"}
    cb = callback_params(client.post(DIALOG, data=params | {"decision": "deny"}))
    assert cb == {
        "error_reason": "user_denied",
        "error": "access_denied",
        "error_description": "Permissions error",
        "state": "s",
    }


def test_code_exchange_errors_follow_graph_envelope(client):
    cb = callback_params(client.get(DIALOG, params={"client_id": META_APP, "redirect_uri": REDIRECT}))
    exchange = {"client_id": META_APP, "client_secret": META_SECRET, "code": cb["code"]}
    mismatch = client.get(
        f"{GRAPH}/oauth/access_token", params=exchange | {"redirect_uri": REDIRECT + "x"}
    ).json()
    assert (mismatch["error"]["code"], mismatch["error"]["error_subcode"]) == (100, 36008)
    ok = client.get(f"{GRAPH}/oauth/access_token", params=exchange | {"redirect_uri": REDIRECT}).json()
    assert ok["token_type"] == "bearer"
    assert ok["access_token"].startswith("EAA")
    used = client.get(f"{GRAPH}/oauth/access_token", params=exchange | {"redirect_uri": REDIRECT})
    assert used.status_code == 400
    assert used.json()["error"]["error_subcode"] == 36009
    assert used.json()["error"]["type"] == "OAuthException"
    assert used.json()["error"]["fbtrace_id"]


def test_wrong_app_secret_is_code_1(client):
    body = client.get(
        f"{GRAPH}/oauth/access_token", params={"client_id": META_APP, "client_secret": "x", "code": "c"}
    ).json()
    assert body["error"]["code"] == 1


def test_long_lived_exchange_returns_a_different_60_day_token(client, meta_connect):
    token = meta_connect()
    debug = client.get(
        f"{GRAPH}/debug_token", params={"input_token": token, "access_token": f"{META_APP}|{META_SECRET}"}
    ).json()["data"]
    assert debug["is_valid"] is True
    assert debug["type"] == "USER"
    assert debug["expires_at"] - debug["issued_at"] == 5183944
    assert "pages_show_list" in debug["scopes"]


def debug(client: httpx.Client, token: str) -> Any:
    return client.get(
        f"{GRAPH}/debug_token", params={"input_token": token, "access_token": f"{META_APP}|{META_SECRET}"}
    ).json()["data"]


def reexchange(client: httpx.Client, token: str) -> Any:
    return client.get(
        f"{GRAPH}/oauth/access_token",
        params={
            "grant_type": "fb_exchange_token",
            "client_id": META_APP,
            "client_secret": META_SECRET,
            "fb_exchange_token": token,
        },
    ).json()


def test_reexchanging_a_long_lived_token_gives_a_fresh_60_days_by_default(client, meta_connect):
    token = meta_connect()
    first = debug(client, token)
    client.post("http://simulator.local/_sim/advance", json={"days": 10})

    again = reexchange(client, token)

    assert again["access_token"] != token
    assert again["expires_in"] == 5183944
    assert debug(client, again["access_token"])["expires_at"] == first["expires_at"] + 10 * 86400


def test_reexchanging_a_long_lived_token_may_keep_its_expiry_per_knob(client, knobs, meta_connect):
    knobs(meta_reexchange_expiry="unchanged")
    token = meta_connect()  # the short code-flow token is still exchanged for a full 60 days
    first = debug(client, token)
    assert first["expires_at"] - first["issued_at"] == 5183944
    client.post("http://simulator.local/_sim/advance", json={"days": 10})

    again = reexchange(client, token)

    assert again["access_token"] != token  # a different string all the same (meta.md §1.3)
    assert again["expires_in"] == 5183944 - 10 * 86400
    assert debug(client, again["access_token"])["expires_at"] == first["expires_at"]


def test_page_token_outlives_the_user_token_it_was_minted_with(client, meta_connect):
    token = meta_connect()
    page_token = ana_pages(client, token)["data"][0]["access_token"]
    client.post("http://simulator.local/_sim/advance", json={"days": 61})

    assert graph_get(client, "me", token).json()["error"]["error_subcode"] == 463
    assert graph_get(client, "me", page_token, fields="id").status_code == 200


def test_me_accounts_lists_every_page_with_a_never_expiring_page_token(client, meta_connect):
    token = meta_connect()
    pages = ana_pages(client, token)["data"]
    assert [p["name"] for p in pages] == ["Ana Bakes", "Ana Travels", "Souza Family Kitchen"]
    assert [("instagram_business_account" in p) for p in pages] == [True, True, False]
    page_debug = client.get(
        f"{GRAPH}/debug_token",
        params={"input_token": pages[0]["access_token"], "access_token": f"{META_APP}|{META_SECRET}"},
    ).json()["data"]
    assert (page_debug["type"], page_debug["expires_at"], page_debug["profile_id"]) == (
        "PAGE",
        0,
        pages[0]["id"],
    )


def test_expired_token_is_190_subcode_463(client, knobs, meta_connect):
    knobs(access_token_ttl_seconds=10)
    token = meta_connect()
    client.post("http://simulator.local/_sim/advance", json={"hours": 1})
    error = graph_get(client, "me", token).json()["error"]
    assert (error["code"], error["error_subcode"]) == (190, 463)
    assert error["message"].startswith("Error validating access token: Session has expired on")


def test_delete_permissions_revokes_and_later_calls_fail_190_458(client, meta_connect):
    token = meta_connect()
    me = graph_get(client, "me", token).json()
    assert client.delete(f"{GRAPH}/me/permissions", params={"access_token": token}).json() == {
        "success": True
    }
    error = graph_get(client, "me", token).json()["error"]
    assert (error["code"], error["error_subcode"]) == (190, 458)
    log = client.get("http://simulator.local/_sim/revocations").json()["revocations"]
    assert [(r["platform"], r["user_id"]) for r in log] == [("meta", me["id"])]


def test_unknown_field_and_unknown_node_errors(client, meta_connect):
    token = meta_connect()
    field = graph_get(client, "me", token, fields="id,nope").json()["error"]
    assert field["message"] == "(#100) Tried accessing nonexisting field (nope) on node type (User)"
    node = graph_get(client, "123456", token).json()["error"]
    assert (node["code"], node["error_subcode"]) == (100, 33)


def test_ig_user_node_matches_ground_truth(client, meta_connect, creators):
    token = meta_connect()
    ig_id = ana_pages(client, token)["data"][0]["instagram_business_account"]["id"]
    node = graph_get(client, ig_id, token, fields="id,username,followers_count,media_count").json()
    truth = next(a for lg in creators()["logins"] for a in lg["accounts"] if a["id"] == ig_id)
    assert (
        node
        == {
            "id": ig_id,
            "username": "ana.bakes",
            "followers_count": truth["followers"],
            "media_count": truth["post_count"],
        }
        or truth["platform"] == "instagram"
    )


def test_ig_media_paging_walks_every_post_once_and_omits_next_on_last_page(client, meta_connect, creators):
    token = meta_connect()
    ig_id = ana_pages(client, token)["data"][0]["instagram_business_account"]["id"]
    seen, params = [], {"fields": "id,like_count,comments_count,timestamp,media_type", "limit": "7"}
    while True:
        body = graph_get(client, f"{ig_id}/media", token, **params).json()
        seen += body["data"]
        if "next" not in body["paging"]:
            assert "cursors" in body["paging"]
            break
        params["after"] = body["paging"]["cursors"]["after"]
    truth = _ig_truth(creators, ig_id)
    assert [m["id"] for m in seen] == [p["id"] for p in truth["posts"]]
    assert all(m["like_count"] == p["likes"] for m, p in zip(seen, truth["posts"], strict=True))


def _ig_truth(creators: Callable[[], dict[str, Any]], ig_id: str) -> Any:
    return next(a for lg in creators()["logins"] for a in lg["accounts"] if a["id"] == ig_id)


def test_empty_page_with_next_knob_still_reaches_every_post(client, knobs, meta_connect, creators):
    knobs(meta_empty_page_with_next=True)
    token = meta_connect()
    ig_id = ana_pages(client, token)["data"][0]["instagram_business_account"]["id"]
    seen, params, empty_pages = [], {"limit": "10"}, 0
    while True:
        body = graph_get(client, f"{ig_id}/media", token, **params).json()
        seen += body["data"]
        empty_pages += not body["data"]
        if "next" not in body.get("paging", {}):
            break
        params["after"] = body["paging"]["cursors"]["after"]
    assert empty_pages >= 1
    assert len(seen) == len({m["id"] for m in seen}) == len(_ig_truth(creators, ig_id)["posts"])


def test_media_insights_reject_deprecated_and_wrong_product_type_metrics(client, meta_connect):
    token = meta_connect()
    ig_id = ana_pages(client, token)["data"][0]["instagram_business_account"]["id"]
    media = graph_get(client, f"{ig_id}/media", token, fields="id,media_product_type", limit="50").json()[
        "data"
    ]
    feed = next(m for m in media if m["media_product_type"] == "FEED")
    ok = graph_get(client, f"{feed['id']}/insights", token, metric="views,reach,likes").json()["data"]
    assert [(m["name"], m["period"]) for m in ok] == [
        ("views", "lifetime"),
        ("reach", "lifetime"),
        ("likes", "lifetime"),
    ]
    deprecated = graph_get(client, f"{feed['id']}/insights", token, metric="impressions").json()["error"]
    assert deprecated["code"] == 100
    assert "impressions" in deprecated["message"]
    wrong = graph_get(client, f"{feed['id']}/insights", token, metric="ig_reels_avg_watch_time").json()[
        "error"
    ]
    assert "does not support the ig_reels_avg_watch_time metric" in wrong["message"]


def demographics(client: httpx.Client, token: str, ig_id: str, **extra: str) -> httpx.Response:
    params = {
        "metric": "follower_demographics",
        "period": "lifetime",
        "metric_type": "total_value",
        "timeframe": "this_month",
        "breakdown": "age",
    } | extra
    return graph_get(client, f"{ig_id}/insights", token, **params)


def test_follower_demographics_give_age_buckets(client, meta_connect):
    token = meta_connect()
    ig_id = ana_pages(client, token)["data"][0]["instagram_business_account"]["id"]
    (item,) = demographics(client, token, ig_id).json()["data"]
    breakdown = item["total_value"]["breakdowns"][0]
    assert breakdown["dimension_keys"] == ["age"]
    assert {r["dimension_values"][0] for r in breakdown["results"]} <= {
        "13-17",
        "18-24",
        "25-34",
        "35-44",
        "45-54",
        "55-64",
        "65+",
    }


def test_thirteen_to_seventeen_age_bucket_is_present_or_absent_per_knob(client, knobs, meta_connect):
    token = meta_connect()
    ig_id = ana_pages(client, token)["data"][0]["instagram_business_account"]["id"]

    def ages() -> set[str]:
        (item,) = demographics(client, token, ig_id).json()["data"]
        return {r["dimension_values"][0] for r in item["total_value"]["breakdowns"][0]["results"]}

    assert "13-17" in ages()
    knobs(ig_demographics_age_13_17=False)
    without = ages()
    assert "13-17" not in without
    assert "18-24" in without


def test_engaged_audience_threshold_counts_engagements_or_followers_per_knob(client, knobs, meta_connect):
    # Ben's Instagram account: ~9.8k followers but fewer than 100 engagements in the last week.
    knobs(next_user="ben@example.test")
    token = meta_connect()
    ig_id = ana_pages(client, token)["data"][0]["instagram_business_account"]["id"]

    def engaged() -> httpx.Response:
        return demographics(
            client, token, ig_id, metric="engaged_audience_demographics", timeframe="this_week"
        )

    assert engaged().json() == {"data": []}
    knobs(ig_demographics_below_threshold="error")
    withheld = engaged()
    assert (withheld.status_code, withheld.json()["error"]["code"]) == (400, 100)
    assert "fewer than 100 engagements" in withheld.json()["error"]["message"]
    assert demographics(client, token, ig_id, timeframe="this_week").status_code == 200
    knobs(ig_engaged_demographics_threshold="followers")
    (item,) = engaged().json()["data"]
    assert item["name"] == "engaged_audience_demographics"
    assert item["total_value"]["breakdowns"][0]["results"]


def test_follower_demographics_below_100_followers_is_empty_or_error_per_knob(client, knobs, meta_connect):
    token = meta_connect()
    small_ig = ana_pages(client, token)["data"][1]["instagram_business_account"]["id"]
    assert demographics(client, token, small_ig).json() == {"data": []}
    knobs(ig_demographics_below_threshold="error")
    response = demographics(client, token, small_ig)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 100


def test_follower_demographics_require_timeframe(client, meta_connect):
    token = meta_connect()
    ig_id = ana_pages(client, token)["data"][0]["instagram_business_account"]["id"]
    params = {
        "metric": "follower_demographics",
        "period": "lifetime",
        "metric_type": "total_value",
        "breakdown": "age",
    }
    assert graph_get(client, f"{ig_id}/insights", token, **params).json()["error"]["code"] == 100


def test_page_feed_and_insights_need_a_page_token(client, meta_connect):
    token = meta_connect()
    page = ana_pages(client, token)["data"][0]
    user_call = graph_get(client, f"{page['id']}/insights", token, metric="page_follows").json()["error"]
    assert user_call["message"] == "(#190) This method must be called with a Page Access Token"
    insights = graph_get(
        client,
        f"{page['id']}/insights",
        page["access_token"],
        metric="page_follows,page_media_view",
        period="day",
    ).json()["data"]
    assert [m["name"] for m in insights] == ["page_follows", "page_media_view"]
    assert all("end_time" in v for v in insights[0]["values"])
    no_metric = graph_get(client, f"{page['id']}/insights", page["access_token"]).json()["error"]
    assert (no_metric["code"], no_metric["error_subcode"]) == (3001, 1504028)
    feed = graph_get(client, f"{page['id']}/feed", page["access_token"], limit="5").json()
    assert len(feed["data"]) == 5
    assert "next" in feed["paging"]
    post_id = feed["data"][0]["id"]
    assert post_id.startswith(page["id"] + "_")
    post = graph_get(client, f"{post_id}/insights", page["access_token"], metric="post_media_view").json()[
        "data"
    ]
    assert post[0]["period"] == "lifetime"


def test_deprecated_page_metric_is_rejected(client, meta_connect):
    page = ana_pages(client, meta_connect())["data"][0]
    error = graph_get(client, f"{page['id']}/insights", page["access_token"], metric="page_fans").json()[
        "error"
    ]
    assert error["code"] == 100


def test_usage_headers_and_app_throttling(client, knobs, meta_connect):
    token = meta_connect()
    ig_id = ana_pages(client, token)["data"][0]["instagram_business_account"]["id"]
    response = graph_get(client, ig_id, token)
    assert set(json.loads(response.headers["X-App-Usage"])) == {"call_count", "total_cputime", "total_time"}
    buc = json.loads(response.headers["X-Business-Use-Case-Usage"])
    assert buc[ig_id][0]["type"] == "instagram"
    knobs(meta_app_calls_per_hour=2)
    error = graph_get(client, ig_id, token).json()["error"]
    assert error["code"] == 4


def test_scripted_server_error_is_graph_transient_error(client, knobs, meta_connect):
    token = meta_connect()
    knobs(server_error_next=1)
    response = graph_get(client, "me", token)
    assert response.status_code == 500
    assert response.json()["error"]["is_transient"] is True
