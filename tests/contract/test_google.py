"""Google OAuth, YouTube Data API v3 and YouTube Analytics v2, per platforms/youtube.md."""

from __future__ import annotations

import httpx

from tests.contract.conftest import GOOGLE_ID, GOOGLE_SECRET, REDIRECT, YT, callback_params

AUTH = "https://accounts.google.com/o/oauth2/v2/auth"
TOKEN = "https://oauth2.googleapis.com/token"
DATA = "https://www.googleapis.com/youtube/v3"
REPORTS = "https://youtubeanalytics.googleapis.com/v2/reports"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def auth_params(**overrides: str) -> dict[str, str]:
    base = {
        "client_id": GOOGLE_ID,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": f"{YT}youtube.readonly",
    }
    return base | overrides


def test_authorize_errors_are_shown_on_googles_page(client):
    assert "invalid_client" in client.get(AUTH, params=auth_params(client_id="x")).text
    mismatch = client.get(AUTH, params=auth_params(redirect_uri="https://evil.example/cb"))
    assert (mismatch.status_code, "redirect_uri_mismatch" in mismatch.text) == (400, True)
    assert "invalid_scope" in client.get(AUTH, params=auth_params(scope="bogus")).text


def test_callback_carries_space_separated_granted_scopes(client):
    cb = callback_params(
        client.get(AUTH, params=auth_params(state="g", scope=f"{YT}youtube.readonly openid"))
    )
    assert cb["scope"] == f"{YT}youtube.readonly openid"
    assert cb["state"] == "g"
    assert cb["code"].startswith("4/0A")


def test_refresh_token_only_on_first_offline_consent_unless_prompt_consent(google_connect):
    first = google_connect()
    assert first["access_token"].startswith("ya29.")
    assert first["expires_in"] == 3599
    assert first["refresh_token"].startswith("1//")
    assert "refresh_token" not in google_connect()
    assert "refresh_token" in google_connect(prompt="consent")


def test_pkce_verifier_mismatch_is_invalid_grant(client):
    challenge = "A" * 43
    cb = callback_params(
        client.get(AUTH, params=auth_params(code_challenge=challenge, code_challenge_method="S256"))
    )
    response = client.post(
        TOKEN,
        data={
            "code": cb["code"],
            "client_id": GOOGLE_ID,
            "client_secret": GOOGLE_SECRET,
            "redirect_uri": REDIRECT,
            "grant_type": "authorization_code",
            "code_verifier": "B" * 43,
        },
    )
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "Invalid code verifier."}


def test_refresh_keeps_refresh_token_and_revoke_kills_the_grant(client, google_connect):
    tokens = google_connect()
    form = {
        "client_id": GOOGLE_ID,
        "client_secret": GOOGLE_SECRET,
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
    }
    refreshed = client.post(TOKEN, data=form).json()
    assert "refresh_token" not in refreshed
    assert refreshed["token_type"] == "Bearer"
    assert (
        client.post(
            "https://oauth2.googleapis.com/revoke", params={"token": tokens["refresh_token"]}
        ).status_code
        == 200
    )
    dead = client.post(TOKEN, data=form)
    assert dead.json() == {
        "error": "invalid_grant",
        "error_description": "Token has been expired or revoked.",
    }
    data = client.get(
        f"{DATA}/channels", params={"part": "id", "mine": "true"}, headers=bearer(refreshed["access_token"])
    )
    assert data.status_code == 401
    assert data.json()["error"]["errors"][0]["reason"] == "authError"
    again = client.post("https://oauth2.googleapis.com/revoke", params={"token": tokens["refresh_token"]})
    assert (again.status_code, again.json()["error"]) == (400, "invalid_token")


def test_login_hint_picks_the_consenting_account(client, google_connect):
    tokens = google_connect(login_hint="kai@example.test")
    channels = client.get(
        f"{DATA}/channels", params={"part": "snippet", "mine": "true"}, headers=bearer(tokens["access_token"])
    ).json()
    assert channels["items"][0]["snippet"]["title"] == "Kai Codes"


def test_google_account_without_a_channel_lists_no_channel_in_either_shape(client, knobs, google_connect):
    tokens = google_connect(login_hint="noa@example.test")

    def mine() -> dict[str, object]:
        response = client.get(
            f"{DATA}/channels", params={"part": "id", "mine": "true"}, headers=bearer(tokens["access_token"])
        )
        assert response.status_code == 200
        return dict(response.json())

    omitted = mine()
    assert omitted["pageInfo"] == {"totalResults": 0, "resultsPerPage": 5}
    assert "items" not in omitted
    knobs(youtube_no_channel_items="empty_list")
    assert mine()["items"] == []


def test_subscriber_count_is_exact_or_rounded_to_three_figures_per_knob(
    client, knobs, google_connect, creators
):
    token = google_connect()["access_token"]
    truth = next(
        a
        for lg in creators()["logins"]
        for a in lg["accounts"]
        if a["platform"] == "youtube" and a["followers"] > 1000
    )

    def subscribers() -> str:
        body = client.get(
            f"{DATA}/channels", params={"part": "statistics", "mine": "true"}, headers=bearer(token)
        ).json()
        return str(body["items"][0]["statistics"]["subscriberCount"])

    assert subscribers() == str(truth["followers"])
    knobs(youtube_round_subscriber_count=True)
    rounded = subscribers()
    assert len(rounded.rstrip("0")) <= 3
    assert rounded[:3] == str(truth["followers"])[:3]


