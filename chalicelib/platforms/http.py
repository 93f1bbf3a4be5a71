"""The shared HTTP client that drives provider flows: timeouts, retries, rate limits, error kinds.

``PlatformClient`` (sync, ``httpx.Client``) and ``AsyncPlatformClient`` (``httpx.AsyncClient``, bounded
concurrency) run the same provider flows (see :mod:`chalicelib.platforms.base`) and share one
``_Engine`` for every decision that is not I/O:

* **Timeouts** per call from ``RetryPolicy.timeout``, shortened to what is left of the ``Deadline``.
* **Retries** on 429, 5xx, timeouts and connection errors, with jittered exponential backoff; a
  ``Retry-After`` is honoured (never retried sooner). A wait longer than ``max_sleep`` or than the
  deadline allows is not slept: the error is raised (``RateLimitedError.retry_after`` tells the caller
  how long to delay its SQS message). A Lambda therefore never sleeps or retries past its time.
  Calls marked ``idempotent=False`` are retried only when the platform surely did not act (a 429, a
  refused connection), never after a 5xx or a read timeout.
* **Client-side rate limits** (async client, :mod:`chalicelib.platforms.rate_limits`): a token bucket per
  (platform, endpoint class) at the documented rate and a cap on each platform's calls in flight. A
  call waits for its token, never fails for it, unless the wait would pass the ``Deadline``: then it
  raises ``RateLimitedError`` (``retry_after`` = the wait) without sending, and SQS brings the message
  back. The buckets are per container: the first line; the reactive rules below are the second.
* **Meta usage headers** (``X-App-Usage``, ``X-Business-Use-Case-Usage``): the highest percentage
  seen for the app and for the business object is remembered for ``usage_memory`` seconds; above
  ``usage_threshold`` (90%) the next call to that app/object first pauses, longer as usage nears 100%.
* **Errors** are classified on each platform's structured codes into the kinds of ``PlatformError``,
  chained (``from``) to the ``httpx`` error that carried them.

Clocks, sleep and randomness are injected so tests never really sleep.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Protocol, TypeVar

import httpx

from chalicelib.domain.platforms import Platform
from chalicelib.platforms.base import (
    Call,
    Dialect,
    Flow,
    Parallel,
    PlatformError,
    RateLimitedError,
    RetryLaterError,
    Step,
)
from chalicelib.platforms.classify import classify, response_body
from chalicelib.platforms.rate_limits import RateLimits
from chalicelib.platforms.usage import Usage, parse_usage_headers

__all__ = ["AsyncPlatformClient", "Deadline", "LambdaContext", "PlatformClient", "RetryPolicy", "classify"]

T = TypeVar("T")


# Seconds of an invocation a rate-limit wait leaves for what follows the calls (the sync's writes).
TOKEN_WAIT_RESERVE: Final = 5.0


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_sleep: float = 30.0
    min_call_time: float = 1.0
    timeout: httpx.Timeout = field(default_factory=lambda: httpx.Timeout(10.0, connect=3.0))
    usage_threshold: float = 90.0
    usage_pause: float = 30.0
    usage_memory: float = 300.0


class LambdaContext(Protocol):
    def get_remaining_time_in_millis(self) -> int: ...


class Deadline:
    """A point on a monotonic clock after which no call starts and no retry waits."""

    def __init__(self, at: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._at = at
        self._clock = clock

    @classmethod
    def after(cls, seconds: float, clock: Callable[[], float] = time.monotonic) -> Deadline:
        return cls(clock() + seconds, clock)

    @classmethod
    def from_lambda_context(
        cls, context: LambdaContext, reserve: float = 3.0, clock: Callable[[], float] = time.monotonic
    ) -> Deadline:
        """The invocation's remaining time, less ``reserve`` seconds to save results and report."""
        return cls.after(context.get_remaining_time_in_millis() / 1000 - reserve, clock)

    def remaining(self) -> float:
        return self._at - self._clock()


