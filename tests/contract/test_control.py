"""The /_sim control surface and the seeded world's ground truth."""

from __future__ import annotations

import statistics

import httpx

from simulator import Simulator

SIM = "http://simulator.local/_sim"


def test_knobs_round_trip_and_reject_unknown_or_mistyped_values(client):
    assert client.get(f"{SIM}/knobs").json()["latency_ms"] == 0
    assert client.post(f"{SIM}/knobs", json={"latency_ms": 1}).json()["latency_ms"] == 1
    assert client.post(f"{SIM}/knobs", json={"nope": 1}).status_code == 400
    assert client.post(f"{SIM}/knobs", json={"latency_ms": "slow"}).status_code == 400
    assert client.post(f"{SIM}/knobs", json={"timeout_mode": "explode"}).status_code == 400


def test_every_creator_has_30_posts_and_one_viral_post_far_above_median(creators):
    for login in creators()["logins"]:
        for account in login["accounts"]:
            views = [p["views"] for p in account["posts"]]
            viral = [p for p in account["posts"] if p["viral"]]
            assert len(account["posts"]) >= 30
            assert len(viral) == 1
            assert viral[0]["views"] > 5 * statistics.median(views)


def test_worlds_repeat_for_a_seed_and_differ_across_seeds():
    def ids(sim: Simulator) -> list[str]:
        return [login.user_id for login in sim.state.world.logins]

    assert ids(Simulator()) == ids(Simulator())
    other = Simulator()
    other.reset(seed=99)
    assert ids(other) != ids(Simulator())


def test_one_instagram_account_is_below_the_demographics_threshold(creators):
    accounts = [a for lg in creators()["logins"] for a in lg["accounts"] if a["platform"] == "instagram"]
    assert [a["handle"] for a in accounts if not a["demographics_available"]] == ["ana.travels"]


def test_a_meta_user_has_several_pages_to_choose_from(creators):
    ana = next(lg for lg in creators()["logins"] if lg["platform"] == "meta")
    pages = [a for a in ana["accounts"] if a["platform"] == "facebook_page"]
    assert len(pages) == 3


def test_advance_moves_followers_and_counters_forward(client, creators):
    before = creators()
    assert client.post(f"{SIM}/advance", json={"hours": 12}).json()["now"] == before["now"] + 12 * 3600
    after = creators()
    a0, a1 = before["logins"][0]["accounts"][0], after["logins"][0]["accounts"][0]
    assert a1["followers"] >= a0["followers"]
    assert sum(p["views"] for p in a1["posts"]) > sum(p["views"] for p in a0["posts"])


def test_reset_forgets_tokens_and_revocations(client, tiktok_connect):
    tokens = tiktok_connect()
    client.post(f"{SIM}/revoke", json={"platform": "tiktok", "user_id": tokens["open_id"]})
    assert len(client.get(f"{SIM}/revocations").json()["revocations"]) == 1
    client.post(f"{SIM}/reset")
    assert client.get(f"{SIM}/revocations").json()["revocations"] == []
    response = client.get(
        "https://open.tiktokapis.com/v2/user/info/",
        params={"fields": "open_id"},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert response.status_code == 401


def test_sim_revoke_kills_a_users_tokens(client, tiktok_connect):
    tokens = tiktok_connect()
    assert client.post(f"{SIM}/revoke", json={"platform": "tiktok", "user_id": tokens["open_id"]}).json() == {
        "revoked_tokens": 2
    }


def test_next_user_knob_chooses_who_consents(client, knobs, tiktok_connect):
    knobs(next_user="leo.lifts")
    tokens = tiktok_connect()
    leo = next(lg for lg in client.get(f"{SIM}/creators").json()["logins"] if lg["name"] == "Leo Lifts")
    assert tokens["open_id"] == leo["user_id"]


def test_base_urls_name_real_hosts_in_process_and_prefixes_on_loopback():
    sim = Simulator()
    real = sim.base_urls()
    assert real["tiktok_api"] == "https://open.tiktokapis.com"
    assert real["graph_facebook"] == "https://graph.facebook.com"
    loop = sim.base_urls("http://127.0.0.1:5600")
    assert loop["tiktok_api"] == "http://127.0.0.1:5600/tiktok-open"
    assert set(real) == set(loop)


def test_prefix_routing_reaches_the_same_handler_as_the_real_host(sim):
    with httpx.Client(transport=httpx.MockTransport(sim.handle)) as http:
        by_prefix = http.get("http://127.0.0.1:5600/tiktok-open/v2/user/info/", params={"fields": "open_id"})
    assert by_prefix.status_code == 401
    assert by_prefix.json()["error"]["code"] == "access_token_invalid"