def test_channel_uploads_and_videos_walk_every_video_once_with_string_counters(
    client, google_connect, creators
):
    token = google_connect()["access_token"]
    channel = client.get(
        f"{DATA}/channels",
        params={"part": "contentDetails,statistics", "mine": "true"},
        headers=bearer(token),
    ).json()["items"][0]
    uploads = channel["contentDetails"]["relatedPlaylists"]["uploads"]
    assert uploads == "UU" + channel["id"][2:]
    ids, params = [], {"part": "contentDetails", "playlistId": uploads, "maxResults": "20"}
    while True:
        page = client.get(f"{DATA}/playlistItems", params=params, headers=bearer(token)).json()
        ids += [item["contentDetails"]["videoId"] for item in page["items"]]
        if "nextPageToken" not in page:
            break
        params["pageToken"] = page["nextPageToken"]
    truth = next(a for lg in creators()["logins"] for a in lg["accounts"] if a["id"] == channel["id"])
    assert ids == [p["id"] for p in truth["posts"]]
    assert channel["statistics"]["subscriberCount"] == str(truth["followers"])
    videos = client.get(
        f"{DATA}/videos",
        params={"part": "statistics", "id": ",".join([*ids[:5], "unknownvid00"])},
        headers=bearer(token),
    ).json()
    assert [v["id"] for v in videos["items"]] == ids[:5]
    assert videos["items"][0]["statistics"]["viewCount"] == str(truth["posts"][0]["views"])


def test_data_api_parameter_and_scope_errors(client, google_connect):
    token = google_connect()["access_token"]
    missing = client.get(f"{DATA}/channels", params={"mine": "true"}, headers=bearer(token))
    assert (missing.status_code, missing.json()["error"]["errors"][0]["reason"]) == (
        400,
        "missingRequiredParameter",
    )
    too_many = client.get(
        f"{DATA}/videos", params={"part": "id", "id": ",".join(["x"] * 51)}, headers=bearer(token)
    )
    assert too_many.status_code == 400
    bad_max = client.get(
        f"{DATA}/playlistItems",
        params={"part": "id", "playlistId": "UUx", "maxResults": "51"},
        headers=bearer(token),
    )
    assert bad_max.status_code == 400
    analytics_only = google_connect(scope=f"{YT}yt-analytics.readonly")["access_token"]
    denied = client.get(
        f"{DATA}/channels", params={"part": "id", "mine": "true"}, headers=bearer(analytics_only)
    )
    assert denied.status_code == 403
    assert denied.json()["error"]["status"] == "PERMISSION_DENIED"


def report(client: httpx.Client, token: str, **params: str) -> httpx.Response:
    base = {"ids": "channel==MINE", "startDate": "2026-04-01", "endDate": "2026-04-30"}
    return client.get(REPORTS, params=base | params, headers=bearer(token))


def test_demographics_report_orders_columns_and_sums_to_100(client, google_connect):
    token = google_connect()["access_token"]
    body = report(client, token, metrics="viewerPercentage", dimensions="ageGroup,gender").json()
    assert [h["name"] for h in body["columnHeaders"]] == ["ageGroup", "gender", "viewerPercentage"]
    assert {r[1] for r in body["rows"]} == {"female", "male"}
    assert {r[0] for r in body["rows"]} <= {
        "age13-17",
        "age18-24",
        "age25-34",
        "age35-44",
        "age45-54",
        "age55-64",
        "age65-",
    }
    assert abs(sum(r[2] for r in body["rows"]) - 100) < 1.5


def test_small_channel_demographics_omit_rows(client, google_connect):
    token = google_connect(login_hint="kai@example.test")["access_token"]
    body = report(client, token, metrics="viewerPercentage", dimensions="gender").json()
    assert "rows" not in body
    assert body["kind"] == "youtubeAnalytics#resultTable"


def test_geography_and_daily_reports(client, google_connect):
    token = google_connect()["access_token"]
    geo = report(
        client,
        token,
        metrics="views,estimatedMinutesWatched",
        dimensions="country",
        sort="-views",
        maxResults="3",
    ).json()
    assert len(geo["rows"]) == 3
    assert geo["rows"][0][1] >= geo["rows"][1][1]
    daily = report(client, token, metrics="views", dimensions="day").json()
    assert [r[0] for r in daily["rows"]][:2] == ["2026-04-01", "2026-04-02"]
    assert len(daily["rows"]) == 30


def test_unsupported_query_and_unknown_metric_are_400(client, google_connect):
    token = google_connect()["access_token"]
    assert report(client, token, metrics="views", dimensions="ageGroup").status_code == 400
    unknown = report(client, token, metrics="impressions").json()["error"]
    assert unknown["message"] == "Unknown identifier (impressions) given in field parameters.metrics."


def test_throttle_is_429_rate_limit_exceeded_with_retry_after(client, knobs, google_connect):
    token = google_connect()["access_token"]
    knobs(throttle_next=1)
    response = client.get(f"{DATA}/channels", params={"part": "id", "mine": "true"}, headers=bearer(token))
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    assert response.json()["error"]["errors"][0]["reason"] == "rateLimitExceeded"


def test_daily_quota_runs_out_with_quota_exceeded(client, knobs, google_connect):
    token = google_connect()["access_token"]
    knobs(youtube_daily_quota=1)
    assert (
        client.get(
            f"{DATA}/channels", params={"part": "id", "mine": "true"}, headers=bearer(token)
        ).status_code
        == 200
    )
    over = client.get(f"{DATA}/channels", params={"part": "id", "mine": "true"}, headers=bearer(token))
    assert (over.status_code, over.json()["error"]["errors"][0]["reason"]) == (403, "quotaExceeded")
