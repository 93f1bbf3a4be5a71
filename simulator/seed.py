"""Seeded creators with deterministic histories and ground-truth counters at any simulated time.

Counters are pure functions of (seed, time): a post's views follow a launch curve
``final * (1 - exp(-age / tau))`` plus a slow log tail, and
its other counters are fixed fractions of its views; followers follow a power curve from account creation
to the start time, continuing past it, plus a bump after the viral post. Ingestion tests compare what they
stored with :meth:`Account.followers` and :meth:`Post.counters` (also served by ``GET /_sim/creators``).
"""

from __future__ import annotations

import dataclasses
import math
import random
import statistics
import string
from typing import Any

__all__ = ["Account", "Audience", "Counters", "Login", "Post", "World", "build_world"]

DAY = 86_400.0
HOUR = 3_600.0
AGE_BUCKETS = ("13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
GENDERS = ("F", "M", "U")
COUNTRIES = ("US", "BR", "GB", "DE", "IN", "CA", "MX", "FR", "AU", "NG")
CITIES = ("Austin, Texas", "São Paulo, São Paulo", "London, England", "Berlin, Berlin", "Lagos, Lagos")


@dataclasses.dataclass(frozen=True)
class Counters:
    views: int
    reach: int
    likes: int
    comments: int
    shares: int
    saves: int

    def as_json(self) -> dict[str, int]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Post:
    """One post; ``kind`` is the platform's media type (IMAGE, VIDEO, REELS, TEXT_POST, ...)."""

    id: str
    account_id: str
    created_at: float
    title: str
    kind: str
    duration: int
    final_views: int
    tau_hours: float
    like_rate: float
    comment_rate: float
    share_rate: float
    save_rate: float
    viral: bool = False

    def visible(self, now: float) -> bool:
        return self.created_at <= now

    def counters(self, now: float) -> Counters:
        age_hours = max(0.0, (now - self.created_at) / HOUR)
        # A fast launch curve plus a slow logarithmic tail, so even old posts keep gaining a little.
        launch = 1.0 - math.exp(-age_hours / self.tau_hours)
        tail = 0.15 * math.log1p(age_hours / 720.0)
        views = int(self.final_views * (launch + tail))
        return Counters(
            views=views,
            reach=int(views * 0.72),
            likes=int(views * self.like_rate),
            comments=int(views * self.comment_rate),
            shares=int(views * self.share_rate),
            saves=int(views * self.save_rate),
        )


@dataclasses.dataclass(frozen=True)
class Audience:
    """Shares (summing to 1) of an account's audience per bucket."""

    ages: tuple[tuple[str, float], ...]
    genders: tuple[tuple[str, float], ...]
    countries: tuple[tuple[str, float], ...]
    cities: tuple[tuple[str, float], ...]


@dataclasses.dataclass(frozen=True)
class Account:
    """A creator's presence on one network: tiktok, instagram, facebook_page, threads or youtube."""

    platform: str
    id: str
    handle: str
    name: str
    bio: str
    owner: str
    created_at: float
    start_time: float
    followers_at_start: int
    following: int
    posts: tuple[Post, ...]
    audience: Audience
    viral_bump: int
    extra: tuple[tuple[str, str], ...] = ()

    def attr(self, key: str) -> str | None:
        return dict(self.extra).get(key)

    def followers(self, now: float) -> int:
        span = self.start_time - self.created_at
        x = max(0.0, (now - self.created_at) / span)
        base = self.followers_at_start * (0.02 + 0.98 * x**1.6)
        viral = next((p for p in self.posts if p.viral), None)
        if viral is not None and now > viral.created_at:
            base += self.viral_bump * (1.0 - math.exp(-(now - viral.created_at) / (3 * DAY)))
        return int(base)

    def visible_posts(self, now: float) -> list[Post]:
        """Posts published by ``now``, newest first."""
        return sorted((p for p in self.posts if p.visible(now)), key=lambda p: p.created_at, reverse=True)

    def activity(self, start: float, end: float, kinds: tuple[str, ...] | None = None) -> Counters:
        """Counter growth summed over posts between two times (what insights report for a window)."""
        totals = dict.fromkeys(("views", "reach", "likes", "comments", "shares", "saves"), 0)
        for post in self.posts:
            if post.created_at > end or (kinds is not None and post.kind not in kinds):
                continue
            before, after = post.counters(start).as_json(), post.counters(end).as_json()
            for key in totals:
                totals[key] += after[key] - before[key]
        return Counters(**totals)

    def demographics_available(self, now: float) -> bool:
        return self.followers(now) >= 100

    def as_json(self, now: float) -> dict[str, Any]:
        posts = self.visible_posts(now)
        views = [p.counters(now).views for p in posts]
        return {
            "platform": self.platform,
            "id": self.id,
            "handle": self.handle,
            "name": self.name,
            "owner": self.owner,
            "followers": self.followers(now),
            "following": self.following,
            "post_count": len(posts),
            "median_views": statistics.median(views) if views else 0,
            "demographics_available": self.demographics_available(now),
            "extra": dict(self.extra),
            "posts": [
                {"id": p.id, "created_at": int(p.created_at), "viral": p.viral, **p.counters(now).as_json()}
                for p in posts
            ],
        }


@dataclasses.dataclass(frozen=True)
class Login:
    """Who signs in on a platform's consent page: tiktok, meta, threads or google."""

    platform: str
    user_id: str
    name: str
    email: str
    account_ids: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class World:
    logins: tuple[Login, ...]
    accounts: dict[str, Account]
    posts: dict[str, Post]

    def logins_for(self, platform: str) -> list[Login]:
        return [login for login in self.logins if login.platform == platform]

    def login(self, platform: str, user_id: str) -> Login | None:
        return next((x for x in self.logins_for(platform) if x.user_id == user_id), None)

    def find_login(self, platform: str, hint: str | None) -> Login | None:
        """Match a user id, email or an owned account's handle (``login_hint`` / ``next_user``)."""
        if not hint:
            return None
        for login in self.logins_for(platform):
            handles = {self.accounts[a].handle for a in login.account_ids}
            if hint in (login.user_id, login.email) or hint.lstrip("@") in handles:
                return login
        return None

    def accounts_of(self, login: Login, platform: str | None = None) -> list[Account]:
        accounts = [self.accounts[a] for a in login.account_ids]
        return [a for a in accounts if platform is None or a.platform == platform]


@dataclasses.dataclass(frozen=True)
class _Spec:
    platform: str
    handle: str
    name: str
    followers: int
    median_views: int
    kinds: tuple[str, ...]
    extra: tuple[tuple[str, str], ...] = ()


class _Builder:
    def __init__(self, seed: int, start: float) -> None:
        self.rng = random.Random(seed)
        self.start = start
        self.accounts: dict[str, Account] = {}
        self.posts: dict[str, Post] = {}

    def digits(self, prefix: str, total: int) -> str:
        return prefix + "".join(self.rng.choice(string.digits) for _ in range(total - len(prefix)))

    def chars(self, n: int, alphabet: str) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def account_id(self, platform: str) -> str:
        if platform == "tiktok":
            return "-000" + self.chars(28, string.ascii_letters + string.digits)
        if platform == "instagram":
            return self.digits("178414", 17)
        if platform == "facebook_page":
            return self.digits("1040", 15)
        if platform == "threads":
            return self.digits("2600", 17)
        return "UC" + self.chars(22, string.ascii_letters + string.digits + "-_")

    def post_id(self, platform: str, account_id: str) -> str:
        if platform == "tiktok":
            return self.digits("73", 19)
        if platform == "instagram":
            return self.digits("179", 17)
        if platform == "facebook_page":
            return f"{account_id}_{self.digits('12', 16)}"
        if platform == "threads":
            return self.digits("180", 17)
        return self.chars(11, string.ascii_letters + string.digits + "-_")

    def audience(self) -> Audience:
        def shares(keys: tuple[str, ...], top: int) -> tuple[tuple[str, float], ...]:
            weights = [self.rng.random() ** 2 for _ in keys]
            weights[self.rng.randrange(min(top, len(keys)))] += 1.5
            total = sum(weights)
            return tuple((k, w / total) for k, w in zip(keys, weights, strict=True))

        return Audience(
            ages=shares(AGE_BUCKETS[1:5] + AGE_BUCKETS[:1] + AGE_BUCKETS[5:], 3),
            genders=(("F", 0.55 + self.rng.random() * 0.2), ("M", 0.0), ("U", 0.03)),
            countries=shares(COUNTRIES, 2),
            cities=shares(CITIES, 2),
        )

    def account(self, spec: _Spec, owner: str, n_past: int | None = None) -> Account:
        account_id = self.account_id(spec.platform)
        created = self.start - self.rng.uniform(700, 760) * DAY
        n_past = 32 + self.rng.randrange(9) if n_past is None else n_past
        # Unique whole seconds keep TikTok's millisecond cursor unambiguous.
        times = sorted({int(self.start - self.rng.uniform(2 * HOUR, 720 * DAY)) for _ in range(n_past)})
        times = sorted({*times, int(self.start - 6 * HOUR)})
        times += [int(self.start + d * DAY) for d in (1, 4, 9)]
        viral_index = self.rng.randrange(len(times) // 3, len(times) - 6)
        posts = []
        for i, t in enumerate(times):
            viral = i == viral_index
            final = int(spec.median_views * self.rng.lognormvariate(0, 0.35) * (30 if viral else 1))
            post = Post(
                id=self.post_id(spec.platform, account_id),
                account_id=account_id,
                created_at=float(t),
                title=f"{spec.name} post #{i + 1}",
                kind=self.rng.choice(spec.kinds),
                duration=self.rng.randint(8, 600) if spec.platform in ("tiktok", "youtube") else 0,
                final_views=max(final, 3),
                tau_hours=self.rng.uniform(18, 96),
                like_rate=self.rng.uniform(0.04, 0.09),
                comment_rate=self.rng.uniform(0.002, 0.01),
                share_rate=self.rng.uniform(0.001, 0.02),
                save_rate=self.rng.uniform(0.002, 0.015),
                viral=viral,
            )
            posts.append(post)
            self.posts[post.id] = post
        genders = self.audience()
        audience = dataclasses.replace(
            genders,
            genders=(("F", genders.genders[0][1]), ("M", 0.97 - genders.genders[0][1]), ("U", 0.03)),
        )
        account = Account(
            platform=spec.platform,
            id=account_id,
            handle=spec.handle,
            name=spec.name,
            bio=f"{spec.name} — seeded creator on {spec.platform}",
            owner=owner,
            created_at=created,
            start_time=self.start,
            followers_at_start=spec.followers,
            following=self.rng.randint(40, 900),
            posts=tuple(posts),
            audience=audience,
            viral_bump=max(spec.followers // 20, 1) if spec.followers >= 100 else 0,
            extra=spec.extra,
        )
        self.accounts[account_id] = account
        return account


def build_world(seed: int, start: float, prolific_posts: int = 0) -> World:
    """Build the seeded creators; same seed and start give the same world, ids included.

    ``prolific_posts``: add a Threads creator with that many posts (from an RNG of its own, so every
    other creator stays the same)."""
    b = _Builder(seed, start)
    logins: list[Login] = []

    def login(platform: str, user_id: str, name: str, email: str, specs: list[_Spec]) -> list[Account]:
        accounts = [b.account(spec, user_id) for spec in specs]
        logins.append(Login(platform, user_id, name, email, tuple(a.id for a in accounts)))
        return accounts

    tt = ("VIDEO",)
    maya = b.account(_Spec("tiktok", "mayamakes", "Maya Makes", 48_200, 21_000, tt), "")
    leo = b.account(_Spec("tiktok", "leo.lifts", "Leo Lifts", 3_150, 1_900, tt), "")
    for acc, email in ((maya, "maya@example.test"), (leo, "leo@example.test")):
        logins.append(Login("tiktok", acc.id, acc.name, email, (acc.id,)))

    ig = ("IMAGE", "VIDEO", "CAROUSEL_ALBUM")
    fb = ("status", "photo", "video")
    ana_bakes_ig = b.account(_Spec("instagram", "ana.bakes", "Ana Bakes", 52_400, 6_800, ig), "")
    ana_travels_ig = b.account(_Spec("instagram", "ana.travels", "Ana Travels", 85, 40, ig), "")
    ben_ig = b.account(_Spec("instagram", "benfixesbikes", "Ben Fixes Bikes", 9_300, 1_400, ig), "")
    pages = [
        _Spec("facebook_page", "anabakes", "Ana Bakes", 12_800, 2_300, fb, (("ig", ana_bakes_ig.id),)),
        _Spec("facebook_page", "anatravels", "Ana Travels", 640, 180, fb, (("ig", ana_travels_ig.id),)),
        _Spec("facebook_page", "souzakitchen", "Souza Family Kitchen", 2_100, 350, fb),
    ]
    login("meta", b.digits("10215", 17), "Ana Souza", "ana@example.test", pages)
    login(
        "meta",
        b.digits("10216", 17),
        "Ben Okafor",
        "ben@example.test",
        [_Spec("facebook_page", "benfixesbikes", "Ben Fixes Bikes", 4_100, 600, fb, (("ig", ben_ig.id),))],
    )
    for acc in (ana_bakes_ig, ana_travels_ig, ben_ig):
        b.accounts[acc.id] = dataclasses.replace(acc, owner=_page_owner(b.accounts, logins, acc.id))

    th = ("TEXT_POST", "IMAGE", "CAROUSEL_ALBUM")
    for handle, name, followers, median in (
        ("ana.bakes", "Ana Bakes", 7_300, 900),
        ("ben.okafor", "Ben", 60, 25),
    ):
        account = b.account(_Spec("threads", handle, name, followers, median, th), "")
        b.accounts[account.id] = dataclasses.replace(account, owner=account.id)
        logins.append(Login("threads", account.id, name, f"{handle}@example.test", (account.id,)))

    yt = ("VIDEO",)
    for handle, name, email, subs, median in (
        ("anabakes", "Ana Bakes", "ana@example.test", 121_000, 18_000),
        ("kaicodes", "Kai Codes", "kai@example.test", 40, 30),
    ):
        sub = b.digits("1", 21)
        channel = b.account(_Spec("youtube", handle, name, subs, median, yt), sub)
        logins.append(Login("google", sub, name, email, (channel.id,)))
    # youtube.md §2.2: a Google account with no YouTube channel can consent but has nothing to read.
    logins.append(Login("google", b.digits("1", 21), "Noa Park", "noa@example.test", ()))

    if prolific_posts:
        extra = _Builder(seed + 1, start)
        spec = _Spec("threads", "pia.posts", "Pia Posts", 15_000, 800, th)
        pia = extra.account(spec, "", prolific_posts)
        pia = dataclasses.replace(pia, owner=pia.id)
        b.accounts[pia.id] = pia
        b.posts.update(extra.posts)
        logins.append(Login("threads", pia.id, "Pia Posts", "pia@example.test", (pia.id,)))

    for acc_login in logins:
        for account_id in acc_login.account_ids:
            account = b.accounts[account_id]
            if not account.owner:
                b.accounts[account_id] = dataclasses.replace(account, owner=acc_login.user_id)
    return World(logins=tuple(logins), accounts=b.accounts, posts=b.posts)


def _page_owner(accounts: dict[str, Account], logins: list[Login], ig_id: str) -> str:
    for acc_login in logins:
        for account_id in acc_login.account_ids:
            if accounts[account_id].attr("ig") == ig_id:
                return acc_login.user_id
    return ""
