"""The audit log as CSV: every entry matching the filters, formulas neutralised, documented in OpenAPI."""

from __future__ import annotations

import csv
import io
import json

from tests.functional.dashboard.conftest import Studio
from tests.functional.team import JSON


def test_audit_csv_lists_every_entry_matching_the_filters_with_formulas_neutralised(studio: Studio) -> None:
    admin = studio.admin
    for _ in range(3):
        signed_in = studio.team.post(
            "/api/auth/sign-in",
            {"email": admin.email, "password": admin.password},
            {**JSON, "User-Agent": "=HYPERLINK(evil)"},
        )
        assert signed_in.status_code == 200, signed_in.body
    listed = json.loads(studio.get(f"/api/audit?actor={admin.member_id}&action=auth.sign_in", admin).body)

    response = studio.get(f"/api/audit?format=csv&actor={admin.member_id}&action=auth.sign_in&limit=1", admin)

    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="audit-{admin.workspace_id}-{listed["items"][0]["at"][:10]}.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.body.decode())))
    assert rows[0] == ["id", "at", "action", "actor_id", "target", "ip", "user_agent", "details"]
    assert len(listed["items"]) > 3
    assert [row[0] for row in rows[1:]] == [e["id"] for e in listed["items"]]  # every page, not `limit`
    newest = listed["items"][0]
    assert rows[1] == [
        newest["id"],
        newest["at"],
        "auth.sign_in",
        admin.member_id,
        admin.member_id,
        newest["ip"],
        "'=HYPERLINK(evil)",
        json.dumps(newest["details"], sort_keys=True),
    ]


def test_audit_csv_without_matching_entries_is_the_header_alone(studio: Studio) -> None:
    response = studio.get("/api/audit?format=csv&action=member.removed", studio.admin)

    assert response.status_code == 200
    assert response.body.decode() == "id,at,action,actor_id,target,ip,user_agent,details\r\n"


def test_audit_csv_is_for_those_who_may_read_the_audit_log(studio: Studio) -> None:
    response = studio.get("/api/audit?format=csv", studio.viewer)

    assert response.status_code == 403
    assert json.loads(response.body)["error"]["code"]


def test_openapi_documents_the_audit_csv_form(studio: Studio) -> None:
    document = json.loads(studio.team.http.get("/api/openapi.json").body)

    operation = document["paths"]["/api/audit"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    assert "format" in {p["name"] for p in operation["parameters"]}