# ---- the engine: every decision that is not I/O -------------------------------------------------


class _Engine:
    def __init__(
        self,
        policy: RetryPolicy,
        clock: Callable[[], float],
        wall_clock: Callable[[], datetime],
        rng: random.Random,
    ) -> None:
        self.policy = policy
        self.clock = clock
        self.wall_clock = wall_clock
        self.rng = rng
        self._usage: dict[tuple[str, str], Usage] = {}

    def build(
        self, http: httpx.Client | httpx.AsyncClient, call: Call, deadline: Deadline | None
    ) -> httpx.Request:
        timeout = self.policy.timeout
        if deadline is not None:
            left = deadline.remaining()
            if left < self.policy.min_call_time:
                raise RetryLaterError(
                    "No time left before the deadline to call the platform.", platform=call.platform.value
                )
            timeout = httpx.Timeout(
                connect=min(left, timeout.connect or left),
                read=min(left, timeout.read or left),
                write=min(left, timeout.write or left),
                pool=min(left, timeout.pool or left),
            )
        headers = {"Accept": "application/json"}
        if call.token is not None:
            headers["Authorization"] = f"Bearer {call.token.reveal()}"
        return http.build_request(
            call.method,
            call.url,
            params=dict(call.params) or None,
            data=dict(call.form) if call.form is not None else None,
            json=call.json,
            headers=headers,
            timeout=timeout,
        )

    def accept(self, call: Call, response: httpx.Response) -> Any:
        """The decoded body of a successful response; raises the mapped ``PlatformError`` otherwise."""
        self._record_usage(call, response)
        error = classify(call, response, self.wall_clock())
        if error is None:
            return response_body(response)
        status_error = httpx.HTTPStatusError(
            f"{call.platform.value} answered {response.status_code}",
            request=response.request,
            response=response,
        )
        raise error from status_error

    def transport_failure(self, call: Call, exc: httpx.TransportError) -> RetryLaterError:
        kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "could not be reached"
        failure = RetryLaterError(f"The platform {kind}.", platform=call.platform.value)
        failure.__cause__ = exc
        return failure

    def retry_delay(
        self, call: Call, failure: PlatformError, attempt: int, deadline: Deadline | None
    ) -> float | None:
        """Seconds to wait before the next attempt, or None to give up and raise ``failure``."""
        if not isinstance(failure, RateLimitedError | RetryLaterError):
            return None
        not_acted = isinstance(failure, RateLimitedError) or isinstance(
            failure.__cause__, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout
        )
        if not (call.idempotent or not_acted) or attempt >= self.policy.max_attempts:
            return None
        policy = self.policy
        delay = min(policy.max_delay, policy.base_delay * 2.0 ** (attempt - 1)) * self.rng.uniform(0.5, 1.0)
        retry_after = failure.retry_after if isinstance(failure, RateLimitedError) else None
        if retry_after is not None:
            delay = max(delay, retry_after)
        if delay > policy.max_sleep:
            return None
        if deadline is not None and deadline.remaining() < delay + policy.min_call_time:
            return None
        return delay

    def usage_pause(self, call: Call, deadline: Deadline | None) -> float:
        """Seconds to wait before ``call`` because Meta said we are near a limit (raises if too long)."""
        now = self.clock()
        worst: Usage | None = None
        for key in self._usage_keys(call):
            usage = self._usage.get(key)
            if usage is None or now - usage.seen_at > self.policy.usage_memory:
                continue
            if worst is None or (usage.percent, usage.regain_seconds) > (worst.percent, worst.regain_seconds):
                worst = usage
        policy = self.policy
        if worst is None or (worst.percent <= policy.usage_threshold and not worst.regain_seconds):
            return 0.0
        scale = (min(worst.percent, 100.0) - policy.usage_threshold) / (100.0 - policy.usage_threshold)
        pause = max(worst.regain_seconds, policy.usage_pause * max(scale, 0.0))
        if pause > policy.max_sleep or (
            deadline is not None and deadline.remaining() < pause + policy.min_call_time
        ):
            raise RateLimitedError(
                f"Meta usage is at {worst.percent:.0f}%; backing off.",
                retry_after=pause,
                platform=call.platform.value,
            )
        return pause

    def _usage_keys(self, call: Call) -> list[tuple[str, str]]:
        if call.dialect is not Dialect.GRAPH:
            return []
        host = httpx.URL(call.url).host
        keys = [(host, "app")]
        if call.usage_key is not None:
            keys.append((host, call.usage_key))
        return keys

    def _record_usage(self, call: Call, response: httpx.Response) -> None:
        if call.dialect is not Dialect.GRAPH:
            return
        host = httpx.URL(call.url).host
        now = self.clock()
        for key, (percent, regain) in parse_usage_headers(response.headers).items():
            self._usage[(host, key)] = Usage(percent, regain, now)


