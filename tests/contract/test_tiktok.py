"""TikTok Login Kit v2 + Display API v2, as platforms/tiktok.md describes them."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
import pytest

from tests.contract.conftest import (
    REDIRECT,
    TIKTOK_KEY,
    TIKTOK_SECRET,
    VERIFIER,
    callback_params,
    tiktok_authorize_params,
)

API = "https://open.tiktokapis.com"
AUTHORIZE = "https://www.tiktok.com/v2/auth/authorize/"
VIDEO_FIELDS = "id,create_time,view_count,like_count,comment_count,share_count"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_call(client: httpx.Client, **data: str) -> httpx.Response:
    return client.post(
        f"{API}/v2/oauth/token/", data={"client_key": TIKTOK_KEY, "client_secret": TIKTOK_SECRET} | data
    )


def test_authorize_redirects_with_code_plural_scopes_and_state(client):
    cb = callback_params(client.get(AUTHORIZE, params=tiktok_authorize_params(scope="video.list")))
    assert cb["state"] == "st-1"
    assert cb["scopes"] == "user.info.basic,video.list"
    assert "*" in cb["code"]
    assert "!" in cb["code"]


def test_authorize_shows_error_page_for_unknown_client_key(client):
    response = client.get(AUTHORIZE, params=tiktok_authorize_params(client_key="nope"))
    assert response.status_code == 400
    assert "client_key" in response.text
    assert "location" not in response.headers


def test_authorize_shows_error_page_for_unregistered_redirect_uri(client):
    response = client.get(AUTHORIZE, params=tiktok_authorize_params(redirect_uri="https://evil.example/cb"))
    assert response.status_code == 400
    assert "redirect_uri" in response.text


def test_authorize_requires_code_challenge_when_web_pkce_knob_on(client):
    params = tiktok_authorize_params()
    del params["code_challenge"], params["code_challenge_method"]
    response = client.get(AUTHORIZE, params=params)
    assert response.status_code == 400
    assert "code_challenge" in response.text


def test_authorize_accepts_no_pkce_when_web_pkce_knob_off(client, knobs):
    knobs(tiktok_require_pkce_web=False)
    params = tiktok_authorize_params()
    del params["code_challenge"], params["code_challenge_method"]
    assert "code" in callback_params(client.get(AUTHORIZE, params=params))


def test_authorize_redirects_unsupported_response_type(client):
    cb = callback_params(client.get(AUTHORIZE, params=tiktok_authorize_params(response_type="token")))
    assert cb["error"] == "unsupported_response_type"
    assert cb["state"] == "st-1"


def test_code_exchange_returns_flat_token_json(tiktok_connect):
    body = tiktok_connect()
    assert set(body) == {
        "access_token",
        "expires_in",
        "open_id",
        "refresh_expires_in",
        "refresh_token",
        "scope",
        "token_type",
    }
    assert body["access_token"].startswith("act.")
    assert body["refresh_token"].startswith("rft.")
    assert (body["expires_in"], body["refresh_expires_in"]) == (7200, 15552000)
    assert body["token_type"] == "Bearer"


def test_code_exchange_with_base64url_verifier_is_invalid_request(client):
    cb = callback_params(client.get(AUTHORIZE, params=tiktok_authorize_params()))
    body = token_call(
        client,
        code=cb["code"],
        grant_type="authorization_code",
        redirect_uri=REDIRECT,
        code_verifier="x" * 43,
    ).json()
    assert body["error"] == "invalid_request"
    assert body["error_description"] == "Code verifier or code challenge is invalid."
    assert body["log_id"]


def test_code_is_single_use(client):
    cb = callback_params(client.get(AUTHORIZE, params=tiktok_authorize_params()))
    form = {
        "code": cb["code"],
        "grant_type": "authorization_code",
        "redirect_uri": REDIRECT,
        "code_verifier": VERIFIER,
    }
    assert token_call(client, **form).json()["access_token"]
    assert token_call(client, **form).json()["error"] == "invalid_grant"


def test_oauth_errors_use_http_status_from_knob(client, knobs):
    assert token_call(client, grant_type="refresh_token", refresh_token="rft.bad").status_code == 200
    knobs(tiktok_oauth_error_status=400)
    response = token_call(client, grant_type="refresh_token", refresh_token="rft.bad")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_wrong_client_secret_is_invalid_client(client):
    body = client.post(
        f"{API}/v2/oauth/token/",
        data={"client_key": TIKTOK_KEY, "client_secret": "x", "grant_type": "refresh_token"},
    ).json()
    assert body["error"] == "invalid_client"


def test_refresh_rotates_refresh_token_when_rotation_knob_on(client, tiktok_connect):
    first = tiktok_connect()
    second = token_call(client, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    reused = token_call(client, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert reused["error"] == "invalid_grant"


def test_refresh_returns_same_refresh_token_when_rotation_knob_off(client, knobs, tiktok_connect):
    knobs(tiktok_refresh_rotation=False, tiktok_token_profile="legacy")
    first = tiktok_connect()
    assert (first["expires_in"], first["refresh_expires_in"]) == (86400, 31536000)
    second = token_call(client, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert second["refresh_token"] == first["refresh_token"]


def test_rotated_refresh_token_restarts_or_keeps_the_refresh_clock_per_knob(client, knobs, tiktok_connect):
    first = tiktok_connect()
    client.post("http://simulator.local/_sim/advance", json={"days": 10})
    restarted = token_call(client, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert restarted["refresh_expires_in"] == first["refresh_expires_in"]
    knobs(tiktok_refresh_keeps_clock=True)
    client.post("http://simulator.local/_sim/advance", json={"days": 10})

    kept = token_call(client, grant_type="refresh_token", refresh_token=restarted["refresh_token"]).json()

    assert kept["refresh_token"] != restarted["refresh_token"]
    assert kept["refresh_expires_in"] == restarted["refresh_expires_in"] - 10 * 86400


def test_revoked_token_fails_user_info_with_access_token_invalid(client, tiktok_connect):
    tokens = tiktok_connect()
    revoke = client.post(
        f"{API}/v2/oauth/revoke/",
        data={"client_key": TIKTOK_KEY, "client_secret": TIKTOK_SECRET, "token": tokens["access_token"]},
    )
    assert revoke.status_code == 200
    response = client.get(
        f"{API}/v2/user/info/", params={"fields": "open_id"}, headers=bearer(tokens["access_token"])
    )
    assert response.status_code == 401
    assert response.json()["data"] == {}
    assert response.json()["error"]["code"] == "access_token_invalid"
    refreshed = token_call(client, grant_type="refresh_token", refresh_token=tokens["refresh_token"]).json()
    assert refreshed["error"] == "invalid_grant"
    log = client.get("http://simulator.local/_sim/revocations").json()["revocations"]
    assert [(r["platform"], r["user_id"]) for r in log] == [("tiktok", tokens["open_id"])]


def test_revoke_queues_signed_authorization_removed_webhook(client, tiktok_connect):
    tokens = tiktok_connect()
    client.post(
        f"{API}/v2/oauth/revoke/",
        data={"client_key": TIKTOK_KEY, "client_secret": TIKTOK_SECRET, "token": tokens["access_token"]},
    )
    (hook,) = client.get("http://simulator.local/_sim/webhooks").json()["webhooks"]
    payload = json.loads(hook["body"])
    assert payload["event"] == "authorization.removed"
    assert json.loads(payload["content"]) == {"reason": 5}
    parts = dict(p.split("=", 1) for p in hook["headers"]["TikTok-Signature"].split(","))
    mac = hmac.new(TIKTOK_SECRET.encode(), f"{parts['t']}.".encode() + hook["body"].encode(), hashlib.sha256)
    assert parts["s"] == mac.hexdigest()


def test_expired_access_token_fails_with_access_token_invalid(client, knobs, tiktok_connect):
    knobs(access_token_ttl_seconds=60)
    tokens = tiktok_connect()
    client.post("http://simulator.local/_sim/advance", json={"hours": 1})
    response = client.get(
        f"{API}/v2/user/info/", params={"fields": "open_id"}, headers=bearer(tokens["access_token"])
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "access_token_invalid"


def test_user_info_returns_only_requested_fields(client, tiktok_connect, creators):
    tokens = tiktok_connect()
    body = client.get(
        f"{API}/v2/user/info/",
        params={"fields": "open_id,display_name,follower_count,video_count"},
        headers=bearer(tokens["access_token"]),
    ).json()
    assert body["error"]["code"] == "ok"
    user = body["data"]["user"]
    truth = creators()["logins"][0]["accounts"][0]
    assert user == {
        "open_id": tokens["open_id"],
        "display_name": truth["name"],
        "follower_count": truth["followers"],
        "video_count": truth["post_count"],
    }


def test_user_info_stats_field_without_stats_scope_is_scope_permission_missed(client, tiktok_connect):
    tokens = tiktok_connect(scope="user.info.basic,video.list")
    response = client.get(
        f"{API}/v2/user/info/",
        params={"fields": "open_id,follower_count"},
        headers=bearer(tokens["access_token"]),
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "scope_permission_missed"


def test_video_list_without_video_list_scope_is_scope_not_authorized(client, tiktok_connect):
    tokens = tiktok_connect(scope="user.info.basic")
    response = client.post(
        f"{API}/v2/video/list/", params={"fields": "id"}, json={}, headers=bearer(tokens["access_token"])
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "scope_not_authorized"


def test_video_list_paging_walks_every_public_video_once_newest_first(client, tiktok_connect, creators):
    tokens = tiktok_connect()
    seen, cursor, pages = [], None, 0
    while True:
        body = {"max_count": 20} | ({"cursor": cursor} if cursor is not None else {})
        data = client.post(
            f"{API}/v2/video/list/",
            params={"fields": VIDEO_FIELDS},
            json=body,
            headers=bearer(tokens["access_token"]),
        ).json()["data"]
        seen += data["videos"]
        cursor, pages = data["cursor"], pages + 1
        if not data["has_more"]:
            break
    truth = {p["id"]: p for p in creators()["logins"][0]["accounts"][0]["posts"]}
    assert [v["id"] for v in seen] == list(truth)
    assert pages == 2
    assert all(v["view_count"] == truth[v["id"]]["views"] for v in seen)
    assert all(v["like_count"] == truth[v["id"]]["likes"] for v in seen)
    assert [v["create_time"] for v in seen] == sorted((v["create_time"] for v in seen), reverse=True)


def test_video_counters_grow_and_new_videos_appear_after_advance(client, tiktok_connect, creators):
    tokens = tiktok_connect()
    before = creators()["logins"][0]["accounts"][0]
    client.post("http://simulator.local/_sim/advance", json={"days": 5})
    after = creators()["logins"][0]["accounts"][0]
    assert after["post_count"] == before["post_count"] + 2
    assert after["followers"] > before["followers"]
    fresh = token_call(client, grant_type="refresh_token", refresh_token=tokens["refresh_token"]).json()
    body = client.post(
        f"{API}/v2/video/list/",
        params={"fields": VIDEO_FIELDS},
        json={"max_count": 1},
        headers=bearer(fresh["access_token"]),
    ).json()
    assert body["data"]["videos"][0]["id"] == after["posts"][0]["id"]
    assert body["data"]["videos"][0]["view_count"] == after["posts"][0]["views"]


def test_video_list_rejects_max_count_above_20(client, tiktok_connect):
    tokens = tiktok_connect()
    response = client.post(
        f"{API}/v2/video/list/",
        params={"fields": "id"},
        json={"max_count": 21},
        headers=bearer(tokens["access_token"]),
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_params"


def test_video_query_returns_own_videos_and_rejects_more_than_20_ids(client, tiktok_connect, creators):
    tokens = tiktok_connect()
    ids = [p["id"] for p in creators()["logins"][0]["accounts"][0]["posts"]]
    ok = client.post(
        f"{API}/v2/video/query/",
        params={"fields": "id,view_count"},
        json={"filters": {"video_ids": [*ids[:3], "7000000000000000000"]}},
        headers=bearer(tokens["access_token"]),
    ).json()
    assert [v["id"] for v in ok["data"]["videos"]] == ids[:3]
    assert (ok["data"]["cursor"], ok["data"]["has_more"]) == (0, False)
    too_many = client.post(
        f"{API}/v2/video/query/",
        params={"fields": "id"},
        json={"filters": {"video_ids": ids[:21]}},
        headers=bearer(tokens["access_token"]),
    )
    assert too_many.status_code == 400
    assert too_many.json()["error"]["code"] == "invalid_params"


def test_scripted_throttle_gives_429_rate_limit_exceeded_with_retry_after(client, knobs, tiktok_connect):
    tokens = tiktok_connect()
    knobs(throttle_next=1, retry_after_seconds=7)
    response = client.get(
        f"{API}/v2/user/info/", params={"fields": "open_id"}, headers=bearer(tokens["access_token"])
    )
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json()["error"]["code"] == "rate_limit_exceeded"
    again = client.get(
        f"{API}/v2/user/info/", params={"fields": "open_id"}, headers=bearer(tokens["access_token"])
    )
    assert again.status_code == 200


def test_per_minute_rate_limit_answers_429(client, knobs, tiktok_connect):
    tokens = tiktok_connect()
    knobs(tiktok_rate_limit_per_minute=2)
    codes = [
        client.get(
            f"{API}/v2/user/info/", params={"fields": "open_id"}, headers=bearer(tokens["access_token"])
        ).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]


def test_scripted_server_error_gives_500_internal_error(client, knobs, tiktok_connect):
    tokens = tiktok_connect()
    knobs(server_error_next=1)
    response = client.get(
        f"{API}/v2/user/info/", params={"fields": "open_id"}, headers=bearer(tokens["access_token"])
    )
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"


@pytest.mark.parametrize(
    ("mode", "error"), [("sleep", httpx.ReadTimeout), ("close", httpx.RemoteProtocolError)]
)
def test_scripted_timeout_raises_the_transport_error(client, knobs, mode, error):
    knobs(timeout_next=1, timeout_mode=mode)
    with pytest.raises(error):
        client.get(f"{API}/v2/user/info/", params={"fields": "open_id"})


def test_consent_page_lists_scopes_and_deny_redirects_with_access_denied(client, knobs):
    knobs(auto_approve=False)
    page = client.get(AUTHORIZE, params=tiktok_authorize_params())
    assert page.status_code == 200
    assert "video.list" in page.text
    assert "Approve" in page.text
    assert "Deny" in page.text
    form = tiktok_authorize_params() | {"decision": "deny"}
    cb = callback_params(client.post(AUTHORIZE, data=form))
    assert cb["error"] == "access_denied"
    assert cb["state"] == "st-1"
