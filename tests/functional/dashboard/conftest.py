"""Dashboard tests: a workspace with an admin, a creator and a viewer, on moto in-process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from chalicelib.domain.identity import Caller
from chalicelib.storage.accounts import AccountsRepository
from tests.functional.team import Persona, Team


@dataclass
class Studio:
    team: Team
    admin: Persona
    creator: Persona
    viewer: Persona
    outsider: Persona

    def get(self, path: str, persona: Persona, **headers: str) -> Any:
        return self.team.http.get(path, headers={**persona.headers, **headers})

    def caller(self, persona: Persona) -> Caller:
        member = AccountsRepository().get_member(persona.workspace_id, persona.member_id)
        assert member is not None
        return Caller(member)


@pytest.fixture
def studio(team: Team) -> Studio:
    admin = team.create_workspace("Studio")
    creator = team.invite(admin, "creator")
    viewer = team.invite(admin, "viewer")
    outsider = team.create_workspace("Elsewhere")
    return Studio(team, admin, creator, viewer, outsider)
