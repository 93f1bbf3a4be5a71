"""Letting go of a grant: a platform revokes a person's grant to the app as a whole, so CreatorDeck
revokes it only when no other live connection of that person still uses it."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.bootstrap import services
from chalicelib.domain.platforms import Platform
from chalicelib.services.connections import RefreshOutcome
from chalicelib.storage.connections import ConnectionItem
from tests.functional.connections.conftest import Flow, page_code
from tests.functional.team import Persona, Team

META_SCOPES_WITHOUT_INSIGHTS = ["pages_show_list", "instagram_basic"]


def revocations(flow: Flow) -> list[dict[str, Any]]:
    answer: list[dict[str, Any]] = flow.browser.get("http://simulator.local/_sim/revocations").json()[
        "revocations"
    ]
    return answer


def platform_user_id(persona: Persona, connection: dict[str, Any]) -> str:
    item = ConnectionItem.get(f"WORKSPACE#{persona.workspace_id}", f"CONNECTION#{connection['id']}")
    return str(item.platform_user_id)


def disconnect_audit(team: Team, persona: Persona, connection_id: str) -> dict[str, Any]:
    response = team.http.get("/api/audit?action=connection.disconnected", headers=persona.headers)
    assert response.status_code == 200, response.body
    [entry] = [e for e in json.loads(response.body)["items"] if e["target"] == connection_id]
    details: dict[str, Any] = entry["details"]
    return details


def disconnect(team: Team, persona: Persona, connection: dict[str, Any]) -> None:
    response = team.http.delete(f"/api/connections/{connection['id']}", headers=persona.headers)
    assert response.status_code == 204, response.body


def works_at_the_platform(persona: Persona, connection: dict[str, Any], platform: Platform) -> bool:
    """The connection's own token still opens its profile at the platform."""
    tokens = services().connections.tokens_for_use(persona.workspace_id, connection["id"])
    runtime = services().platforms
    provider = runtime.provider(platform)
    assert provider is not None
    profile = runtime.run(provider.profile(tokens))
    return bool(getattr(profile, "account_id", None))


def test_disconnecting_in_one_workspace_keeps_the_grant_another_workspace_uses(
    team: Team, flow: Flow
) -> None:
    # GIVEN Maya's TikTok account connected in two workspaces
    studio, agency = team.create_workspace("Studio"), team.create_workspace("Agency")
    flow.knobs(next_user="maya@example.test")
    flow.connect(studio, "tiktok")
    flow.connect(agency, "tiktok")
    [in_studio], [in_agency] = flow.connections(studio), flow.connections(agency)
    assert platform_user_id(studio, in_studio) == platform_user_id(agency, in_agency)

    # WHEN the studio disconnects it
    disconnect(team, studio, in_studio)

    # THEN TikTok revoked nothing, the agency's connection still refreshes and reads, and the
    # studio's audit says why nothing was revoked
    assert revocations(flow) == []
    assert services().connections.refresh(agency.workspace_id, in_agency["id"], force=True) is (
        RefreshOutcome.REFRESHED
    )
    assert works_at_the_platform(agency, in_agency, Platform.TIKTOK)
    assert [c["status"] for c in flow.connections(agency)] == ["active"]
    details = disconnect_audit(team, studio, in_studio["id"])
    assert details["revoked_at_platform"] is False
    assert details["not_revoked_because"] == "grant_in_use"

    # WHEN the agency, the last one, disconnects it THEN the grant is revoked at TikTok
    disconnect(team, agency, in_agency)

    assert [(r["platform"], r["via"]) for r in revocations(flow)] == [("tiktok", "oauth/revoke")]
    assert disconnect_audit(team, agency, in_agency["id"])["revoked_at_platform"] is True


def test_a_reconnect_with_a_permission_unticked_keeps_the_grant_in_use(team: Team, flow: Flow) -> None:
    # GIVEN Maya's TikTok account connected in two workspaces
    studio, agency = team.create_workspace("Studio"), team.create_workspace("Agency")
    flow.knobs(next_user="maya@example.test")
    flow.connect(studio, "tiktok")
    flow.connect(agency, "tiktok")
    [in_studio], [in_agency] = flow.connections(studio), flow.connections(agency)
    maya = platform_user_id(studio, in_studio)

    # WHEN the studio reconnects it with every permission unticked
    flow.knobs(auto_approve=False)
    page = flow.callback(flow.consent(flow.reconnect(studio, in_studio["id"]), sim_user=maya, sim_scope=[]))

    # THEN that ends on the partial-consent page, nothing is revoked, both connections still work
    assert page_code(page) == "scopes_missing"
    assert revocations(flow) == []
    for persona, connection in ((studio, in_studio), (agency, in_agency)):
        assert services().connections.refresh(persona.workspace_id, connection["id"], force=True) is (
            RefreshOutcome.REFRESHED
        )


def test_partial_meta_consent_keeps_the_pages_that_person_already_connected(team: Team, flow: Flow) -> None:
    # GIVEN one of Ana's Facebook Pages connected in the studio
    studio, agency = team.create_workspace("Studio"), team.create_workspace("Agency")
    flow.knobs(next_user="ana@example.test")
    choice = flow.connect(studio, "facebook").body.decode().split("data-pending='", 1)[1].split("'", 1)[0]
    offered = json.loads(team.http.get(f"/api/connections/pending/{choice}", headers=studio.headers).body)
    picked = team.post(
        f"/api/connections/pending/{choice}", {"account_ids": [offered["accounts"][0]["id"]]}, studio.headers
    )
    assert picked.status_code == 201, picked.body
    [page_connection] = flow.connections(studio)
    ana = platform_user_id(studio, page_connection)

    # WHEN Ana, for the agency, connects Instagram without the insights permission
    flow.knobs(auto_approve=False)
    url = flow.start(agency, "instagram")
    page = flow.callback(flow.consent(url, sim_user=ana, sim_scope=META_SCOPES_WITHOUT_INSIGHTS))

    # THEN nothing is connected and nothing is revoked at Meta: the studio's Page still works
    assert page_code(page) == "scopes_missing"
    assert flow.connections(agency) == []
    assert revocations(flow) == []
    assert works_at_the_platform(studio, page_connection, Platform.FACEBOOK)

    # WHEN the Page, Ana's last connection, is disconnected THEN Meta's grant is revoked
    disconnect(team, studio, page_connection)

    assert [r["via"] for r in revocations(flow)] == ["DELETE /me/permissions"]


def test_partial_consent_of_someone_with_no_connection_is_revoked_at_once(team: Team, flow: Flow) -> None:
    admin = team.create_workspace()
    flow.knobs(auto_approve=False)

    page = flow.callback(flow.consent(flow.start(admin, "tiktok"), sim_scope=[]))

    assert page_code(page) == "scopes_missing"
    assert [r["platform"] for r in revocations(flow)] == ["tiktok"]


def test_disconnecting_threads_says_threads_has_no_revoke_call(team: Team, flow: Flow) -> None:
    # GIVEN a Threads account, the one platform with no documented way for an app to revoke itself
    admin = team.create_workspace()
    flow.connect(admin, "threads")
    [threads] = flow.connections(admin)

    # WHEN it is disconnected
    disconnect(team, admin, threads)

    # THEN our tokens are gone, nothing is claimed as revoked, and the audit says why
    assert flow.connections(admin) == []
    assert revocations(flow) == []
    details = disconnect_audit(team, admin, threads["id"])
    assert details["revoked_at_platform"] is False
    assert details["not_revoked_because"] == "platform_has_no_revoke_call"
