"""The pages end to end in headless Chromium against the real service (see conftest.py)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from .conftest import login, shoot


def test_login_sets_an_httponly_session_and_refuses_a_bad_key(new_page, service) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    page.goto("/web/queue")
    assert page.url.endswith("/web/login")  # not logged in: to the form
    page.get_by_test_id("token").fill("tok-not-a-key")
    page.get_by_test_id("login").click()
    expect(page.get_by_test_id("error")).to_contain_text("Unknown or revoked API key")
    shoot(page, "login")
    login(page, "coordA")
    cookie = next(c for c in page.context.cookies() if c["name"] == "matcher_session")
    assert cookie["httpOnly"] and "tok-web-coordA" not in cookie["value"]
    assert page.evaluate("document.cookie").find("matcher_session") == -1  # invisible to scripts


def test_coordinator_proposes_accepts_and_overrides(new_page, service) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    login(page, "coordA")
    assert page.url.endswith("/web/queue")
    cases = page.get_by_test_id("cases")
    for case in ("caseA1", "caseA2", "caseA3"):
        expect(cases).to_contain_text(case)
    expect(cases).not_to_contain_text("caseB1")  # townB is outside coordA's area
    shoot(page, "queue")

    page.get_by_test_id("propose").click()
    page.wait_for_url(re.compile(r"/web/proposals/"))
    proposal_url = page.url
    lines = page.get_by_test_id("lines")
    expect(lines).to_contain_text("caseA2")
    row = lines.locator("tr[data-case=caseA2]")
    expect(row).to_contain_text("neighbor")  # category
    expect(row).to_contain_text("proficiency")  # the explanation
    expect(page.get_by_test_id("summary")).to_contain_text("optimal")
    shoot(page, "proposal")

    page.get_by_test_id("accept-caseA2").click()
    expect(page.get_by_test_id("flash")).to_contain_text("caseA2: accepted")
    expect(page.get_by_test_id("accepted-caseA2")).to_be_visible()

    # Override caseA1: a different team, online, with a reason; medA2 (conflict of interest) first.
    a1 = lines.locator("tr[data-case=caseA1]")
    a1.get_by_test_id("override-caseA1").click()
    form = a1.locator("form[action$='/override']")
    form.locator("select[name=choice]").select_option("custom")
    form.locator("input[name=team]").fill("mediator:medA2")
    form.locator("input[name=date]").fill("2024-03-07")
    form.locator("select[name=half]").select_option("pm")
    form.locator("input[name=online]").check()
    form.get_by_test_id("reason-caseA1").fill("parties asked for an online session")
    form.get_by_test_id("override-submit-caseA1").click()
    expect(page.get_by_test_id("error")).to_contain_text("hard rule")  # the checker refuses it
    a1 = page.get_by_test_id("lines").locator("tr[data-case=caseA1]")
    a1.get_by_test_id("override-caseA1").click()
    form = a1.locator("form[action$='/override']")
    form.locator("select[name=choice]").select_option("custom")
    form.locator("input[name=team]").fill("mediator:medA")
    form.locator("input[name=date]").fill("2024-03-07")
    form.locator("select[name=half]").select_option("pm")
    form.locator("input[name=online]").check()
    form.get_by_test_id("reason-caseA1").fill("parties asked for an online session")
    form.get_by_test_id("override-submit-caseA1").click()
    expect(page.get_by_test_id("flash")).to_contain_text("caseA1: overridden")
    expect(page.get_by_test_id("accepted-caseA1")).to_contain_text("parties asked for an online session")
    shoot(page, "proposal-after-override")

    engine = sa.create_engine(service.database_url)
    with engine.connect() as c:
        rows = dict(c.execute(sa.text("SELECT case_id, overridden FROM assignments")).all())
        reason = c.execute(sa.text("SELECT reason FROM assignments WHERE case_id = 'caseA1'")).scalar()
    engine.dispose()
    assert rows == {"caseA2": False, "caseA1": True} and reason == "parties asked for an online session"

    # Another town's coordinator sees neither the cases nor the proposal.
    other = new_page()
    login(other, "coordB")
    expect(other.get_by_test_id("cases")).to_contain_text("caseB1")
    expect(other.get_by_test_id("cases")).not_to_contain_text("caseA1")
    resp = other.goto(proposal_url)
    assert resp is not None and resp.status == 404
