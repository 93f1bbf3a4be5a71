"""PKCE (RFC 7636) verifiers and challenges, including TikTok's hex variant."""

from __future__ import annotations

import base64
import hashlib
import secrets

__all__ = ["base64url_challenge", "hex_challenge", "new_verifier"]


def new_verifier() -> str:
    """64 characters from the unreserved set (RFC 7636 allows 43-128)."""
    return secrets.token_urlsafe(48)


def base64url_challenge(verifier: str) -> str:
    """RFC 7636 S256, as Google expects: base64url(SHA-256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def hex_challenge(verifier: str) -> str:
    """TikTok's S256: the lowercase hex SHA-256 of the verifier (platforms/tiktok.md §1.1)."""
    return hashlib.sha256(verifier.encode("ascii")).hexdigest()
