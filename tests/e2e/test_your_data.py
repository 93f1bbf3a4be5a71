"""A member's own data in a real browser: export and download it, delete the creator data, delete the
account (and be signed out for good), and an admin deleting a member's data from the Team screen.

Each test makes its own members through invitations: the stack is shared, and the seeded admin is
only ever refused (the last admin's 409), never deleted.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from devstack.stack import LocalStack
from tests.e2e.conftest import PASSWORD, ApiClient, Visitor, add_member, admin_credentials, sign_in
from tests.e2e.test_dashboard_flow import PHONE, connect_through_api, wait_for

CODE = re.compile(r"^[0-9A-F]{32}$")


@pytest.fixture(scope="module")
def admin_api(web_stack: LocalStack) -> ApiClient:
    return ApiClient(web_stack, *admin_credentials(web_stack))


def owned_connections(api: ApiClient, member_email: str) -> list[dict[str, Any]]:
    members = api.get("/api/members")["items"]
    member_id = next(m["id"] for m in members if m["email"] == member_email)
    return [c for c in api.get("/api/connections")["items"] if c.get("owner_member_id") == member_id]


def open_account(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account")
    expect(page.get_by_role("status").filter(has_text="Loading")).to_have_count(0)


def fits(page: Page) -> bool:
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width <= PHONE["width"]


def test_a_member_exports_their_data_and_downloads_a_zip_of_json_files(
    visitor: Visitor, web_stack: LocalStack, admin_api: ApiClient
) -> None:
    add_member(web_stack, admin_api, "noor@example.com", "Noor Export")
    page = sign_in(visitor, "noor@example.com", PASSWORD)
    open_account(page)
    export = page.get_by_role("group", name="Export your data")
    expect(page.locator("main")).not_to_contain_text("coming soon")
    export.get_by_role("button", name="Export my data").click()
    link = export.get_by_role("link", name="Download your data (ZIP)")
    expect(link).to_be_visible(timeout=30_000)
    expect(export).to_contain_text("works for one hour")
    visitor.shot("your-data-export-ready")

    # Leaving the page loses nothing: coming back shows the latest export's link again.
    page.reload()
    export = page.get_by_role("group", name="Export your data")
    link = export.get_by_role("link", name="Download your data (ZIP)")
    expect(link).to_be_visible(timeout=30_000)
    expect(export).to_contain_text("works for one hour")
    expect(export.get_by_role("button", name="Export my data")).to_have_count(0)

    with page.expect_download() as download:
        link.click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    names = archive.namelist()
    assert "profile.json" in names
    assert all(name.endswith(".json") for name in names)
    contents = {name: json.loads(archive.read(name)) for name in names}
    assert "noor@example.com" in json.dumps(contents["profile.json"])


def test_a_creator_deletes_their_creator_data_after_connecting_an_account(
    new_visitor: Callable[..., Visitor], web_stack: LocalStack, admin_api: ApiClient
) -> None:
    add_member(web_stack, admin_api, "bea@example.com", "Bea Creator", role="creator")
    connect_through_api(
        web_stack, ApiClient(web_stack, "bea@example.com", PASSWORD), "threads", "ben.okafor@example.test"
    )
    assert owned_connections(admin_api, "bea@example.com")
    phone = new_visitor(viewport=PHONE)
    page = sign_in(phone, "bea@example.com", PASSWORD)
    page.get_by_role("button", name="Menu").click()
    open_account(page)
    creator_data = page.get_by_role("group", name="Delete your creator data")
    expect(creator_data).to_contain_text("Threads")
    creator_data.get_by_role("button", name="Delete my creator data…").click()
    field = creator_data.get_by_label(re.compile("Type your email address"))
    expect(field).to_be_focused()
    field.fill("someone-else@example.com")
    creator_data.get_by_role("button", name="Delete my creator data").click()
    expect(creator_data.get_by_role("alert")).to_contain_text("That is not your email address")
    assert fits(page)
    phone.shot("phone-your-data-confirm")
    field.fill("bea@example.com")
    creator_data.get_by_role("button", name="Delete my creator data").click()

    receipt = page.get_by_role("region", name="Deletion of your creator data")
    expect(receipt).to_be_focused()
    code = receipt.locator("code").inner_text()
    assert CODE.match(code)
    expect(receipt.get_by_role("status")).to_contain_text(re.compile("Pending|Completed"))
    assert fits(page)
    phone.shot("phone-your-data-creator-data-deleted")
    wait_for(lambda: not owned_connections(admin_api, "bea@example.com"), seconds=30)

    receipt.get_by_role("link", name="Open the deletion status page").click()
    expect(page.locator("[data-status]")).to_have_attribute(
        "data-status", re.compile("^(pending|completed)$")
    )
    expect(page.locator("body")).to_contain_text(code)
    phone.shot("phone-deletion-status-page")


def test_a_member_deletes_their_account_is_signed_out_and_cannot_sign_in_again(
    visitor: Visitor, web_stack: LocalStack, admin_api: ApiClient
) -> None:
    add_member(web_stack, admin_api, "jo@example.com", "Jo Leaving")
    page = sign_in(visitor, "jo@example.com", PASSWORD)
    open_account(page)
    visitor.shot("your-data")
    account = page.get_by_role("group", name="Delete your account")
    account.get_by_role("button", name="Delete my account…").click()
    account.get_by_label(re.compile("Type your email address")).fill("JO@example.com ")
    visitor.shot("your-data-confirm-account")
    account.get_by_role("button", name="Delete my account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You deleted your account")
    assert page.url.endswith("/account-deleted")
    expect(page.locator("main")).to_contain_text("You are signed out")
    receipt = page.get_by_role("region", name="Your deletion request")
    assert CODE.match(receipt.locator("code").inner_text())
    expect(receipt.get_by_role("status")).to_contain_text("Completed", timeout=30_000)
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    visitor.shot("account-deleted")

    visitor.open("/account")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Email").fill("jo@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_an_admin_deletes_a_members_data_from_the_team_screen(
    new_visitor: Callable[..., Visitor], web_stack: LocalStack, admin_api: ApiClient
) -> None:
    add_member(web_stack, admin_api, "cal@example.com", "Cal Member", role="creator")
    connect_through_api(
        web_stack, ApiClient(web_stack, "cal@example.com", PASSWORD), "youtube", "kai@example.test"
    )
    admin = new_visitor()
    page = sign_in(admin, *admin_credentials(web_stack))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team & roles").click()
    row = page.get_by_role("row").filter(has_text="cal@example.com")
    row.get_by_role("button", name="Delete data of Cal Member…").click()
    panel = page.get_by_role("group", name="Delete data of Cal Member")
    expect(panel).to_be_focused()
    expect(panel).to_contain_text("YouTube")
    panel.get_by_label(re.compile("Type their email address")).fill("cal@example.com")
    panel.get_by_role("button", name="Delete", exact=True).click()
    expect(panel.get_by_role("alert")).to_contain_text("Choose what to delete")
    panel.get_by_label(re.compile("Their creator data")).check()
    expect(panel).to_contain_text("Stays:")
    admin.shot("team-delete-member-data")
    panel.get_by_role("button", name="Delete Cal Member's creator data").click()

    receipt = page.get_by_role("region", name="Deletion of Cal Member's creator data")
    expect(receipt).to_be_focused()
    assert CODE.match(receipt.locator("code").inner_text())
    expect(receipt.get_by_role("link", name="Open the deletion status page")).to_be_visible()
    expect(receipt.get_by_role("status")).to_contain_text("Completed", timeout=30_000)
    admin.shot("team-member-data-deleted")
    assert not owned_connections(admin_api, "cal@example.com")
    expect(page.get_by_role("row").filter(has_text="cal@example.com")).to_have_count(1)  # still a member

    # The only admin cannot delete their own account: the API's 409, in words.
    assert [m["role"] for m in admin_api.get("/api/members")["items"]].count("admin") == 1
    open_account(page)
    own = page.get_by_role("group", name="Delete your account")
    own.get_by_role("button", name="Delete my account…").click()
    own.get_by_label(re.compile("Type your email address")).fill(admin_credentials(web_stack)[0])
    own.get_by_role("button", name="Delete my account").click()
    expect(own.get_by_role("alert")).to_contain_text("You are the only admin")
    admin.shot("your-data-last-admin")

    phone = new_visitor(viewport=PHONE)
    small = sign_in(phone, *admin_credentials(web_stack))
    phone.open("/team")
    small.get_by_role("button", name="Delete data of Cal Member…").click()
    expect(small.get_by_role("group", name="Delete data of Cal Member")).to_be_visible()
    assert fits(small)
    phone.shot("phone-team-delete-member-data")
