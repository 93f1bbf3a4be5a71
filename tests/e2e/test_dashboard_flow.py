"""The dashboard in a real browser: connect TikTok through the simulator's consent page, sync through
the job clock, read the account's charts, posts, demographics and alerts, export CSV, disconnect."""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import httpx
import pytest
from playwright.sync_api import Page, expect

from devstack.stack import HOST, LocalStack
from tests.e2e.conftest import ApiClient, Visitor, admin_credentials, sign_in

PHONE = {"width": 360, "height": 780}


def wait_for(condition: Callable[[], Any], seconds: float = 45) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("condition not met in time")


def simulator(stack: LocalStack, **knobs: object) -> None:
    httpx.post(f"http://{HOST}:{stack.ports.simulator}/_sim/knobs", json=knobs, timeout=10).raise_for_status()


def connection_named(api: ApiClient, name: str) -> dict[str, Any]:
    return next(c for c in api.get("/api/connections")["items"] if c["account_name"] == name)


def last_sync(api: ApiClient, connection_id: str) -> str:
    found = next(c for c in api.get("/api/connections")["items"] if c["id"] == connection_id)
    return str(found["last_sync_at"] or "")


def summary(api: ApiClient, connection_id: str) -> dict[str, Any]:
    roster = api.get("/api/dashboard/roster")
    accounts = [a for creator in roster["creators"] for a in creator["accounts"]]
    return next(a for a in accounts if a["connection_id"] == connection_id)


