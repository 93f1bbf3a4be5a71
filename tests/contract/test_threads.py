"""Threads OAuth, profile, threads list and insights, per platforms/meta.md §5."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.contract.conftest import REDIRECT, THREADS_APP, THREADS_SECRET, callback_params

AUTH = "https://threads.net/oauth/authorize"
GRAPH = "https://graph.threads.net"
SCOPE = "threads_basic,threads_manage_insights"


def connect(client: httpx.Client, scope: str = SCOPE) -> tuple[Any, Any]:
    params = {
        "client_id": THREADS_APP,
        "redirect_uri": REDIRECT,
        "scope": scope,
        "response_type": "code",
        "state": "t",
    }
    response = client.get(AUTH, params=params)
    assert response.headers["location"].endswith("#_")
    cb = callback_params(response)
    short = client.post(
        f"{GRAPH}/oauth/access_token",
        data={
            "client_id": THREADS_APP,
            "client_secret": THREADS_SECRET,
            "code": cb["code"],
            "grant_type": "authorization_code",
            "redirect_uri": REDIRECT,
        },
    ).json()
    long = client.get(
        f"{GRAPH}/access_token",
        params={
            "grant_type": "th_exchange_token",
            "client_secret": THREADS_SECRET,
            "access_token": short["access_token"],
        },
    ).json()
    return short, long


def test_code_exchange_gives_numeric_user_id_and_long_lived_token(client):
    short, long = connect(client)
    assert isinstance(short["user_id"], int)
    assert short["access_token"].startswith("THQ")
    assert (long["token_type"], long["expires_in"]) == ("bearer", 5183944)


def test_user_id_type_knob_makes_user_id_a_string(client, knobs):
    knobs(threads_user_id_type="string")
    short, _ = connect(client)
    assert isinstance(short["user_id"], str)


def test_authorize_requires_threads_basic(client):
    params = {
        "client_id": THREADS_APP,
        "redirect_uri": REDIRECT,
        "scope": "threads_content_publish",
        "response_type": "code",
    }
    assert client.get(AUTH, params=params).status_code == 400


def test_refresh_is_refused_before_24_hours_and_allowed_after(client):
    _, long = connect(client)
    params = {"grant_type": "th_refresh_token", "access_token": long["access_token"]}
    early = client.get(f"{GRAPH}/refresh_access_token", params=params)
    assert early.status_code == 400
    client.post("http://simulator.local/_sim/advance", json={"days": 2})
    later = client.get(f"{GRAPH}/refresh_access_token", params=params).json()
    assert later["expires_in"] == 5183944


def test_threads_list_pages_through_every_post_once(client, creators):
    short, long = connect(client)
    token = long["access_token"]
    seen, params = (
        [],
        {"fields": "id,media_product_type,text,timestamp", "limit": "10", "access_token": token},
    )
    while True:
        body = client.get(f"{GRAPH}/v1.0/me/threads", params=params).json()
        seen += body["data"]
        if "next" not in body["paging"]:
            break
        params["after"] = body["paging"]["cursors"]["after"]
    truth = next(lg for lg in creators()["logins"] if lg["user_id"] == str(short["user_id"]))["accounts"][0]
    assert [t["id"] for t in seen] == [p["id"] for p in truth["posts"]]
    assert {t["media_product_type"] for t in seen} == {"THREADS"}


def test_media_insights_report_lifetime_counters(client, creators):
    short, long = connect(client)
    truth = next(lg for lg in creators()["logins"] if lg["user_id"] == str(short["user_id"]))["accounts"][0]
    post = truth["posts"][0]
    data = client.get(
        f"{GRAPH}/v1.0/{post['id']}/insights",
        params={"metric": "views,likes", "access_token": long["access_token"]},
    ).json()["data"]
    assert [(m["name"], m["values"][0]["value"]) for m in data] == [
        ("views", post["views"]),
        ("likes", post["likes"]),
    ]


@pytest.mark.parametrize(("shape", "key"), [("time_series", "values"), ("total_value", "total_value")])
def test_user_views_shape_follows_knob(client, knobs, shape, key):
    knobs(threads_views_shape=shape)
    _, long = connect(client)
    data = client.get(
        f"{GRAPH}/v1.0/me/threads_insights",
        params={"metric": "views,followers_count", "access_token": long["access_token"]},
    ).json()["data"]
    assert key in data[0]
    assert "total_value" in data[1]


def test_user_insights_without_insights_scope_is_code_10(client):
    _, long = connect(client, scope="threads_basic")
    error = client.get(
        f"{GRAPH}/v1.0/me/threads_insights", params={"metric": "likes", "access_token": long["access_token"]}
    ).json()["error"]
    assert error["code"] == 10


def test_invalid_token_is_code_190(client):
    error = client.get(f"{GRAPH}/v1.0/me", params={"access_token": "THQnope"}).json()["error"]
    assert error["code"] == 190
