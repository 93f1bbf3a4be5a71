"""The web app in a real browser: sign-in, invitations, roles, API keys, audit, reset, public pages."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import httpx
from playwright.sync_api import expect

from devstack.config import ROOT
from devstack.stack import LocalStack
from tests.e2e.conftest import (
    PASSWORD,
    ApiClient,
    Visitor,
    add_member,
    admin_credentials,
    latest_link,
    sign_in,
)


def test_public_pages_are_readable_signed_out(visitor: Visitor) -> None:
    page = visitor.open("/privacy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy policy")
    for promise in ("KMS", "24 months", "1 year", "7 days", "1 day", "Least privilege", "Meta", "TikTok"):
        expect(page.locator("main")).to_contain_text(promise)
    visitor.shot("public-privacy")

    page.get_by_role("link", name="Terms of service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Terms of service")
    expect(page.get_by_role("heading", level=1)).to_be_focused()  # focus follows the route change
    visitor.shot("public-terms")

    page.get_by_role("link", name="Data deletion").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Data deletion")
    expect(page.locator("main")).to_contain_text("confirmation code")
    visitor.shot("public-data-deletion")
    assert page.url.endswith("/data-deletion")


def test_keyboard_only_sign_in_sets_a_secure_http_only_cookie(
    visitor: Visitor, web_stack: LocalStack
) -> None:
    email, password = admin_credentials(web_stack)
    page = visitor.open("/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    visitor.shot("sign-in")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "field-email":
            break
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Demo Admin")
    expect(page.locator(".topbar")).to_contain_text("Demo Studio")
    cookie = next(c for c in visitor.context.cookies() if c["name"] == "cd_session")
    assert cookie["httpOnly"]
    assert cookie["secure"]
    assert cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie") == ""  # nothing script-readable
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    visitor.shot("overview")
    for screen in ("Dashboard", "Connections", "Alerts", "Settings"):
        page.get_by_role("navigation", name="Main").get_by_role("link", name=screen).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(screen)
        expect(page.locator("main")).not_to_contain_text("Coming soon")


def test_invited_member_accepts_signs_in_and_gets_a_new_role(
    new_visitor: Callable[..., Visitor], web_stack: LocalStack
) -> None:
    admin = new_visitor()
    page = sign_in(admin, *admin_credentials(web_stack))
    page.get_by_role("link", name="Invitations").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitations")
    page.get_by_label("Email").fill("riley@example.com")
    page.get_by_label("Role").select_option("viewer")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status").filter(has_text="Invitation sent")).to_contain_text("riley@example.com")
    row = page.get_by_role("row").filter(has_text="riley@example.com")
    expect(row).to_contain_text("pending")
    admin.shot("invitations")

    # The invitee opens the mailed link in their own browser, as found on the local outbox page.
    invitee = new_visitor()
    outbox = invitee.open("/_dev/outbox")
    link = latest_link(web_stack, "riley@example.com", "accept-invitation")
    outbox.locator(f'a[href="{link}"]').first.click()
    expect(outbox.get_by_role("heading", level=1)).to_have_text("Accept your invitation")
    facts = outbox.locator("dl.facts")
    expect(facts).to_contain_text("Demo Studio")
    expect(facts).to_contain_text("riley@example.com")
    expect(facts).to_contain_text("Viewer")
    assert "#token=" not in outbox.url  # the token leaves the address bar
    outbox.get_by_label("Your name").fill("Riley Park")
    outbox.get_by_label("Password", exact=True).fill(PASSWORD)
    outbox.get_by_label("Repeat the password").fill(PASSWORD)
    invitee.shot("accept-invitation")
    outbox.get_by_role("button", name="Accept invitation").click()

    expect(outbox.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(outbox.get_by_role("status")).to_contain_text("Welcome to Demo Studio")
    expect(outbox.get_by_label("Email")).to_have_value("riley@example.com")
    outbox.get_by_label("Password").fill(PASSWORD)
    outbox.get_by_role("button", name="Sign in").click()
    expect(outbox.get_by_role("heading", level=1)).to_have_text("Welcome, Riley Park")
    nav = outbox.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Audit log")).to_have_count(0)  # a viewer does not see it
    expect(nav.get_by_role("link", name="Invitations")).to_have_count(0)
    invitee.shot("overview-viewer")

    page.get_by_role("link", name="Team & roles").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team & roles")
    page.get_by_label("Role of Riley Park").select_option("analyst")
    page.get_by_role("button", name="Save role").click()
    expect(page.get_by_role("status").filter(has_text="now analyst")).to_contain_text("Riley Park")
    admin.shot("team")

    outbox.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    expect(outbox.locator("dl.facts")).to_contain_text("Analyst")
    invitee.shot("account")


def test_api_key_is_shown_once_works_and_is_revoked(visitor: Visitor, web_stack: LocalStack) -> None:
    visitor.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = sign_in(visitor, *admin_credentials(web_stack))
    page.get_by_role("link", name="API keys").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API keys")
    page.get_by_label("Name").fill("weekly report")
    page.get_by_label(re.compile("Read the workspace")).check()
    page.get_by_role("button", name="Create key").click()

    shown = page.get_by_label("API key", exact=True)
    expect(shown).to_be_visible()
    key = shown.input_value()
    assert len(key) > 20
    page.get_by_role("button", name="Copy key").click()
    expect(page.get_by_text("Copied to the clipboard.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == key
    visitor.shot("api-key-created")
    bearer = {"Authorization": f"Bearer {key}"}
    assert httpx.get(f"{web_stack.url}/api/workspace", headers=bearer, timeout=10).status_code == 200

    page.get_by_role("button", name="I have stored it").click()
    expect(page.get_by_label("API key", exact=True)).to_have_count(0)
    assert key not in page.content()  # shown once, then gone
    row = page.get_by_role("row").filter(has_text="weekly report")
    expect(row).to_contain_text("active")
    row.get_by_role("button", name="Revoke weekly report").click()
    row.get_by_role("button", name="Revoke weekly report").click()  # the confirmation
    expect(page.get_by_role("status").filter(has_text="is revoked")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="weekly report")).to_contain_text("revoked")
    visitor.shot("api-keys")
    assert httpx.get(f"{web_stack.url}/api/workspace", headers=bearer, timeout=10).status_code == 401


def test_audit_log_pages_with_the_cursor_and_filters(visitor: Visitor, web_stack: LocalStack) -> None:
    email, password = admin_credentials(web_stack)
    api = ApiClient(web_stack, email, password)
    for number in range(26):  # more than one page of one action
        api.post("/api/api-keys", {"name": f"bulk {number}", "scopes": ["workspace.read"]})

    page = sign_in(visitor, email, password)
    page.get_by_role("link", name="Audit log").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    expect(page.locator("tbody tr").first).to_be_visible()
    visitor.shot("audit")

    page.get_by_label("Action").select_option("api_key.created")
    page.get_by_label("Actor").select_option(label=f"Demo Admin ({email})")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("tbody tr")).to_have_count(25)
    expect(page.locator("tbody")).not_to_contain_text("auth.sign_in")
    href = page.get_by_role("link", name="Download the audit log as CSV").get_attribute("href") or ""
    assert {"format=csv", "action=api_key.created"} <= set(href.split("?", 1)[-1].split("&"))
    assert "actor=" in href
    export = page.request.get(f"{web_stack.url}{href}")  # the session cookie goes with it
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    exported = export.text().splitlines()
    assert exported[0] == "id,at,action,actor_id,target,ip,user_agent,details"
    assert len(exported) >= 1 + 26  # every page of the filtered log, not the 25 on screen
    assert all(",api_key.created," in row for row in exported[1:])
    page.get_by_role("button", name="Older").click()
    expect(page.get_by_text("Page 2", exact=True)).to_be_visible()
    expect(page.locator("tbody tr").first).to_contain_text("api_key.created")
    page.get_by_role("button", name="Newer").click()
    expect(page.locator("tbody tr")).to_have_count(25)

    page.get_by_label("Action").select_option("member.removed")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("No entries match these filters.")).to_be_visible()
    visitor.shot("audit-empty")


def test_password_reset_through_the_outbox_link(visitor: Visitor, web_stack: LocalStack) -> None:
    admin = ApiClient(web_stack, *admin_credentials(web_stack))
    add_member(web_stack, admin, "sam@example.com", "Sam Reed")

    page = visitor.open("/sign-in")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("sam@example.com")
    page.get_by_role("button", name="Email me a reset link").click()
    expect(page.get_by_role("status")).to_contain_text("reset link is on its way")
    visitor.shot("forgot-password")

    link = latest_link(web_stack, "sam@example.com", "reset-password")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password").fill("a-brand-new-passphrase")
    page.get_by_label("Repeat the password").fill("not the same one")
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("alert")).to_contain_text("not the same")
    page.get_by_label("Repeat the password").fill("a-brand-new-passphrase")
    visitor.shot("reset-password")
    page.get_by_role("button", name="Set password").click()

    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    page.get_by_label("Email").fill("sam@example.com")
    page.get_by_label("Password").fill("a-brand-new-passphrase")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Sam Reed")

    # The same link does not work twice; the error carries the API's message and request id.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password").fill("yet-another-passphrase")
    page.get_by_label("Repeat the password").fill("yet-another-passphrase")
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("alert")).to_contain_text("Request id")
    visitor.shot("reset-password-used-link")


def test_wrong_password_shows_the_api_message_and_sign_out_ends_the_session(
    visitor: Visitor, web_stack: LocalStack
) -> None:
    email, password = admin_credentials(web_stack)
    page = visitor.open("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Request id")
    visitor.shot("sign-in-error")

    page = sign_in(visitor, email, password)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("status")).to_contain_text("You are signed out")
    assert not [c for c in visitor.context.cookies() if c["name"] == "cd_session" and c["value"]]
    visitor.open("/team")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_small_screens_fold_the_navigation_behind_a_menu(
    new_visitor: Callable[..., Visitor], web_stack: LocalStack
) -> None:
    phone = new_visitor(viewport={"width": 390, "height": 844})
    page = sign_in(phone, *admin_credentials(web_stack))
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    phone.shot("mobile-overview")
    page.get_by_role("button", name="Menu").click()
    expect(nav).to_be_visible()
    phone.shot("mobile-menu")
    nav.get_by_role("link", name="Team & roles").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team & roles")
    expect(nav).to_be_hidden()
    phone.shot("mobile-team")


def test_front_sends_cloudfront_headers_and_caching(web_stack: LocalStack) -> None:
    index = httpx.get(f"{web_stack.url}/team", timeout=10)
    assert index.status_code == 200
    assert index.headers["Content-Type"] == "text/html; charset=utf-8"
    assert index.headers["Cache-Control"] == "no-cache"
    csp = index.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "frame-ancestors 'none'" in csp
    assert index.headers["X-Frame-Options"] == "DENY"
    assert index.headers["Referrer-Policy"] == "no-referrer"
    asset = re.search(r'src="(/assets/[^"]+\.js)"', index.text)
    assert asset
    script = httpx.get(f"{web_stack.url}{asset.group(1)}", timeout=10)
    assert script.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert "immutable" in script.headers["Cache-Control"]
    assert httpx.get(f"{web_stack.url}/assets/missing.js", timeout=10).status_code == 404


def test_audit_action_labels_cover_every_action_the_api_knows(web_stack: LocalStack) -> None:
    document = httpx.get(f"{web_stack.url}/api/openapi.json", timeout=10).json()
    parameters = document["paths"]["/api/audit"]["get"]["parameters"]
    enum = next(p["schema"]["enum"] for p in parameters if p["name"] == "action")
    labels = json.loads((ROOT / "web" / "src" / "audit-actions.json").read_text())
    assert set(labels) == set(enum)
