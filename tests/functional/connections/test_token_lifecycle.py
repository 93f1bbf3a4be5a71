"""Keeping tokens alive: rotation, concurrent refreshers, revoked grants, the sweep's cost, no leaks."""

from __future__ import annotations

import io
import logging
import threading
from typing import Any

import boto3
import pytest

from chalicelib.bootstrap import services
from chalicelib.domain.connections import ConnectionStatus
from chalicelib.services.connections import RefreshOutcome
from chalicelib.settings import Settings
from chalicelib.storage.base import table_models
from chalicelib.storage.connections import ConnectionItem, ConnectionsRepository
from chalicelib.storage.mailers import read_outbox
from simulator import Simulator
from tests.functional.connections.conftest import Flow, Recorder
from tests.functional.team import Persona, Team


def connected(team: Team, flow: Flow, platform: str = "tiktok") -> tuple[Persona, dict[str, Any]]:
    admin = team.create_workspace()
    flow.connect(admin, platform)
    [connection] = flow.connections(admin)
    return admin, connection


def stored_refresh_token(workspace_id: str, connection_id: str) -> str:
    loaded = services().connections.tokens_for_use(workspace_id, connection_id)
    assert loaded.refresh_token is not None
    return loaded.refresh_token.reveal()


def test_rotated_refresh_token_is_kept_and_the_chain_continues(team: Team, flow: Flow) -> None:
    admin, connection = connected(team, flow)
    first = stored_refresh_token(admin.workspace_id, connection["id"])

    outcome = services().connections.refresh(admin.workspace_id, connection["id"], force=True)
    second = stored_refresh_token(admin.workspace_id, connection["id"])
    again = services().connections.refresh(admin.workspace_id, connection["id"], force=True)

    assert outcome is RefreshOutcome.REFRESHED
    assert second != first
    assert again is RefreshOutcome.REFRESHED
    [listed] = flow.connections(admin)
    assert listed["status"] == "active"


def test_two_concurrent_refreshes_never_lose_the_chain(team: Team, flow: Flow, recorder: Recorder) -> None:
    admin, connection = connected(team, flow)
    before = len([r for r in recorder.requests if r.url.path.endswith("/oauth/token/")])
    recorder.hold_token_calls = threading.Event()
    outcomes: list[RefreshOutcome] = []

    def refresh() -> None:
        outcomes.append(services().connections.refresh(admin.workspace_id, connection["id"], force=True))

    # GIVEN one refresher is mid-call at TikTok with the current refresh token
    first = threading.Thread(target=refresh)
    first.start()
    assert recorder.at_token_endpoint.wait(10)
    # WHEN a second one starts now
    second = services().connections.refresh(admin.workspace_id, connection["id"], force=True)
    recorder.hold_token_calls.set()
    first.join()

    # THEN it stands back, only one refresh token was spent, and the chain goes on
    assert second is RefreshOutcome.BY_PEER
    assert outcomes == [RefreshOutcome.REFRESHED]
    token_calls = [r for r in recorder.requests if r.url.path.endswith("/oauth/token/")]
    assert len(token_calls) - before == 1
    recorder.hold_token_calls = None
    assert services().connections.refresh(admin.workspace_id, connection["id"], force=True) is (
        RefreshOutcome.REFRESHED
    )


def test_a_stale_refresher_cannot_overwrite_newer_tokens(team: Team, flow: Flow) -> None:
    admin, connection = connected(team, flow)
    store = services().connections._store
    stale, sealed = store.get_connection(admin.workspace_id, connection["id"]) or (None, None)
    assert stale is not None
    assert sealed is not None
    assert services().connections.refresh(admin.workspace_id, connection["id"], force=True) is (
        RefreshOutcome.REFRESHED
    )

    assert store.replace_tokens(stale, sealed, stale.token_version, None) is False


def test_revoked_grant_marks_needs_reauth_stops_syncs_keeps_data_and_alerts(
    team: Team, flow: Flow, outbox: Any
) -> None:
    admin = team.create_workspace()
    creator = team.invite(admin, "creator")
    flow.connect(creator, "tiktok")
    [connection] = flow.connections(admin)
    user_id = ConnectionItem.get(f"WORKSPACE#{admin.workspace_id}", f"CONNECTION#{connection['id']}")
    flow.browser.post(
        "http://simulator.local/_sim/revoke", json={"platform": "tiktok", "user_id": user_id.platform_user_id}
    )

    outcome = services().connections.refresh(admin.workspace_id, connection["id"], force=True)

    assert outcome is RefreshOutcome.NEEDS_REAUTH
    [listed] = flow.connections(admin)
    assert listed["status"] == ConnectionStatus.NEEDS_REAUTH.value
    assert listed["needs_reauth"] is True
    item = ConnectionItem.get(f"WORKSPACE#{admin.workspace_id}", f"CONNECTION#{connection['id']}")
    assert item.sync_shard is None
    assert item.next_sync_at is None
    assert item.access_envelope  # kept: only a disconnect deletes
    alerts = services().connections._store.list_alerts(admin.workspace_id)
    assert [a.kind for a in alerts] == ["needs_reauth"]
    mailed = {m["to"] for m in read_outbox(outbox) if m["subject"].startswith("Reconnect")}
    assert mailed == {admin.email, creator.email}
    assert services().connections.refresh(admin.workspace_id, connection["id"], force=True) is (
        RefreshOutcome.NEEDS_REAUTH
    )


