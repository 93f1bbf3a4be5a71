"""API keys: created by a member with a subset of their role's actions, shown once, revocable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chalicelib.domain.audit import AuditAction
from chalicelib.domain.errors import NotFoundError, PermissionDeniedError
from chalicelib.domain.identity import ApiKey, Caller
from chalicelib.domain.permissions import Action
from chalicelib.security.secret import Secret
from chalicelib.security.tokens import ApiKeyToken, hash_secret
from chalicelib.services.audit import AuditLog
from chalicelib.services.ports import AccountStore


class ApiKeyService:
    def __init__(self, accounts: AccountStore, audit: AuditLog, clock: Callable[[], datetime]) -> None:
        self._accounts = accounts
        self._audit = audit
        self._now = clock

    def create(self, caller: Caller, name: str, scopes: frozenset[Action]) -> tuple[ApiKey, Secret]:
        beyond = scopes - caller.actions
        if beyond:
            raise PermissionDeniedError(
                "A key cannot do more than you can: " + ", ".join(sorted(beyond)) + ".",
                code="scope_not_allowed",
                details={"scopes": sorted(beyond)},
            )
        token = ApiKeyToken.issue()
        key = ApiKey(
            id=token.prefix,
            member_id=caller.member.id,
            workspace_id=caller.workspace_id,
            name=name.strip(),
            prefix=token.prefix,
            scopes=scopes,
            created_at=self._now(),
        )
        self._accounts.create_api_key(key, hash_secret(token.secret))
        self._audit.by(caller, AuditAction.API_KEY_CREATED, key.id, scopes=sorted(scopes))
        return key, Secret(token.render())

    def list(self, caller: Caller) -> list[ApiKey]:
        return self._accounts.list_api_keys(caller.member.id)

    def revoke(self, caller: Caller, key_id: str) -> None:
        key = self._accounts.get_api_key(key_id)
        if key is None or key.member_id != caller.member.id:
            raise NotFoundError("There is no such API key.")
        if key.revoked_at is None:
            self._accounts.revoke_api_key(caller.member.id, key_id)
            self._audit.by(caller, AuditAction.API_KEY_REVOKED, key_id)
