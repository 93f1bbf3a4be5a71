"""Builds workspaces and members through the product's own flows, for functional tests."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chalicelib.bootstrap import services
from chalicelib.storage.mailers import read_outbox

JSON = {"Content-Type": "application/json"}
_counter = itertools.count(1)


@dataclass
class Persona:
    email: str
    password: str
    member_id: str
    workspace_id: str
    role: str
    access_token: str = ""
    refresh_token: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {**JSON, "Authorization": f"Bearer {self.access_token}"}


def token_in_link(text: str) -> str:
    match = re.search(r"#token=([A-Za-z0-9_\-]+)", text)
    assert match, text
    return match.group(1)


class Team:
    def __init__(self, http: Any, outbox: Path) -> None:
        self.http = http
        self.outbox = outbox

    def post(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        return self.http.post(path, headers=headers or JSON, body=json.dumps(body))

    def create_workspace(self, name: str = "Studio", admin_email: str | None = None) -> Persona:
        email = admin_email or f"admin{next(_counter)}@example.com"
        _, issued = services().workspaces.create_workspace(name, email)
        return self.accept(token_in_link(issued.link.reveal()), email, "admin")

    def invite(self, by: Persona, role: str, email: str | None = None) -> Persona:
        address = email or f"{role}{next(_counter)}@example.com"
        response = self.post("/api/invitations", {"email": address, "role": role}, by.headers)
        assert response.status_code == 201, response.body
        return self.accept(self.last_token_to(address), address, role)

    def last_token_to(self, email: str) -> str:
        messages = [m for m in read_outbox(self.outbox) if m["to"] == email]
        assert messages, f"no mail to {email}"
        return token_in_link(messages[-1]["text"])

    def accept(self, token: str, email: str, role: str, password: str | None = None) -> Persona:
        secret = password or f"pw-{email}-long-enough"
        response = self.post(
            "/api/invitations/accept", {"token": token, "name": email.split("@")[0], "password": secret}
        )
        assert response.status_code == 201, response.body
        member = json.loads(response.body)
        persona = Persona(email, secret, member["id"], "", role)
        self.sign_in(persona)
        return persona

    def sign_in(self, persona: Persona) -> Persona:
        response = self.post("/api/auth/sign-in", {"email": persona.email, "password": persona.password})
        assert response.status_code == 200, response.body
        body = json.loads(response.body)
        persona.access_token = body["access_token"]
        persona.refresh_token = body["refresh_token"]
        me = json.loads(self.http.get("/api/me", headers=persona.headers).body)
        persona.workspace_id = me["workspace"]["id"]
        return persona