def stored_tokens(workspace_id: str, connection_id: str) -> Any:
    loaded = services().connections._store.get_connection(workspace_id, connection_id)
    assert loaded is not None
    return loaded[1]


@pytest.mark.parametrize("reexchange", ["extended", "unchanged"])
@pytest.mark.parametrize("platform", ["facebook", "instagram"])
def test_page_connection_outlives_its_dead_user_token(
    team: Team, flow: Flow, reexchange: str, platform: str
) -> None:
    # GIVEN a Page-token connection (Ben: one Page with Instagram) whose 60-day user token has died
    flow.knobs(next_user="ben@example.test", meta_reexchange_expiry=reexchange)
    admin, connection = connected(team, flow, platform)
    flow.browser.post("http://simulator.local/_sim/advance", json={"days": 61})

    # WHEN it is refreshed
    outcome = services().connections.refresh(admin.workspace_id, connection["id"], force=True)

    # THEN it carries on with its Page token (meta.md §1.4: it does not expire) and is never due again
    assert outcome is RefreshOutcome.REFRESHED
    [listed] = flow.connections(admin)
    assert (listed["status"], listed["needs_reauth"]) == ("active", False)
    sealed = stored_tokens(admin.workspace_id, connection["id"])
    assert (sealed.refresh, sealed.expires_at, sealed.refresh_expires_at) == (None, None, None)
    assert ConnectionsRepository().list_alerts(admin.workspace_id) == []
    tokens = services().connections.tokens_for_use(admin.workspace_id, connection["id"])
    assert tokens.refresh_token is None
    assert services().connections.refresh(admin.workspace_id, connection["id"]) is RefreshOutcome.NOT_DUE


@pytest.mark.parametrize("reexchange", ["extended", "unchanged"])
def test_page_connection_whose_page_token_died_too_needs_reauth(
    team: Team, flow: Flow, reexchange: str
) -> None:
    flow.knobs(next_user="ben@example.test", meta_reexchange_expiry=reexchange)
    admin, connection = connected(team, flow, "facebook")
    item = ConnectionItem.get(f"WORKSPACE#{admin.workspace_id}", f"CONNECTION#{connection['id']}")
    flow.browser.post(
        "http://simulator.local/_sim/revoke",
        json={"platform": "meta", "user_id": item.platform_user_id, "reason": "password_changed"},
    )

    outcome = services().connections.refresh(admin.workspace_id, connection["id"], force=True)

    assert outcome is RefreshOutcome.NEEDS_REAUTH
    [listed] = flow.connections(admin)
    assert listed["needs_reauth"] is True


def test_user_token_that_a_re_exchange_cannot_extend_stops_being_refreshed(team: Team, flow: Flow) -> None:
    # GIVEN Meta keeps a long-lived user token's expiry on re-exchange (meta.md §1.3 [U])
    flow.knobs(next_user="ben@example.test", meta_reexchange_expiry="unchanged")
    admin, connection = connected(team, flow, "facebook")
    assert stored_tokens(admin.workspace_id, connection["id"]).refresh_expires_at is not None
    flow.browser.post("http://simulator.local/_sim/advance", json={"days": 53})

    # WHEN the week-ahead refresh gets the same expiry back
    outcome = services().connections.refresh(admin.workspace_id, connection["id"], force=True)

    # THEN the user token is kept to revoke with, but no sweep comes back for it every 30 minutes
    assert outcome is RefreshOutcome.REFRESHED
    sealed = stored_tokens(admin.workspace_id, connection["id"])
    assert sealed.refresh is not None
    assert sealed.refresh_expires_at is None
    assert services().connections.refresh(admin.workspace_id, connection["id"]) is RefreshOutcome.NOT_DUE
    [listed] = flow.connections(admin)
    assert listed["status"] == "active"


def test_sweep_refreshes_only_due_connections(team: Team, flow: Flow) -> None:
    flow.knobs(access_token_ttl_seconds=600)
    admin, due = connected(team, flow, "tiktok")
    flow.knobs(access_token_ttl_seconds=None)
    flow.connect(admin, "threads")  # a 60-day token: not due

    summary = services().token_refresh.run()

    assert summary["refreshed"] == 1
    assert summary["not_due"] == 0
    listed = {c["platform"]: c for c in flow.connections(admin)}
    assert listed["tiktok"]["refreshed_at"] > due["refreshed_at"]


