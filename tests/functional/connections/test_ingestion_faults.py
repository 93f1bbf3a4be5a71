"""Ingestion under faults aimed at one part of a sync: nothing lost, nothing twice, no message stuck.

The worker runs through the local job clock; the platforms are the simulator (MockTransport). Faults
are the simulator's own answers, switched on just as a chosen kind of request arrives.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import httpx
import pytest
from moto.core.utils import unix_time_millis

import app as app_module
from chalicelib import bootstrap
from chalicelib.domain.sync_cadence import Cadences
from chalicelib.services import ingestion
from chalicelib.services.ingest_dispatch import IngestDispatcher
from chalicelib.settings import Settings
from chalicelib.storage.posts import PostRepository
from chalicelib.storage.queues import SqsIngestQueue
from chalicelib.storage.sync_schedule import SyncSchedule
from devstack.clock import JobClock, JobRun
from simulator import Knobs, Simulator
from simulator.state import SimConfig
from tests.functional.connections.conftest import PUBLIC_BASE_URL, Flow
from tests.functional.connections.test_ingestion import items_in
from tests.functional.team import Team


@dataclass
class Faults:
    """Makes the simulator fail the next ``left`` requests whose path ``matches`` (and whose query
    holds ``query``), with ``knob``."""

    matches: Callable[[str], bool] = lambda _path: False
    knob: str = "throttle_next"
    left: int = 0
    answer: httpx.Response | None = None  # instead of a knob's fault: this answer
    query: str = ""

    def arm(
        self,
        matches: Callable[[str], bool],
        knob: str,
        times: int,
        answer: httpx.Response | None = None,
        query: str = "",
    ) -> None:
        self.matches, self.knob, self.left, self.answer, self.query = matches, knob, times, answer, query


@pytest.fixture
def sim() -> Simulator:
    return Simulator(SimConfig(prolific_posts=1199), Knobs(auto_approve=True))


@pytest.fixture
def faults() -> Faults:
    return Faults()


@pytest.fixture
def wired(
    aws: Settings, sim: Simulator, faults: Faults, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    def handle(request: httpx.Request) -> httpx.Response:
        request.read()
        if faults.left and faults.query in str(request.url.query) and faults.matches(request.url.path):
            faults.left -= 1
            if faults.answer is not None:
                return httpx.Response(
                    faults.answer.status_code, content=faults.answer.content, headers=faults.answer.headers
                )
            sim.knobs.update({faults.knob: 1})
        return sim.handle(request)

    monkeypatch.setenv("CREATORDECK_PUBLIC_BASE_URL", PUBLIC_BASE_URL)
    bootstrap.reset(platform_transport=httpx.MockTransport(handle), platform_sleep=lambda _s: None)
    yield Settings.from_env()
    bootstrap.reset()


@dataclass
class ReceivingSqs:
    """The real SQS client, keeping the receipt handles the job clock was given (to let time pass)."""

    sqs: Any
    receipts: list[str] = field(default_factory=list)

    def receive_message(self, **kwargs: Any) -> Any:
        answer = self.sqs.receive_message(**kwargs)
        self.receipts += [m["ReceiptHandle"] for m in answer.get("Messages", [])]
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sqs, name)


@pytest.fixture
def sqs(wired: Settings) -> ReceivingSqs:
    return ReceivingSqs(boto3.client("sqs", region_name=wired.aws_region))


@pytest.fixture
def clock(sqs: ReceivingSqs, wired: Settings) -> JobClock:
    return JobClock(app_module, sqs, wired.table_prefix)


def succeeded(run: JobRun) -> bool:
    """The delivery's every message succeeded (one that all failed fails the whole invocation)."""
    return run.ok and not run.failed_message_ids


def hidden(sqs: ReceivingSqs, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"]
    )
    return int(attributes["Attributes"]["ApproximateNumberOfMessagesNotVisible"])


def let_time_pass(sqs: ReceivingSqs, url: str) -> None:
    """The delayed message's wait is over: it may be received again."""
    for receipt in sqs.receipts:
        try:
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=receipt, VisibilityTimeout=0)
        except sqs.sqs.exceptions.ClientError:
            continue  # deleted meanwhile


def connect(team: Team, flow: Flow, platform: str) -> dict[str, Any]:
    """A new workspace's one connection (on Instagram, Ben's: one account, so it connects at once)."""
    admin = team.create_workspace()
    if platform == "instagram":
        flow.knobs(next_user="ben@example.test")
    page = flow.connect(admin, platform)
    assert page.status_code == 200, page.body
    [connection] = flow.connections(admin)
    return connection


