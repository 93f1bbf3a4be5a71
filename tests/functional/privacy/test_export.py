"""Export on request: a ZIP of JSON files built by the worker, downloadable by a one-hour link."""

from __future__ import annotations

import io
import json
import urllib.parse
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import boto3

from chalicelib.domain.privacy import EXPORT_RETENTION, ExportRequest, ExportStatus
from chalicelib.settings import Settings
from chalicelib.storage.privacy import PrivacyRepository
from tests.functional.connections.conftest import Flow
from tests.functional.privacy.conftest import (
    connect,
    platform_user_id,
    run_privacy_worker,
    tiktok_delivery,
)
from tests.functional.privacy.test_deletion import seed_history
from tests.functional.team import Persona, Team
from tests.functional.test_team import count_dynamodb_calls

# What authenticating a request costs (tests/functional/test_team.py).
AUTHENTICATION: Final = 2


def test_an_export_holds_everything_about_the_requester_and_no_tokens(
    team: Team, flow: Flow, settings: Settings
) -> None:
    # GIVEN a creator with a connected account and its history
    admin = team.create_workspace()
    creator = team.invite(admin, "creator")
    connection = connect(flow, creator, "tiktok", "maya@example.test")
    seed_history(settings, creator, connection)

    # WHEN they ask for an export and the worker builds it
    requested = team.post("/api/privacy/exports", {}, creator.headers)
    assert requested.status_code == 202, requested.body
    export = json.loads(requested.body)
    assert export["status"] == "pending"
    assert export["download_url"] is None
    assert run_privacy_worker(settings) == 1

    # THEN it is ready, with a presigned link valid for one hour
    ready = json.loads(team.http.get(f"/api/privacy/exports/{export['id']}", headers=creator.headers).body)
    assert ready["status"] == "ready"
    link = urllib.parse.urlsplit(ready["download_url"])
    query = urllib.parse.parse_qs(link.query)
    assert query["X-Amz-Expires"] == ["3600"]
    assert link.path.endswith(f"/exports/{export['id']}.zip")

    # AND the ZIP has the profile, connections without tokens, snapshots, posts, alerts, audit
    key = f"exports/{export['id']}.zip"
    archive = boto3.client("s3", region_name=settings.aws_region).get_object(
        Bucket=settings.exports_bucket, Key=key
    )
    files = zipfile.ZipFile(io.BytesIO(archive["Body"].read()))
    assert sorted(files.namelist()) == [
        "alerts.json",
        "audit.json",
        "connections.json",
        "posts.json",
        "profile.json",
        "snapshots.json",
    ]
    content = {name: json.loads(files.read(name)) for name in files.namelist()}
    assert content["profile.json"]["email"] == creator.email
    assert [c["id"] for c in content["connections.json"]] == [connection["id"]]
    assert content["posts.json"][connection["id"]][0]["post_id"] == "7300000000000000001"
    snapshots = content["snapshots.json"][connection["id"]]
    assert sorted(s["series"] for s in snapshots) == [
        "DEMOGRAPHICS",
        "POST#7300000000000000001",
        "PROFILE",
        "ROLLUP",
    ]
    [rollup] = [s for s in snapshots if s["series"] == "ROLLUP"]
    assert json.loads(rollup["top_posts"])["ranges"]["7d"] == ["7300000000000000001"]
    assert content["alerts.json"][connection["id"]][0]["kind"] == "viral_post"
    assert "invitation.accepted" in [entry["action"] for entry in content["audit.json"]]
    everything = json.dumps(content)
    assert "envelope" not in everything
    assert "secret_hash" not in everything

    # AND nobody else gets it
    other = team.http.get(
        f"/api/privacy/exports/{export['id']}", headers=team.invite(admin, "viewer").headers
    )
    assert other.status_code == 404


def exported(team: Team, settings: Settings, persona: Persona) -> dict[str, Any]:
    """The files of a fresh export of the member's data, as the worker builds it."""
    requested = team.post("/api/privacy/exports", {}, persona.headers)
    assert requested.status_code == 202, requested.body
    export_id = json.loads(requested.body)["id"]
    run_privacy_worker(settings)
    archive = boto3.client("s3", region_name=settings.aws_region).get_object(
        Bucket=settings.exports_bucket, Key=f"exports/{export_id}.zip"
    )
    files = zipfile.ZipFile(io.BytesIO(archive["Body"].read()))
    return {name: json.loads(files.read(name)) for name in files.namelist()}


def test_an_export_holds_what_others_did_to_the_members_connections(
    team: Team, flow: Flow, settings: Settings
) -> None:
    # GIVEN a creator whose YouTube channel an admin disconnected (the connection is gone) and whose
    # TikTok account removed the app (no actor), and another creator's connection, disconnected too
    admin = team.create_workspace()
    creator = team.invite(admin, "creator")
    channel = connect(flow, creator, "youtube", "kai@example.test")
    tiktok = connect(flow, creator, "tiktok", "maya@example.test")
    other = team.invite(admin, "creator")
    theirs = connect(flow, other, "tiktok", "leo@example.test")
    for connection in (channel, theirs):
        response = team.http.delete(f"/api/connections/{connection['id']}", headers=admin.headers)
        assert response.status_code == 204, response.body
    body, headers = tiktok_delivery(platform_user_id(creator, tiktok["id"]))
    assert team.http.post("/api/webhooks/tiktok", headers=headers, body=body).status_code == 200

    # WHEN the creator exports their data
    audit = exported(team, settings, creator)["audit.json"]

    # THEN the audit entries hold the admin's disconnection and the platform's deauthorization
    about = {(entry["action"], entry["target"], entry.get("actor_id")) for entry in audit}
    assert ("connection.disconnected", channel["id"], admin.member_id) in about
    assert ("connection.deauthorized", tiktok["id"], None) in about
    # AND nothing about the other creator's connection
    assert theirs["id"] not in json.dumps(audit)