def test_threads_long_lived_token_refreshes_after_a_day(team: Team, flow: Flow) -> None:
    admin, connection = connected(team, flow, "threads")
    flow.browser.post("http://simulator.local/_sim/advance", json={"hours": 25})

    outcome = services().connections.refresh(admin.workspace_id, connection["id"], force=True)

    assert outcome is RefreshOutcome.REFRESHED


def test_refresh_during_a_platform_outage_is_retried_later(team: Team, flow: Flow) -> None:
    admin, connection = connected(team, flow)
    flow.knobs(server_error_next=10)

    outcome = services().connections.refresh(admin.workspace_id, connection["id"], force=True)

    assert outcome is RefreshOutcome.RETRY_LATER
    [listed] = flow.connections(admin)
    assert listed["status"] == "active"


def test_sweep_of_100_connections_costs_at_most_two_kms_calls(
    team: Team, flow: Flow, wired: Settings, sim: Simulator, recorder: Recorder
) -> None:
    from chalicelib import bootstrap
    from chalicelib.domain.platforms import Profile

    flow.knobs(access_token_ttl_seconds=600)
    admin = team.create_workspace()
    for index in range(100):
        if index % 10 == 0:
            # Ten containers (the API's, the workers'), each with its own vault and KMS caches: they
            # seal under the epoch's one shared data key, so the sweep below meets one or two keys.
            bootstrap.services.cache_clear()
            service = services().connections
        # The simulator has two TikTok creators; 100 real grants stored as 100 connections, sealed
        # exactly the way the callback seals them.
        tokens = _fresh_tiktok_tokens(flow)
        profile = Profile(
            platform=tokens.platform, account_id=f"acct-{index}", handle=f"h{index}", display_name=None
        )
        service._connect(admin.workspace_id, admin.member_id, tokens, profile)
    # A new container: nothing cached, as when the scheduled Lambda starts.
    bootstrap.services.cache_clear()
    kms_calls: list[str] = []
    kms = services().aws.client("kms")
    kms.meta.events.register("before-call.kms.*", lambda model, **_: kms_calls.append(model.name))

    summary = services().token_refresh.run()

    assert summary["refreshed"] == 100
    assert len(kms_calls) <= 2, kms_calls


def _fresh_tiktok_tokens(flow: Flow) -> Any:
    from chalicelib.domain.platforms import AuthorizationRequest, Platform

    provider = services().platforms.registry.get(Platform.TIKTOK)
    request = provider.authorization_request("state")
    response = flow.browser.get(request.url)
    code = dict(httpx_params(response.headers["location"]))["code"]
    tokens: Any = services().platforms.run(provider.exchange_code(code, request))
    assert isinstance(request, AuthorizationRequest)
    return tokens


def httpx_params(location: str) -> list[tuple[str, str]]:
    import urllib.parse

    return urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query)


def test_no_token_code_or_verifier_reaches_a_table_or_a_log(
    team: Team,
    flow: Flow,
    sim: Simulator,
    recorder: Recorder,
    captured_logs: io.StringIO,
    wired: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Every library's records too, with the root logger at INFO as a Lambda may well be set.
    caplog.set_level(logging.INFO)
    admin = team.create_workspace()
    for platform in ("tiktok", "youtube", "threads", "instagram"):
        flow.connect(admin, platform)
    page = flow.connect(admin, "facebook")
    pending_id = page.body.decode().split("data-pending='", 1)[1].split("'", 1)[0]
    choice = team.http.get(f"/api/connections/pending/{pending_id}", headers=admin.headers)
    assert choice.status_code == 200
    for connection in flow.connections(admin):
        services().connections.refresh(admin.workspace_id, connection["id"], force=True)
    flow.callback(flow.consent(flow.start(admin, "tiktok")) + "&error=access_denied")

    secrets = [token for token in sim.state.tokens if len(token) >= 16]
    secrets += [code for code in sim.state.codes if len(code) >= 16]
    secrets += recorder.form_values("code_verifier")
    secrets += [client.client_secret for client in sim.state.clients.values()]
    assert len(secrets) > 10
    assert recorder.form_values("code_verifier")
    client = boto3.client("dynamodb", region_name=wired.aws_region)
    dump = []
    for model in table_models():
        for page_ in client.get_paginator("scan").paginate(TableName=model.Meta.table_name):
            dump.append(str(page_["Items"]))
    tables = "\n".join(dump)
    logs = captured_logs.getvalue()
    assert "cdv1." in tables  # the envelopes are there...
    assert [s for s in secrets if s in tables] == []  # ...and nothing else
    assert [s for s in secrets if s in logs] == []
    assert caplog.records  # the capture works...
    assert [s for s in secrets if s in caplog.text] == []  # ...and no library wrote a secret either
