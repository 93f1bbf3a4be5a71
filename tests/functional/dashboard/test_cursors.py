"""Crafted paging cursors (posts, alerts, audit log) are a 400 ``invalid_cursor``, never a 500."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

from tests.functional.dashboard import seed
from tests.functional.dashboard.conftest import Studio
from tests.functional.team import Persona


def crafted(value: Any) -> str:
    """A cursor encoded the way the API encodes its own: URL-safe base64 of JSON, unpadded."""
    return unpadded(json.dumps(value).encode())


def unpadded(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def assert_refused(studio: Studio, path: str, persona: Persona, cursors: dict[str, str]) -> None:
    for name, cursor in cursors.items():
        separator = "&" if "?" in path else "?"
        response = studio.get(f"{path}{separator}cursor={cursor}", persona)
        assert response.status_code == 400, (name, response.body)
        assert json.loads(response.body)["error"]["code"] == "invalid_cursor", name


def test_a_posts_cursor_with_a_naive_time_or_a_field_of_another_type_is_refused(studio: Studio) -> None:
    account = seed.connect(studio.admin.workspace_id, studio.admin.member_id)
    seed.posts(account, 12)
    path = f"/api/dashboard/accounts/{account.id}/posts?sort=views&order=desc&limit=5"
    issued = json.loads(studio.get(path, studio.admin).body)["next_cursor"]
    fields = json.loads(base64.urlsafe_b64decode(issued + "=" * (-len(issued) % 4)))
    owner, sort, order, value, created, post_id = fields

    assert_refused(
        studio,
        path,
        studio.admin,
        {
            "naive time": crafted([owner, "views", "desc", 0, "2025-01-01T00:00:00", "p0000"]),
            "time as a number": crafted([owner, sort, order, value, 1735689600, post_id]),
            "value as text": crafted([owner, sort, order, "12", created, post_id]),
            "value as a boolean": crafted([owner, sort, order, True, created, post_id]),
            "value too large for a float": crafted([owner, sort, order, 10**400, created, post_id]),
            "post id as a number": crafted([owner, sort, order, value, created, 7]),
            "connection id as a list": crafted([[owner], sort, order, value, created, post_id]),
            "one field short": crafted([owner, sort, order, value, created]),
            "an object": crafted({"connection": owner}),
            "unterminated nesting": unpadded(b"[" * 700),
        },
    )
    assert studio.get(f"{path}&cursor={issued}", studio.admin).status_code == 200


def test_an_alerts_cursor_must_be_exactly_a_key_of_the_workspace_alerts(studio: Studio) -> None:
    account = seed.connect(studio.admin.workspace_id, studio.admin.member_id)
    for hours in range(3):
        seed.alert(account, "sync_failed", seed.NOW - timedelta(hours=hours))
    issued = json.loads(studio.get("/api/alerts?limit=1", studio.admin).body)["next_cursor"]
    partition = {"S": f"WORKSPACE#{studio.admin.workspace_id}"}
    sort_key = json.loads(base64.urlsafe_b64decode(issued + "=" * (-len(issued) % 4)))["sk"]

    assert_refused(
        studio,
        "/api/alerts",
        studio.admin,
        {
            "no sort key": crafted({"pk": partition}),
            "sort key of type N": crafted({"pk": partition, "sk": {"N": "1"}}),
            "sort key outside the alerts": crafted({"pk": partition, "sk": {"S": "CONNECTION#x"}}),
            "an extra attribute": crafted({"pk": partition, "sk": sort_key, "gsi1pk": {"S": "x"}}),
            "partition key of type N": crafted({"pk": {"N": "1"}, "sk": sort_key}),
            "partition key with two types": crafted({"pk": {**partition, "N": "1"}, "sk": sort_key}),
            "another workspace": crafted({"pk": {"S": "WORKSPACE#other"}, "sk": sort_key}),
            "a list": crafted([partition, sort_key]),
            "nested deeper than the JSON parser goes": unpadded(b"[" * 1100),
        },
    )
    assert studio.get(f"/api/alerts?limit=1&cursor={issued}", studio.admin).status_code == 200


def test_an_audit_cursor_must_be_exactly_a_key_of_the_table_or_of_the_actor_index(studio: Studio) -> None:
    admin = studio.admin
    workspace = {"S": f"WORKSPACE#{admin.workspace_id}"}
    by_workspace = json.loads(studio.get("/api/audit?limit=1", admin).body)["cursor"]
    by_actor_path = f"/api/audit?limit=1&actor={admin.member_id}"
    by_actor = json.loads(studio.get(by_actor_path, admin).body)["cursor"]
    table_key = json.loads(base64.urlsafe_b64decode(by_workspace + "=" * (-len(by_workspace) % 4)))
    index_key = json.loads(base64.urlsafe_b64decode(by_actor + "=" * (-len(by_actor) % 4)))
    assert set(index_key) == {"pk", "sk", "gsi1pk", "gsi1sk"}

    assert_refused(
        studio,
        "/api/audit?limit=1",
        admin,
        {
            "no sort key": crafted({"pk": workspace}),
            "sort key of type N": crafted({"pk": workspace, "sk": {"N": "1"}}),
            "sort key outside the audit": crafted({"pk": workspace, "sk": {"S": "MEMBER#x"}}),
            "an index key on the table": crafted(index_key),
        },
    )
    assert_refused(
        studio,
        by_actor_path,
        admin,
        {
            "a table key on the index": crafted(table_key),
            "another actor": crafted({**index_key, "gsi1pk": {"S": "ACTOR#someone-else"}}),
            "another workspace's item": crafted({**index_key, "pk": {"S": "WORKSPACE#other"}}),
            "index sort key of type N": crafted({**index_key, "gsi1sk": {"N": "1"}}),
            "no index sort key": crafted({k: v for k, v in index_key.items() if k != "gsi1sk"}),
        },
    )
    assert studio.get(f"{by_actor_path}&cursor={by_actor}", admin).status_code == 200
    assert studio.get(f"/api/audit?limit=1&cursor={by_workspace}", admin).status_code == 200


def test_listing_another_workspace_members_audit_hands_out_no_cursor(studio: Studio) -> None:
    foreign = studio.outsider.member_id

    response = json.loads(studio.get(f"/api/audit?limit=1&actor={foreign}", studio.admin).body)

    assert response == {"items": [], "cursor": None}