def truth_of(flow: Flow, connection: dict[str, Any]) -> dict[str, Any]:
    """The simulator's own view of the connected account (handles repeat across platforms; ids do not)."""
    creators = flow.browser.get("http://simulator.local/_sim/creators").json()
    accounts = [a for login in creators["logins"] for a in login["accounts"]]
    return next(a for a in accounts if a["id"] == connection["account_id"])


def drain_until_done(clock: JobClock, sqs: ReceivingSqs, url: str, rounds: int = 6) -> None:
    """Deliver the queue's messages, letting each delayed one's wait pass, until none is left."""
    for _ in range(rounds):
        clock.drain()
        if not hidden(sqs, url):
            return
        let_time_pass(sqs, url)
    raise AssertionError("the queue still holds messages")


def assert_as_the_platform(wired: Settings, flow: Flow, connection: dict[str, Any]) -> None:
    truth = truth_of(flow, connection)
    metrics = items_in(wired, "metrics")
    mine = [i for i in metrics if connection["id"] in i["pk"]["S"]]
    post_series = [i for i in mine if "#POST#" in i["pk"]["S"]]
    assert len(post_series) == len(truth["posts"])  # one reading per post: none lost, none twice
    assert len([i for i in mine if i["pk"]["S"].endswith("#PROFILE")]) == 1
    stored = PostRepository().recent(connection["id"], 10_000)
    assert sorted(p.post.id for p in stored) == sorted(p["id"] for p in truth["posts"])


@pytest.mark.parametrize("platform", ["instagram", "threads"])
@pytest.mark.parametrize("knob", ["throttle_next", "server_error_next"])
def test_a_burst_of_faults_on_post_counters_loses_and_duplicates_nothing(
    team: Team,
    flow: Flow,
    clock: JobClock,
    sqs: ReceivingSqs,
    faults: Faults,
    wired: Settings,
    platform: str,
    knob: str,
) -> None:
    # GIVEN a new connection whose post counters meet more faults in a row than one delivery retries
    connection = connect(team, flow, platform)
    faults.arm(insights_of_a_post, knob, 3 if knob == "throttle_next" else 6)

    # WHEN the backfill runs, fails, and comes back (a throttle after its retry_after)
    drain_until_done(clock, sqs, wired.ingest_queue_url)
    assert not succeeded(clock.history[0])

    # THEN every post has exactly one reading, as the platform says
    assert succeeded(clock.history[-1])
    assert_as_the_platform(wired, flow, connection)


FORBIDDEN = {"error": {"code": 403, "message": "Forbidden", "errors": [{"reason": "forbidden"}]}}
INVALID = {"error": {"code": 100, "message": "(#100) Invalid parameter", "type": "OAuthException"}}
IG_ACCOUNT = "178414"  # the simulator's Instagram account ids start so; media ids do not


def insights_of_a_post(path: str) -> bool:
    node = path.rstrip("/").split("/")[-2]
    return path.endswith("/insights") and node.isdigit() and not node.startswith(IG_ACCOUNT)


def audience_of_an_instagram_account(path: str) -> bool:
    return path.endswith("/insights") and path.rstrip("/").split("/")[-2].startswith(IG_ACCOUNT)


REFUSALS: dict[str, tuple[Callable[[str], bool], httpx.Response]] = {
    # YouTube Analytics: the channel's reports are forbidden to this app.
    "youtube": (lambda path: "/v2/reports" in path, httpx.Response(403, json=FORBIDDEN)),
    # Instagram: follower_demographics refused with code 100 for an account above the threshold.
    "instagram": (audience_of_an_instagram_account, httpx.Response(400, json=INVALID)),
}


@pytest.mark.parametrize("platform", sorted(REFUSALS))
def test_a_demographics_refusal_keeps_profile_and_posts_and_the_message_out_of_the_dlq(
    team: Team, flow: Flow, clock: JobClock, faults: Faults, wired: Settings, platform: str
) -> None:
    # GIVEN a platform refusing the account's audience however often it is asked
    connection = connect(team, flow, platform)
    matches, answer = REFUSALS[platform]
    faults.arm(matches, "", 100, answer)

    # WHEN the backfill runs
    assert clock.drain() == 1

    # THEN the profile and the posts are stored, the message succeeded, and nothing is left to retry
    assert succeeded(clock.history[-1])
    assert_as_the_platform(wired, flow, connection)
    assert clock.drain() == 0
    demographics = [i for i in items_in(wired, "metrics") if i["pk"]["S"].endswith("#DEMOGRAPHICS")]
    assert len(demographics) == 1  # stored as "not available", not retried