def listed(team: Team, persona: Persona, query: str = "") -> Any:
    return team.http.get(f"/api/privacy/exports{query}", headers=persona.headers)


def test_a_member_lists_their_latest_exports_newest_first_with_a_link_only_once_ready(
    team: Team, settings: Settings
) -> None:
    # GIVEN a creator with an export built, a second one still building and one past its retention
    admin = team.create_workspace()
    creator = team.invite(admin, "creator")
    first = json.loads(team.post("/api/privacy/exports", {}, creator.headers).body)
    assert run_privacy_worker(settings) == 1
    second = json.loads(team.post("/api/privacy/exports", {}, creator.headers).body)
    me = json.loads(team.http.get("/api/me", headers=creator.headers).body)
    PrivacyRepository().create_export(
        ExportRequest(
            id="forgotten",
            workspace_id=me["workspace"]["id"],
            member_id=creator.member_id,
            status=ExportStatus.READY,
            requested_at=datetime.now(UTC) - EXPORT_RETENTION - timedelta(minutes=1),
        )
    )

    # WHEN they list their exports
    response = listed(team, creator)

    # THEN the live ones come newest first, as the single GET shows them
    assert response.status_code == 200, response.body
    items = json.loads(response.body)["items"]
    assert [item["id"] for item in items] == [second["id"], first["id"]]
    building, ready = items
    assert building["status"] == "pending"
    assert building["download_url"] is None
    assert ready["status"] == "ready"
    link = urllib.parse.urlsplit(ready["download_url"])
    assert urllib.parse.parse_qs(link.query)["X-Amz-Expires"] == ["3600"]
    assert link.path.endswith(f"/exports/{first['id']}.zip")
    single = json.loads(team.http.get(f"/api/privacy/exports/{first['id']}", headers=creator.headers).body)
    assert {k: v for k, v in ready.items() if k != "download_url"} == {
        k: v for k, v in single.items() if k != "download_url"
    }

    # AND another member of the workspace sees only their own (none)
    assert json.loads(listed(team, team.invite(admin, "creator")).body) == {"items": []}


def test_an_admin_lists_a_members_exports_and_nobody_else_can(team: Team) -> None:
    # GIVEN a creator with an export, another creator, and an admin of another workspace
    admin = team.create_workspace()
    creator = team.invite(admin, "creator")
    other = team.invite(admin, "creator")
    outsider = team.create_workspace("Elsewhere")
    export = json.loads(team.post("/api/privacy/exports", {}, creator.headers).body)

    # WHEN the admin asks for the creator's exports, THEN they see them
    by_admin = listed(team, admin, f"?member_id={creator.member_id}")
    assert by_admin.status_code == 200, by_admin.body
    assert [item["id"] for item in json.loads(by_admin.body)["items"]] == [export["id"]]

    # AND a creator naming someone else, or an admin of another workspace, gets the unknown-export 404
    unknown = team.http.get("/api/privacy/exports/no-such-export", headers=other.headers)
    for persona, member_id in ((other, creator.member_id), (outsider, creator.member_id), (admin, "nobody")):
        refused = listed(team, persona, f"?member_id={member_id}")
        assert refused.status_code == 404, (persona.role, refused.body)
        assert json.loads(refused.body)["error"]["code"] == json.loads(unknown.body)["error"]["code"]
        assert json.loads(refused.body)["error"]["message"] == json.loads(unknown.body)["error"]["message"]

    # AND naming oneself is the same as naming nobody
    assert (
        json.loads(listed(team, creator, f"?member_id={creator.member_id}").body)["items"]
        == json.loads(listed(team, creator).body)["items"]
    )


def test_a_malformed_member_id_is_refused_with_what_is_wrong(team: Team) -> None:
    admin = team.create_workspace()

    for query in ("?member_id=", f"?member_id={'x' * 65}", "?member=someone"):
        response = listed(team, admin, query)

        assert response.status_code == 422, (query, response.body)
        error = json.loads(response.body)["error"]
        assert error["code"] == "validation_failed"
        assert error["details"], query


def test_listing_exports_costs_one_query_beyond_authentication(team: Team, settings: Settings) -> None:
    admin = team.create_workspace()
    creator = team.invite(admin, "creator")
    for _ in range(3):
        team.post("/api/privacy/exports", {}, creator.headers)
    run_privacy_worker(settings)
    calls = count_dynamodb_calls()

    response = listed(team, creator)

    assert response.status_code == 200, response.body
    assert len(json.loads(response.body)["items"]) == 3
    assert calls == [*calls[:AUTHENTICATION], "Query"]
    assert len(calls) == AUTHENTICATION + 1, calls
