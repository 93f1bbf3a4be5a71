"""Password hashing with argon2id (OWASP's minimum: 19 MiB, 2 iterations, 1 lane)."""

from __future__ import annotations

import functools
from typing import Final

from chalicelib.domain.errors import ValidationError

MIN_LENGTH: Final = 12
MAX_LENGTH: Final = 256


class PasswordHasher:
    def __init__(self, time_cost: int = 2, memory_cost_kib: int = 19_456, parallelism: int = 1) -> None:
        from argon2 import PasswordHasher as Argon2

        self._argon2 = Argon2(time_cost=time_cost, memory_cost=memory_cost_kib, parallelism=parallelism)

    def hash(self, password: str) -> str:
        check_strength(password)
        return str(self._argon2.hash(password))

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """Constant work whether or not there is a hash: unknown accounts take as long as known ones."""
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            return bool(self._argon2.verify(stored_hash or self._decoy, password))
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return bool(self._argon2.check_needs_rehash(stored_hash))

    @functools.cached_property
    def _decoy(self) -> str:
        return str(self._argon2.hash("decoy password that matches nothing"))


def check_strength(password: str) -> None:
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append({"field": "password", "problem": f"must be at least {MIN_LENGTH} characters long"})
    elif len(password) > MAX_LENGTH:
        problems.append({"field": "password", "problem": f"must be at most {MAX_LENGTH} characters long"})
    if problems:
        raise ValidationError(problems, "Choose a longer password.")