def test_a_long_retry_after_keeps_the_message_from_sqs_until_then(
    team: Team, flow: Flow, clock: JobClock, sqs: ReceivingSqs, faults: Faults, wired: Settings
) -> None:
    # GIVEN Meta throttling the app (code 4: retry in 600 s, longer than an invocation waits)
    connection = connect(team, flow, "threads")
    faults.arm(lambda path: "/threads" in path, "throttle_next", 1)

    # WHEN the backfill meets it
    assert clock.drain() == 1

    # THEN the message is neither deleted nor receivable before its retry_after
    assert not succeeded(clock.history[-1])
    received = sqs.sqs.receive_message(QueueUrl=wired.ingest_queue_url, WaitTimeSeconds=0)
    assert not received.get("Messages")
    assert hidden(sqs, wired.ingest_queue_url) == 1
    let_time_pass(sqs, wired.ingest_queue_url)
    assert clock.drain() == 1
    assert succeeded(clock.history[-1])
    assert_as_the_platform(wired, flow, connection)


def connect_pia(team: Team, flow: Flow) -> dict[str, Any]:
    """The Threads creator with 1,200 posts."""
    admin = team.create_workspace()
    flow.knobs(next_user="pia@example.test")
    assert flow.connect(admin, "threads").status_code == 200
    [connection] = flow.connections(admin)
    assert len(truth_of(flow, connection)["posts"]) == 1200
    return connection


def test_a_backfill_of_1200_posts_stores_them_all_across_follow_up_messages(
    team: Team, flow: Flow, clock: JobClock, wired: Settings
) -> None:
    # GIVEN a Threads creator with 1,200 posts
    connection = connect_pia(team, flow)

    # WHEN the backfill runs (500 posts' counters a message)
    assert clock.drain() == 3

    # THEN all 1,200 are stored, each with one reading
    assert all(succeeded(run) for run in clock.history)
    assert_as_the_platform(wired, flow, connection)


