"""What Facebook Pages, Instagram (via Facebook Login) and Threads share: Graph calls, paging, insights,
and the Facebook Login flow with its "pick your Pages / Instagram accounts" step (platforms/meta.md).

Token model for a Facebook Page or Instagram connection: the access token is the **Page token**
(minted from a long-lived user token, it does not expire), and ``refresh_token`` is that long-lived
**user token** (60 days): refreshing extends the user token and mints the Page token anew, and only
the user token can revoke the app (``DELETE /me/permissions``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from chalicelib.domain.platforms import (
    AuthorizationRequest,
    ConnectableAccount,
    FacebookPage,
    Platform,
    Share,
    TokenSet,
)
from chalicelib.platforms.base import BadRequestError, Call, Dialect, Flow, ReauthorizeError
from chalicelib.platforms.config import GRAPH_VERSION, PlatformConfig
from chalicelib.security.secret import Secret

__all__ = [
    "FacebookLoginProvider",
    "breakdown_shares",
    "collect",
    "graph_time",
    "insight_values",
]

PAGE_LIMIT = "50"
MAX_PAGES = 200
GENDERS = {"F": "female", "M": "male", "U": "unspecified"}
RENEWED_LIFETIME = timedelta(days=30)


def graph_time(raw: str) -> datetime:
    """Graph timestamps: ``2026-03-01T10:15:00+0000``."""
    return datetime.strptime(raw, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)


def collect(call: Call, *, stop_at: str | None = None, max_items: int = 10_000) -> Flow[list[dict[str, Any]]]:
    """Every item of a cursor-paged edge, rebuilding each request from ``cursors.after``.

    The end is the absence of ``paging.next`` (an empty page may still have one); the ``next`` URL
    itself is never fetched, since it embeds a token and a host we did not choose.
    """
    items: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        body = yield call
        for item in body.get("data") or []:
            if str(item.get("id")) == stop_at or len(items) >= max_items:
                return items
            items.append(item)
        paging = body.get("paging") or {}
        after = (paging.get("cursors") or {}).get("after")
        if not paging.get("next") or not after:
            return items
        call = dataclasses.replace(call, params={**call.params, "after": after})
    return items


def insight_values(body: Any) -> dict[str, Any]:
    """``{metric: value}`` from an insights answer: lifetime ``values[0]`` or ``total_value``."""
    out: dict[str, Any] = {}
    for item in body.get("data") or []:
        if "total_value" in item:
            out[item["name"]] = item["total_value"].get("value")
        elif item.get("values"):
            out[item["name"]] = item["values"][-1].get("value")
    return out


def breakdown_shares(body: Any, breakdown: str) -> tuple[Share, ...] | None:
    """Shares per bucket of a demographics answer; None when Meta withheld it (empty ``data``)."""
    counts: dict[str, float] = {}
    found = False
    for item in body.get("data") or []:
        for block in (item.get("total_value") or {}).get("breakdowns") or []:
            keys = list(block.get("dimension_keys") or [])
            # Some answers prefix a "timeframe" key; find ours by name, not position.
            index = keys.index(breakdown) if breakdown in keys else len(keys) - 1
            for result in block.get("results") or []:
                found = True
                raw = str(result["dimension_values"][index])
                key = GENDERS.get(raw, raw) if breakdown == "gender" else raw
                counts[key] = counts.get(key, 0.0) + float(result.get("value") or 0)
    if not found:
        return None
    total = sum(counts.values())
    return tuple(
        Share(key, value / total if total else 0.0)
        for key, value in sorted(counts.items(), key=lambda kv: -kv[1])
    )


class FacebookLoginProvider:
    """Facebook Login, Page tokens and revoke; subclassed by the Facebook Page and Instagram providers."""

    platform_id: Platform = Platform.FACEBOOK
    revocable: bool = True  # DELETE /me/permissions

    def __init__(self, config: PlatformConfig, wall_clock: Callable[[], datetime] | None = None) -> None:
        self._config = config
        self._version = config.api_version or GRAPH_VERSION
        self._now = wall_clock or (lambda: datetime.now(UTC))

    @property
    def platform(self) -> Platform:
        return self.platform_id

    def graph(
        self,
        path: str,
        token: Secret | None,
        params: Mapping[str, str] | None = None,
        *,
        method: str = "GET",
        usage_key: str | None = None,
    ) -> Call:
        return Call(
            platform=self.platform_id,
            dialect=Dialect.GRAPH,
            method=method,
            url=self._config.url("graph_facebook", f"/{self._version}/{path.lstrip('/')}"),
            params=params or {},
            token=token,
            usage_key=usage_key,
        )

    # ---- OAuth ---------------------------------------------------------------------------------

    def authorization_request(self, state: str) -> AuthorizationRequest:
        params = {
            "client_id": self._config.client_id,
            "redirect_uri": self._config.redirect_uri,
            "state": state,
            "response_type": "code",
            "scope": ",".join(self._config.scopes),
        }
        url = httpx.URL(self._config.url("facebook_dialog", f"/{self._version}/dialog/oauth"), params=params)
        return AuthorizationRequest(
            platform=self.platform_id,
            url=str(url),
            state=state,
            redirect_uri=self._config.redirect_uri,
            scopes=self._config.scopes,
        )

    def exchange_code(self, code: str, request: AuthorizationRequest) -> Flow[TokenSet]:
        """A long-lived *user* token set; pick accounts with ``connectable_accounts`` next."""
        short = yield dataclasses.replace(
            self.graph(
                "oauth/access_token",
                None,
                {
                    "client_id": self._config.client_id,
                    "client_secret": self._config.client_secret.reveal(),
                    "redirect_uri": request.redirect_uri,
                    "code": code,
                },
            ),
            idempotent=False,
        )
        return (yield from self._long_lived(Secret(str(short["access_token"]))))

    def _long_lived(self, user_token: Secret) -> Flow[TokenSet]:
        long = yield self.graph(
            "oauth/access_token",
            None,
            {
                "grant_type": "fb_exchange_token",
                "client_id": self._config.client_id,
                "client_secret": self._config.client_secret.reveal(),
                "fb_exchange_token": user_token.reveal(),
            },
        )
        token = Secret(str(long["access_token"]))
        me = yield self.graph("me", token, {"fields": "id"})
        permissions = yield self.graph("me/permissions", token)
        expires_in = long.get("expires_in")
        return TokenSet(
            platform=self.platform_id,
            access_token=token,
            user_id=str(me["id"]),
            scopes=frozenset(
                p["permission"] for p in permissions.get("data") or [] if p.get("status") == "granted"
            ),
            expires_at=self._now() + timedelta(seconds=int(expires_in)) if expires_in else None,
        )

    def pages(self, user_tokens: TokenSet) -> Flow[list[tuple[FacebookPage, Secret]]]:
        """The Pages the user can act for, each with its Page token."""
        items = yield from collect(
            self.graph(
                "me/accounts",
                user_tokens.access_token,
                {
                    "fields": "id,name,category,tasks,access_token,instagram_business_account",
                    "limit": PAGE_LIMIT,
                },
            )
        )
        return [
            (
                FacebookPage(
                    id=str(item["id"]),
                    name=str(item.get("name", "")),
                    category=item.get("category"),
                    tasks=tuple(item.get("tasks") or ()),
                    instagram_account_id=(item.get("instagram_business_account") or {}).get("id"),
                ),
                Secret(str(item["access_token"])),
            )
            for item in items
        ]

    def connectable_accounts(self, user_tokens: TokenSet) -> Flow[list[ConnectableAccount]]:
        """Meta's picker: each account the creator may connect on this network, with its tokens."""
        pages = yield from self.pages(user_tokens)
        accounts = []
        for page, page_token in pages:
            account_id = self._account_of(page)
            if account_id is None:
                continue
            accounts.append(
                ConnectableAccount(
                    platform=self.platform_id,
                    account_id=account_id,
                    name=page.name,
                    via_page_id=page.id,
                    tokens=self._account_tokens(user_tokens, page_token, account_id),
                )
            )
        return accounts

    def _account_of(self, page: FacebookPage) -> str | None:
        return page.id

    def _account_tokens(self, user_tokens: TokenSet, page_token: Secret, account_id: str) -> TokenSet:
        return TokenSet(
            platform=self.platform_id,
            access_token=page_token,
            user_id=user_tokens.user_id,
            scopes=user_tokens.scopes,
            expires_at=None,  # a Page token minted from a long-lived user token does not expire
            refresh_token=user_tokens.access_token,
            refresh_expires_at=user_tokens.expires_at,
            account_id=account_id,
        )

    def refresh(self, tokens: TokenSet) -> Flow[TokenSet]:
        """Re-exchanges the user token and mints the Page token anew.

        Whether re-exchanging a long-lived user token extends it is undocumented (meta.md §1.3 [U]).
        A Page connection does not depend on it: its Page token does not expire (§1.4), so when the
        user token is dead it carries on with the Page token alone while that still works, and when
        the exchange did not extend the user token it is kept only to revoke with, no longer renewed.
        """
        if tokens.account_id is None:
            return (yield from self._long_lived(tokens.access_token))
        if tokens.refresh_token is None:
            return (yield from self._page_token_alone(tokens))
        try:
            user_tokens = yield from self._long_lived(tokens.refresh_token)
        except ReauthorizeError:
            return (yield from self._page_token_alone(tokens))
        for page, page_token in (yield from self.pages(user_tokens)):
            if self._account_of(page) == tokens.account_id:
                renewed = self._account_tokens(user_tokens, page_token, tokens.account_id)
                if self._renewed(user_tokens.expires_at):
                    return renewed
                return dataclasses.replace(renewed, refresh_expires_at=None)
        raise ReauthorizeError(
            "The creator no longer manages the Page behind this connection.", platform="meta"
        )

    def _renewed(self, expires_at: datetime | None) -> bool:
        """Whether a re-exchange gave the user token a real lifetime again (a fresh one is ~60 days;
        one that kept its old expiry has at most the week the sweep refreshes ahead of it)."""
        return expires_at is None or expires_at - self._now() >= RENEWED_LIFETIME

    def _page_token_alone(self, tokens: TokenSet) -> Flow[TokenSet]:
        """The connection without its user token, if the Page token still works (ReauthorizeError if
        not: a password change, app removal or lost Page role kills it, and then only a reconnect helps)."""
        yield self.graph("me", tokens.access_token, {"fields": "id"})
        return dataclasses.replace(tokens, refresh_token=None, refresh_expires_at=None)

    def revoke(self, tokens: TokenSet) -> Flow[None]:
        user_token = tokens.refresh_token if tokens.account_id else tokens.access_token
        if user_token is None:
            # The user token died and the connection lived on with its Page token (see refresh): only
            # the person can remove the app now, so say it was not revoked rather than pretend.
            raise ReauthorizeError(
                "No live Facebook user token is left to revoke this grant with.", platform="meta"
            )
        try:
            yield self.graph("me/permissions", user_token, method="DELETE")
        except ReauthorizeError:
            return  # the user token is already dead: the app was removed or the grant expired

    def account_id(self, tokens: TokenSet) -> str:
        if tokens.account_id is None:
            raise BadRequestError(
                "Pick a Page or Instagram account (connectable_accounts) before reading data.",
                platform=self.platform_id.value,
            )
        return tokens.account_id
