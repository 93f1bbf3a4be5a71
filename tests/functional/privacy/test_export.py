"""Export on request: a ZIP of JSON files built by the worker, downloadable by a one-hour link."""

from __future__ import annotations

import io
import json
import urllib.parse
import zipfile

import boto3

from chalicelib.settings import Settings
from tests.functional.connections.conftest import Flow
from tests.functional.privacy.conftest import connect, run_privacy_worker
from tests.functional.privacy.test_deletion import seed_history
from tests.functional.team import Team


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
