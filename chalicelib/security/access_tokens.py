"""Short-lived access tokens for API clients: JWTs signed with the session key (HS256)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from chalicelib.security.secret import Secret

ISSUER: Final = "creatordeck"
ALGORITHM: Final = "HS256"


@dataclass(frozen=True)
class AccessClaims:
    member_id: str
    workspace_id: str
    session_id: str
    expires_at: datetime


class AccessTokens:
    def __init__(self, signing_key: Secret, lifetime: timedelta = timedelta(minutes=60)) -> None:
        self._key = signing_key
        self.lifetime = lifetime

    def issue(self, member_id: str, workspace_id: str, session_id: str, now: datetime | None = None) -> str:
        import jwt

        issued = now or datetime.now(UTC)
        claims = {
            "iss": ISSUER,
            "sub": member_id,
            "wid": workspace_id,
            "sid": session_id,
            "typ": "access",
            "iat": int(issued.timestamp()),
            "exp": int((issued + self.lifetime).timestamp()),
        }
        return str(jwt.encode(claims, self._key.reveal(), algorithm=ALGORITHM))

    def verify(self, token: str) -> AccessClaims | None:
        """The claims of a valid, unexpired token; None for anything else."""
        import jwt

        try:
            claims = jwt.decode(
                token,
                self._key.reveal(),
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "sid", "wid"]},
            )
        except jwt.PyJWTError:
            return None
        if claims.get("typ") != "access":
            return None
        return AccessClaims(
            member_id=str(claims["sub"]),
            workspace_id=str(claims["wid"]),
            session_id=str(claims["sid"]),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        )