def _run_flow_step(flow: Flow[T], reply: Any, error: PlatformError | None) -> tuple[bool, Any]:
    """Advance ``flow``; (True, result) when it returned, (False, next step) otherwise."""
    try:
        step = flow.throw(error) if error is not None else flow.send(reply)
    except StopIteration as stop:
        return True, stop.value
    return False, step


class PlatformClient:
    """Runs provider flows over a synchronous ``httpx.Client`` (the OAuth callback path)."""

    def __init__(
        self,
        http: httpx.Client,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        rng: random.Random | None = None,
    ) -> None:
        self._http = http
        self._sleep = sleep
        self._engine = _Engine(policy or RetryPolicy(), clock, wall_clock, rng or random.Random())

    def deadline(self, seconds: float) -> Deadline:
        return Deadline.after(seconds, self._engine.clock)

    def run(self, flow: Flow[T], deadline: Deadline | None = None) -> T:
        reply: Any = None
        error: PlatformError | None = None
        while True:
            done, value = _run_flow_step(flow, reply, error)
            if done:
                return value  # type: ignore[no-any-return]
            reply, error = None, None
            try:
                reply = self._step(value, deadline)
            except PlatformError as exc:
                error = exc

    def _step(self, step: Step, deadline: Deadline | None) -> Any:
        if isinstance(step, Parallel):
            replies: list[Any] = []
            for call in step.calls:
                try:
                    replies.append(self._send(call, deadline))
                except PlatformError as exc:
                    if not step.return_errors:
                        raise
                    replies.append(exc)
            return replies
        return self._send(step, deadline)

    def _send(self, call: Call, deadline: Deadline | None) -> Any:
        engine = self._engine
        for attempt in itertools.count(1):
            pause = engine.usage_pause(call, deadline)
            if pause:
                self._sleep(pause)
            request = engine.build(self._http, call, deadline)
            try:
                response = self._http.send(request)
            except httpx.TransportError as exc:
                failure: PlatformError = engine.transport_failure(call, exc)
            else:
                try:
                    return engine.accept(call, response)
                except PlatformError as exc:
                    failure = exc
            delay = engine.retry_delay(call, failure, attempt, deadline)
            if delay is None:
                raise failure
            self._sleep(delay)
        raise AssertionError("unreachable")