def test_a_backfill_short_of_time_saves_what_it_read_and_goes_on_in_a_follow_up(
    team: Team, flow: Flow, clock: JobClock, wired: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a 1,200-post backfill whose invocations never have a chunk's reserve left after one chunk
    connection = connect_pia(team, flow)
    monkeypatch.setattr(ingestion, "BACKFILL_RESERVE", 3600.0)

    # WHEN it runs: one chunk of counters per message
    assert clock.drain() == 1200 // ingestion.BACKFILL_CHUNK

    # THEN all 1,200 are stored, each with one reading
    assert all(succeeded(run) for run in clock.history)
    assert_as_the_platform(wired, flow, connection)


NOT_ENOUGH_VIEWERS = {
    "error": {
        "code": 10,
        "message": "(#10) Not enough viewers for the media to show insights",
        "type": "OAuthException",
    }
}
UNSUPPORTED_METRIC = {
    "error": {
        "code": 100,
        "message": (
            "(#100) The Media Insights API does not support the views metric for this media product type"
        ),
        "type": "OAuthException",
    }
}


@pytest.mark.parametrize(
    "answer", [NOT_ENOUGH_VIEWERS, UNSUPPORTED_METRIC], ids=["few-viewers", "unsupported"]
)
def test_a_post_that_has_no_reading_to_give_is_left_out_and_the_sync_succeeds(
    team: Team,
    flow: Flow,
    clock: JobClock,
    faults: Faults,
    wired: Settings,
    answer: dict[str, Any],
) -> None:
    # GIVEN an Instagram account one of whose posts the platform will never give insights for
    connection = connect(team, flow, "instagram")
    faults.arm(insights_of_a_post, "", 1, httpx.Response(400, json=answer))

    # WHEN the backfill runs
    clock.drain()

    # THEN it succeeds at once (no retry can change that answer), and every other post has its reading
    assert succeeded(clock.history[-1])
    truth = truth_of(flow, connection)
    post_series = [
        i for i in items_in(wired, "metrics") if connection["id"] in i["pk"]["S"] and "#POST#" in i["pk"]["S"]
    ]
    assert len(post_series) == len(truth["posts"]) - 1


def next_sync_at(wired: Settings, connection: dict[str, Any]) -> datetime:
    [item] = [i for i in items_in(wired, "connections") if i["sk"]["S"] == f"CONNECTION#{connection['id']}"]
    return datetime.fromtimestamp(int(item["next_sync_at"]["N"]), UTC)


def dispatch_at(wired: Settings, moment: datetime) -> dict[str, int]:
    """The scheduled dispatcher, run at ``moment``."""
    queue = SqsIngestQueue(boto3.client("sqs", region_name=wired.aws_region), wired.ingest_queue_url)
    return IngestDispatcher(SyncSchedule(), queue, lambda: moment).run()


@pytest.mark.parametrize("knob", ["throttle_next", "server_error_next"])
def test_a_failed_sync_is_not_queued_again_by_the_dispatcher_while_sqs_still_holds_it(
    team: Team,
    flow: Flow,
    clock: JobClock,
    sqs: ReceivingSqs,
    faults: Faults,
    wired: Settings,
    knob: str,
) -> None:
    # GIVEN a platform failing every post's counters (an outage, or a throttle)
    connection = connect(team, flow, "threads")
    faults.arm(insights_of_a_post, knob, 1000)
    started = datetime.now(UTC)

    # WHEN the sync fails (profile and demographics saved, the counters still due)
    assert clock.drain() == 1
    assert not succeeded(clock.history[-1])

    # THEN the connection is not due before SQS can bring the message back, and the dispatcher's
    # runs over the next hour queue nothing more for it
    assert next_sync_at(wired, connection) >= started + Cadences().counters_every - timedelta(seconds=1)
    for minutes in (15, 30, 45, 60):
        assert dispatch_at(wired, started + timedelta(minutes=minutes)) == {"queued": 0, "failed": 0}
    assert hidden(sqs, wired.ingest_queue_url) == 1
    # and once the platform answers, the redelivered message completes the sync
    faults.left = 0
    drain_until_done(clock, sqs, wired.ingest_queue_url)
    assert succeeded(clock.history[-1])
    assert_as_the_platform(wired, flow, connection)


def is_the_audience(path: str) -> bool:
    return path.rstrip("/").endswith("/threads_insights")


def test_a_backfill_message_that_fails_sends_no_follow_up_so_no_second_chain_starts(
    team: Team, flow: Flow, clock: JobClock, sqs: ReceivingSqs, faults: Faults, wired: Settings
) -> None:
    # GIVEN the 1,200-post creator, whose audience fails with 5xx on the first message's delivery
    connection = connect_pia(team, flow)
    faults.arm(is_the_audience, "server_error_next", 1000, query="follower_demographics")

    # WHEN the first message fails (its first 500 posts' counters saved) and comes back
    assert clock.drain() == 1
    assert not succeeded(clock.history[-1])
    faults.left = 0
    let_time_pass(sqs, wired.ingest_queue_url)
    delivered = clock.drain()

    # THEN one chain of follow-ups ends the backfill: the redelivery and two follow-ups, no more
    assert delivered == 3
    assert all(succeeded(run) for run in clock.history[-3:])
    assert not hidden(sqs, wired.ingest_queue_url)
    assert_as_the_platform(wired, flow, connection)


def test_a_throttle_in_a_later_chunk_of_a_backfill_delays_the_follow_up_by_its_retry_after(
    team: Team,
    flow: Flow,
    clock: JobClock,
    sqs: ReceivingSqs,
    faults: Faults,
    wired: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN the 1,200-post creator, and Meta throttling the app (code 4: retry in 600 s) once the
    # backfill's first chunk of counters is read
    connection = connect_pia(team, flow)
    counted = itertools.count()
    faults.arm(
        lambda path: insights_of_a_post(path) and next(counted) >= ingestion.BACKFILL_CHUNK,
        "throttle_next",
        1,
    )

    # WHEN the first message meets it
    assert clock.drain() == 1

    # THEN what was read is saved, the message succeeds, and the follow-up waits out the retry_after
    assert succeeded(clock.history[-1])
    assert delayed(sqs, wired.ingest_queue_url) == 1
    monkeypatch.setattr("moto.sqs.models.unix_time_millis", lambda: unix_time_millis() + 590_000)
    assert clock.drain() == 0
    monkeypatch.setattr("moto.sqs.models.unix_time_millis", lambda: unix_time_millis() + 610_000)
    assert clock.drain() == 3  # 1,100 posts left: 500, 500 and 100 a message
    assert all(succeeded(run) for run in clock.history)
    assert_as_the_platform(wired, flow, connection)


def delayed(sqs: ReceivingSqs, url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesDelayed"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessagesDelayed"])