class History:
    """Gives a freshly connected account a past, then syncs it again through the job clock.

    A connection made now has one follower reading; days of history cannot be waited for in a test, so
    the earlier daily readings are written to the metrics table as the worker writes them. Yesterday
    has half today's followers, so the sync the dispatch schedule runs raises a follower-spike alert.
    """

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.prefix = stack.environment["CREATORDECK_TABLE_PREFIX"]
        self.dynamodb = boto3.client(
            "dynamodb",
            endpoint_url=stack.aws_endpoint,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def followers_now(self, connection_id: str) -> int:
        today = datetime.now(UTC).strftime("%Y-%m-%d")
        item = self.dynamodb.get_item(
            TableName=f"{self.prefix}-metrics",
            Key={"pk": {"S": f"SERIES#{connection_id}#PROFILE"}, "sk": {"S": today}},
        )["Item"]
        return int(item["followers"]["N"])

    def add_past_readings(self, connection_id: str, days: int = 20) -> None:
        followers = self.followers_now(connection_id)
        for back in range(1, days + 1):
            moment = datetime.now(UTC) - timedelta(days=back)
            value = followers // 2 - (back - 1) * max(followers // 200, 1)
            self.dynamodb.put_item(
                TableName=f"{self.prefix}-metrics",
                Item={
                    "pk": {"S": f"SERIES#{connection_id}#PROFILE"},
                    "sk": {"S": moment.strftime("%Y-%m-%d")},
                    "taken_at": {"S": moment.strftime("%Y-%m-%dT%H:%M:%S.%f+0000")},
                    "followers": {"N": str(value)},
                },
            )

    def sync_now(self, api: ApiClient, connection_id: str) -> None:
        """Makes the account due and runs the dispatch schedule on the job clock; waits for the sync."""
        before = last_sync(api, connection_id)
        assert self.stack.seeded is not None
        self.dynamodb.update_item(
            TableName=f"{self.prefix}-connections",
            Key={
                "pk": {"S": f"WORKSPACE#{self.stack.seeded.workspace_id}"},
                "sk": {"S": f"CONNECTION#{connection_id}"},
            },
            # Due now, and each part (profile, post counters) last ran a day ago.
            UpdateExpression="SET next_sync_at = :past, profile_synced_at = :day, counters_synced_at = :day",
            ExpressionAttributeValues={
                ":past": {"N": str(int(time.time()) - 60)},
                ":day": {"S": (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")},
            },
        )
        run = httpx.post(f"http://{HOST}:{self.stack.ports.clock}/jobs/ingest-dispatch", timeout=90)
        assert run.status_code == 200, run.text
        assert run.json()["run"]["ok"], run.text
        wait_for(lambda: last_sync(api, connection_id) > before)
        # The worker stores the account's summary (growth, engagement) right after the sync.
        wait_for(lambda: summary(api, connection_id)["growth"]["7d"] is not None)


@pytest.fixture(scope="module")
def admin_api(web_stack: LocalStack) -> ApiClient:
    return ApiClient(web_stack, *admin_credentials(web_stack))


def connect_through_api(stack: LocalStack, api: ApiClient, platform: str, user: str) -> None:
    """Consent approved at once by the simulator, as this user; the callback page answers "Connected"."""
    simulator(stack, auto_approve=True, next_user=user)
    try:
        started = api.http.post(f"/api/oauth/{platform}/start", json={})
        started.raise_for_status()
        consent = httpx.get(started.json()["authorization_url"], follow_redirects=False, timeout=15)
        # The callback finishes only with the start's cookie (Secure: httpx would not send it over HTTP).
        cookie = {"Cookie": f"cd_connect={started.cookies['cd_connect']}"}
        callback = httpx.get(consent.headers["location"], headers=cookie, follow_redirects=False, timeout=30)
        assert callback.status_code == 200, callback.text
    finally:
        simulator(stack, auto_approve=False, next_user=None)


@pytest.fixture(scope="module")
def leo(web_stack: LocalStack, admin_api: ApiClient) -> str:
    """Leo's TikTok account, connected through the API, with history and a follower-spike alert."""
    connect_through_api(web_stack, admin_api, "tiktok", "leo@example.test")
    connection_id = str(connection_named(admin_api, "leo.lifts")["id"])
    wait_for(lambda: last_sync(admin_api, connection_id))  # the backfill, taken from the queue by the clock
    history = History(web_stack)
    history.add_past_readings(connection_id)
    history.sync_now(admin_api, connection_id)
    return connection_id


def csv_header(page: Page, link_name: str) -> list[str]:
    with page.expect_download() as download:
        page.get_by_role("link", name=link_name).click()
    path = download.value.path()
    with open(path, newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


def test_connect_tiktok_sync_and_read_the_account(
    visitor: Visitor, web_stack: LocalStack, admin_api: ApiClient
) -> None:
    simulator(web_stack, auto_approve=False, next_user="maya@example.test")
    page = sign_in(visitor, *admin_credentials(web_stack))
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Connections").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connections")
    visitor.shot("connections-empty")

    # Connect: the platform's consent page, approve, back through the API's callback page.
    page.get_by_role("button", name="Connect TikTok").click()
    expect(page.get_by_role("button", name="Approve")).to_be_visible()
    page.get_by_label("Sign in as").select_option(label="Maya Makes (maya@example.test)")
    visitor.shot("tiktok-consent")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connected")
    expect(page.get_by_role("status")).to_contain_text("mayamakes")
    page.get_by_role("link", name="Back to CreatorDeck").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connections")
    expect(page.locator("main")).to_contain_text("mayamakes")
    page.get_by_role("link", name="Overview", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Welcome"))
    expect(page.locator("main")).to_contain_text("1 connected account")

    # The first connect queued a backfill; the job clock took it. Then a scheduled sync runs.
    connection_id = str(connection_named(admin_api, "mayamakes")["id"])
    wait_for(lambda: last_sync(admin_api, connection_id))
    history = History(web_stack)
    history.add_past_readings(connection_id)
    history.sync_now(admin_api, connection_id)

    page.get_by_role("link", name="Open the dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    row = page.get_by_role("row").filter(has_text="mayamakes")
    expect(row).to_contain_text("TikTok")
    expect(row.locator(".change.up").first).to_contain_text("+")  # 7-day growth, signed
    visitor.shot("dashboard")
    assert csv_header(page, "Download the roster as CSV") == [
        "creator", "platform", "account_name", "status", "followers", "growth_7d", "growth_30d",
        "growth_90d", "engagement_rate", "open_alerts", "last_sync_at",
    ]  # fmt: skip

    row.get_by_role("link", name="mayamakes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("mayamakes")
    chart = page.get_by_role("img", name=re.compile("Followers over 90 days"))
    expect(chart).to_be_visible()
    expect(chart.locator("canvas")).to_have_count(1)
    top = page.get_by_role("region", name="Top posts by views")
    expect(top.locator("tbody tr").first).to_be_visible()
    visitor.shot("account-detail")
    page.get_by_role("button", name="30 days").click()
    expect(page.get_by_role("img", name=re.compile("Followers over 30 days"))).to_be_visible()
    page.get_by_text("Show the numbers as a table").first.click()
    expect(page.get_by_role("table", name="Followers per day").locator("tbody tr")).to_have_count(21)
    assert csv_header(page, "Download followers CSV") == ["date", "followers"]

    page.get_by_role("navigation", name="Account pages").get_by_role("link", name="Demographics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audience of mayamakes")
    expect(page.get_by_role("heading", name="Demographics are not available")).to_be_visible()
    visitor.shot("demographics-unavailable")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_facebook_pages_are_chosen_on_the_callback_page(visitor: Visitor, web_stack: LocalStack) -> None:
    simulator(web_stack, auto_approve=False, next_user="ana@example.test")
    page = sign_in(visitor, *admin_credentials(web_stack))
    visitor.open("/connections")
    page.get_by_role("button", name="Connect Facebook Page").click()
    page.get_by_role("button", name="Approve").click()
    # Meta's login offers several Pages: the API's callback page asks which, with the session cookie.
    expect(page.get_by_role("heading", level=1)).to_have_text("Which Facebook accounts?")
    boxes = page.get_by_role("checkbox")
    for index in range(1, boxes.count()):
        boxes.nth(index).uncheck()
    visitor.shot("facebook-choose-pages")
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_role("status")).to_contain_text("Connected")
    visitor.open("/connections")
    item = page.locator("li.connection").filter(has_text="Facebook Page")
    expect(item).to_have_count(1)  # only the ticked Page
    expect(item).to_contain_text("Connected and syncing")


def test_posts_sort_by_views_page_and_open_a_post(visitor: Visitor, web_stack: LocalStack, leo: str) -> None:
    page = sign_in(visitor, *admin_credentials(web_stack))
    visitor.open(f"/accounts/{leo}/posts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Posts of leo.lifts")
    table = page.get_by_role("region", name="Posts")
    expect(table.locator("tbody tr").first).to_be_visible()
    views = table.get_by_role("columnheader", name=re.compile("Views"))
    expect(views).to_have_attribute("aria-sort", "none")
    views.get_by_role("button").focus()  # sorting works from the keyboard
    page.keyboard.press("Enter")
    expect(views).to_have_attribute("aria-sort", "descending")
    expect(page.get_by_role("status").filter(has_text="sorting")).to_have_count(0)

    def view_counts() -> list[int]:
        cells = table.locator("tbody tr td:nth-child(3)").all_inner_texts()
        return [int(re.sub(r"\D", "", c) or 0) for c in cells]

    def counts_once_sorted(descending: bool) -> list[int]:
        """The rows follow the header a moment after it changes (the new page is fetched)."""
        deadline = time.monotonic() + 10
        while (counts := view_counts()) != sorted(counts, reverse=descending) and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        return counts

    counts = counts_once_sorted(descending=True)
    assert counts == sorted(counts, reverse=True)
    views.get_by_role("button").click()
    expect(views).to_have_attribute("aria-sort", "ascending")
    counts = counts_once_sorted(descending=False)
    assert counts == sorted(counts)
    visitor.shot("posts")
    more = page.get_by_role("button", name="Load more posts")
    if more.count():
        shown = table.locator("tbody tr").count()
        more.click()
        expect(table.locator("tbody tr")).not_to_have_count(shown)

    table.locator("tbody tr").first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(page.locator(".account-facts")).to_contain_text("TikTok")
    expect(page.get_by_role("img", name=re.compile("readings of this post"))).to_be_visible()
    visitor.shot("post")
    assert csv_header(page, "Download history CSV") == [
        "taken_at",
        "views",
        "likes",
        "comments",
        "shares",
        "saves",
    ]


def test_alerts_are_acknowledged_and_leave_the_open_list(
    visitor: Visitor, web_stack: LocalStack, leo: str
) -> None:
    page = sign_in(visitor, *admin_credentials(web_stack))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Alerts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alerts")
    alert = page.locator(".alert-item").filter(has_text="leo.lifts").first
    expect(alert).to_be_visible()
    visitor.shot("alerts")
    assert csv_header(page, "Download open alerts as CSV")[:2] == ["id", "kind"]
    open_before = page.locator(".alert-item").count()
    alert.get_by_role("button", name=re.compile("Acknowledge")).click()
    expect(page.get_by_text("Acknowledged").first).to_be_visible()
    page.get_by_label("All alerts").check()
    expect(page.locator(".alert-item.done").first).to_be_visible()
    page.get_by_label("Open alerts").check()
    expect(page.locator(".alert-item")).to_have_count(open_before - 1)
    alert_link = page.locator(".alert-item a").first
    if alert_link.count():
        alert_link.click()
        expect(page.get_by_role("navigation", name="Account pages")).to_be_visible()


def test_youtube_audience_shows_bars_with_a_table(
    visitor: Visitor, web_stack: LocalStack, admin_api: ApiClient
) -> None:
    connect_through_api(web_stack, admin_api, "youtube", "ana@example.test")
    channel = next(c for c in admin_api.get("/api/connections")["items"] if c["platform"] == "youtube")
    wait_for(lambda: last_sync(admin_api, channel["id"]))
    page = sign_in(visitor, *admin_credentials(web_stack))
    visitor.open(f"/accounts/{channel['id']}/demographics")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Audience of {channel['account_name']}")
    countries = page.get_by_role("list", name="Top countries, share of the audience")
    expect(countries.locator("li").first).to_contain_text("%")
    expect(page.locator("main")).to_contain_text("Audience in the United States")
    page.get_by_text("Show as a table").last.click()
    expect(page.get_by_role("table", name="Top countries, share of the audience")).to_be_visible()
    visitor.shot("demographics")
    assert csv_header(page, "Download demographics CSV") == ["dimension", "key", "share"]


def test_settings_save_retention_and_alert_emails(
    visitor: Visitor, web_stack: LocalStack, admin_api: ApiClient
) -> None:
    page = sign_in(visitor, *admin_credentials(web_stack))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    retention = page.get_by_label("Keep metrics for (days)")
    bounds = admin_api.get("/api/workspace")["retention_bounds"]
    expect(retention).to_have_attribute("min", str(bounds["min"]))
    retention.fill("400")
    page.get_by_role("button", name="Save workspace settings").click()
    expect(page.get_by_role("status").filter(has_text="Workspace settings saved")).to_be_visible()
    assert admin_api.get("/api/workspace")["retention_days"] == 400
    # The form settles on the saved window (its "shorter than before" note goes) before the next click.
    expect(page.get_by_text("new readings are deleted after")).to_have_count(0)

    viral = page.get_by_label(re.compile("^Viral post"))
    was = viral.is_checked()
    viral.set_checked(not was)
    page.get_by_role("button", name="Save alert e-mails").click()
    expect(page.get_by_role("status").filter(has_text="alert e-mails are saved")).to_be_visible()
    assert admin_api.get("/api/me/alert-preferences")["email"]["viral_post"] is (not was)
    visitor.shot("settings")


def test_screens_fit_a_phone(new_visitor: Callable[..., Visitor], web_stack: LocalStack, leo: str) -> None:
    phone = new_visitor(viewport=PHONE)
    page = sign_in(phone, *admin_credentials(web_stack))
    for path, name in (
        ("/dashboard", "phone-dashboard"),
        (f"/accounts/{leo}", "phone-account"),
        (f"/accounts/{leo}/posts", "phone-posts"),
        ("/alerts", "phone-alerts"),
        ("/connections", "phone-connections"),
        ("/settings", "phone-settings"),
    ):
        phone.open(path)
        expect(page.get_by_role("status").filter(has_text="Loading")).to_have_count(0)
        expect(page.locator("h1")).to_be_visible()
        # Charts are drawn once uPlot's chunk has loaded.
        # (a locator, not wait_for_function: the app's CSP forbids the eval that one needs)
        expect(page.locator(".chart-box:not(:has(canvas))")).to_have_count(0)
        # Nothing wider than the screen but the tables, which scroll inside their own region.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        phone.shot(name)

    # An account that is not there (or not visible) is the API's 404, shown with its request id.
    phone.open("/accounts/no-such-account")
    expect(page.get_by_role("alert")).to_contain_text("Request id")
    phone.shot("phone-account-not-found")


def test_disconnect_asks_first_then_stops_the_account(
    visitor: Visitor, web_stack: LocalStack, admin_api: ApiClient, leo: str
) -> None:
    page = sign_in(visitor, *admin_credentials(web_stack))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Connections").click()
    item = page.locator("li.connection").filter(has_text="leo.lifts")
    expect(item).to_contain_text("Connected and syncing")
    expect(item).to_contain_text("video.list")
    visitor.shot("connections")
    item.get_by_role("button", name=re.compile("Disconnect…")).click()
    expect(item.get_by_role("group", name=re.compile("Confirm disconnecting"))).to_be_visible()
    visitor.shot("connections-confirm-disconnect")
    item.get_by_role("button", name="Disconnect leo.lifts on TikTok").click()
    expect(page.get_by_role("status").filter(has_text="is disconnected")).to_be_visible()
    gone = [c for c in admin_api.get("/api/connections")["items"] if c["id"] == leo]
    assert not gone or gone[0]["status"] == "disconnected"