class AsyncPlatformClient:
    """Runs provider flows over ``httpx.AsyncClient``; at most ``max_concurrency`` requests in flight.

    ``rate_limits`` (shared by every client of the container, see :mod:`chalicelib.platforms.rate_limits`)
    adds a token bucket per (platform, endpoint class) and a cap per platform on calls in flight. A
    call takes its platform's slot, then a shared slot, then its token, and is sent as soon as the
    token is due: nothing stands between the wait and the send, so the platform sees the bucket's pace.
    A call waiting for its token holds a shared slot, which is why a platform's cap stays below
    ``max_concurrency`` (24 of 32 by default): a throttled platform never holds every slot.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        policy: RetryPolicy | None = None,
        *,
        max_concurrency: int = 8,
        rate_limits: RateLimits | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        rng: random.Random | None = None,
    ) -> None:
        self._http = http
        self._sleep = sleep
        self._limit = max_concurrency
        self._rate_limits = rate_limits
        self._semaphore: asyncio.Semaphore | None = None
        self._platform_slots: dict[Platform, asyncio.Semaphore] = {}
        self._engine = _Engine(policy or RetryPolicy(), clock, wall_clock, rng or random.Random())

    def deadline(self, seconds: float) -> Deadline:
        return Deadline.after(seconds, self._engine.clock)

    async def run(self, flow: Flow[T], deadline: Deadline | None = None) -> T:
        reply: Any = None
        error: PlatformError | None = None
        while True:
            done, value = _run_flow_step(flow, reply, error)
            if done:
                return value  # type: ignore[no-any-return]
            reply, error = None, None
            try:
                reply = await self._step(value, deadline)
            except PlatformError as exc:
                error = exc

    async def gather(
        self, flows: Iterable[Flow[T]], deadline: Deadline | None = None
    ) -> Sequence[T | PlatformError]:
        """Run many flows concurrently; each result is its value or the ``PlatformError`` it ended with."""

        async def one(flow: Flow[T]) -> T | PlatformError:
            try:
                return await self.run(flow, deadline)
            except PlatformError as exc:
                return exc

        return await asyncio.gather(*(one(flow) for flow in flows))

    async def _step(self, step: Step, deadline: Deadline | None) -> Any:
        if isinstance(step, Parallel):
            results = await asyncio.gather(
                *(self._send(call, deadline) for call in step.calls), return_exceptions=True
            )
            for result in results:
                if isinstance(result, BaseException) and not (
                    step.return_errors and isinstance(result, PlatformError)
                ):
                    raise result
            return list(results)
        return await self._send(step, deadline)

    async def _send(self, call: Call, deadline: Deadline | None) -> Any:
        engine = self._engine
        if self._semaphore is None:  # created lazily: it must belong to the running loop
            self._semaphore = asyncio.Semaphore(self._limit)
        for attempt in itertools.count(1):
            pause = engine.usage_pause(call, deadline)
            if pause:
                await self._sleep(pause)
            try:
                async with self._platform_slot(call.platform), self._semaphore:
                    await self._wait_for_token(call, deadline)  # every attempt counts at the platform
                    request = engine.build(self._http, call, deadline)
                    response = await self._http.send(request)
            except httpx.TransportError as exc:
                failure: PlatformError = engine.transport_failure(call, exc)
            else:
                try:
                    return engine.accept(call, response)
                except PlatformError as exc:
                    failure = exc
            delay = engine.retry_delay(call, failure, attempt, deadline)
            if delay is None:
                raise failure
            await self._sleep(delay)
        raise AssertionError("unreachable")

    def _platform_slot(self, platform: Platform) -> contextlib.AbstractAsyncContextManager[Any]:
        cap = self._rate_limits.in_flight(platform) if self._rate_limits is not None else 0
        if not cap:
            return contextlib.nullcontext()
        slots = self._platform_slots.get(platform)
        if slots is None:
            slots = self._platform_slots[platform] = asyncio.Semaphore(cap)
        return slots

    async def _wait_for_token(self, call: Call, deadline: Deadline | None) -> None:
        bucket = self._rate_limits.bucket(call) if self._rate_limits is not None else None
        if bucket is None:
            return
        within = None
        if deadline is not None:
            # Never into the time the sync's writes need after its calls.
            within = deadline.remaining() - self._engine.policy.min_call_time - TOKEN_WAIT_RESERVE
            if within < 0:
                raise RetryLaterError(
                    "No time is left in this invocation for another call.", platform=call.platform.value
                )
        wait = bucket.take(within)
        if wait is None:
            raise RateLimitedError(
                "The platform's rate limit leaves no call before the deadline.",
                retry_after=bucket.due_in(),
                platform=call.platform.value,
            )
        if wait:
            await self._sleep(wait)
