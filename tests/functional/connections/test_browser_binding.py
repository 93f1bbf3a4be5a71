"""A connect finishes only in the browser that started it: a consent link sent to someone else
must not put their account into the sender's workspace (login CSRF / account injection)."""

from __future__ import annotations

import hashlib

from chalicelib.storage.connections import OAuthStateItem
from tests.functional.connections.conftest import CONNECT_COOKIE, Flow, Recorder, page_code
from tests.functional.team import Team


def token_exchanges(recorder: Recorder) -> int:
    return len([r for r in recorder.requests if r.url.path.endswith("/oauth/token/")])


def test_start_sets_a_short_lived_cookie_for_the_callback_only(team: Team) -> None:
    admin = team.create_workspace()

    response = team.post("/api/oauth/tiktok/start", {}, admin.headers)

    assert response.status_code == 200, response.body
    attributes = [part.strip() for part in response.headers["Set-Cookie"].split(";")]
    name, _, value = attributes[0].partition("=")
    assert name == CONNECT_COOKIE
    assert len(value) >= 43  # 256 random bits
    assert set(attributes[1:]) == {"Max-Age=600", "Path=/api/oauth/", "Secure", "HttpOnly", "SameSite=Lax"}
    assert response.headers["Cache-Control"] == "no-store"
    [state] = list(OAuthStateItem.scan(OAuthStateItem.pk.startswith("OAUTHSTATE#")))
    assert state.browser_hash == hashlib.sha256(value.encode()).hexdigest()  # only its hash is kept


def test_a_consent_link_approved_in_another_browser_connects_nothing(
    team: Team, flow: Flow, recorder: Recorder
) -> None:
    # GIVEN an attacker starts connecting in their workspace and sends the consent link to a victim,
    # whose browser holds the cookie of a connect of their own
    attacker, victim = team.create_workspace("Attacker"), team.create_workspace("Victim")
    link = flow.start(attacker, "tiktok")
    flow.start(victim, "youtube")
    exchanges = token_exchanges(recorder)

    # WHEN the victim approves it and the platform sends the victim's browser back
    page = flow.callback(flow.consent(link))

    # THEN a clear page tells them to start again in this browser, and nothing is exchanged or connected
    assert page.status_code == 403
    assert page_code(page) == "browser_mismatch"
    assert "Start connecting again from CreatorDeck in this browser" in page.body.decode()
    assert token_exchanges(recorder) == exchanges
    assert flow.connections(attacker) == []
    assert flow.connections(victim) == []


def test_a_callback_without_the_cookie_is_refused_and_uses_nothing_up(
    team: Team, flow: Flow, recorder: Recorder
) -> None:
    # GIVEN a member approved on the platform, and the callback opens where the cookie is missing
    admin = team.create_workspace()
    path = flow.consent(flow.start(admin, "tiktok"))
    exchanges = token_exchanges(recorder)

    refused = team.http.get(path)

    assert refused.status_code == 403
    assert page_code(refused) == "browser_mismatch"
    assert token_exchanges(recorder) == exchanges
    assert flow.connections(admin) == []
    # THEN the browser that started it can still finish (nothing was used up) and is told to forget
    # its cookie
    finished = flow.callback(path)
    assert page_code(finished) == "connected", finished.body
    assert finished.headers["Set-Cookie"].startswith(f"{CONNECT_COOKIE}=; Max-Age=0; Path=/api/oauth/")
    assert len(flow.connections(admin)) == 1


def test_a_made_up_cookie_is_refused(team: Team, flow: Flow) -> None:
    admin = team.create_workspace()
    path = flow.consent(flow.start(admin, "tiktok"))

    page = flow.callback(path, cookie="x" * 43)

    assert page.status_code == 403
    assert page_code(page) == "browser_mismatch"
    assert flow.connections(admin) == []
