"""The pages end to end in headless Chromium against the real service (see conftest.py)."""

from __future__ import annotations

import re

import httpx
import sqlalchemy as sa
try:
    from playwright.sync_api import expect
except ImportError:  # the conftest's `chromium` fixture says so: a skip, or a failure under CI=true
    expect = None  # type: ignore[assignment]

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
    # A case nobody may take (every mediator excluded by the parties), taken in through the API.
    r = httpx.post(f"{service.base}/cases", headers={"Authorization": "Bearer tok-web-admin"}, json={
        "id": "caseA4", "category": "labor", "center": "townA", "received": "2024-03-03T12:00", "deadline": "2024-03-29",
        "excluded_experts": ["medA", "medA2", "medB"]})
    assert r.status_code == 201, r.text
    page = new_page()
    login(page, "coordA")
    assert page.url.endswith("/web/queue")
    cases = page.get_by_test_id("cases")
    for case in ("caseA1", "caseA2", "caseA3", "caseA4"):
        expect(cases).to_contain_text(case)
    expect(cases).not_to_contain_text("caseB1")  # townB is outside coordA's area
    shoot(page, "queue")

    page.get_by_test_id("propose").click()
    page.wait_for_url(re.compile(r"/web/proposals/"))
    proposal_url = page.url
    lines = page.get_by_test_id("lines")
    expect(lines).to_contain_text("caseA2")
    row = lines.locator("tr[data-case=caseA2]")
    expect(row).to_contain_text("neighbours")  # category
    expect(row).to_contain_text("proficiency")  # the explanation
    expect(page.get_by_test_id("summary")).to_contain_text("optimal")
    unassigned = page.get_by_test_id("unassigned").locator("tr[data-case=caseA4]")
    expect(unassigned).to_contain_text("labour")
    expect(unassigned.locator("td").nth(2)).to_contain_text("conflict of interest")  # the reasons given
    expect(unassigned.locator("td").nth(3)).to_contain_text("excluded: medA, medA2, medB")  # the diagnosis
    shoot(page, "proposal")
    page.set_viewport_size({"width": 390, "height": 844})  # phone: the table scrolls inside its box
    box = page.locator(".scroll", has=page.get_by_test_id("lines"))
    assert box.evaluate("e => e.scrollWidth > e.clientWidth && getComputedStyle(e).overflowX === 'auto'")
    page.set_viewport_size({"width": 1366, "height": 768})

    page.get_by_test_id("accept-caseA2").click()
    expect(page.get_by_test_id("flash")).to_contain_text("caseA2: Line accepted and announced")
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
    expect(page.get_by_test_id("flash")).to_contain_text("caseA1: Override recorded")
    expect(page.get_by_test_id("accepted-caseA1")).to_contain_text("medA online 2024-03-07 pm — parties asked for an online session")
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
    # A hand-made form for townA is refused by the API's own area check.
    resp = other.request.post("/web/queue/propose", form={"center": "townA"})
    assert "outside%20your%20area" in resp.url or "outside your area" in resp.text(), resp.url


def test_urgent_case_shows_top_recommendations_with_earliest_slots(new_page, service) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    login(page, "coordA")
    page.goto("/web/case")
    page.get_by_test_id("case-input").fill("caseA3")
    page.get_by_test_id("recommend").click()
    table = page.get_by_test_id("recommendations")
    expect(table).to_be_visible()
    first = table.locator("tbody tr").first
    # caseA3 is a family case needing a mediator and a counselor; the only counselor is "couns".
    expect(first).to_contain_text("counselor: couns")
    expect(first).to_contain_text(re.compile(r"20\d\d-\d\d-\d\d (am|pm)"))  # the earliest slot
    shoot(page, "case")
    # A case outside the area is "not found", as in the API.
    page.goto("/web/case?case=caseB1")
    expect(page.get_by_test_id("error")).to_contain_text("not found")


def test_rotation_calendar_ical_and_replan_after_an_absence(new_page, service) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    login(page, "court")
    assert page.url.endswith("/web/rotation")
    page.locator("input[name=weeks]").fill("2")
    page.get_by_test_id("plan-new").click()
    page.wait_for_url(re.compile(r"/web/rotation\?plan="))
    expect(page.get_by_test_id("plan-summary")).to_contain_text("optimal")
    # townA needs one judge half-day a week; judge1 is the only judge: both weeks covered by judge1.
    for week in (1, 2):
        cell = page.get_by_test_id(f"cell-townA-{week}")
        expect(cell).to_contain_text("1/1")
        expect(cell).to_contain_text("judge1")
        expect(cell).not_to_have_class(re.compile("short"))
    shoot(page, "rotation")
    ics = page.request.get(page.get_by_test_id("ical").get_attribute("href"))
    assert ics.ok and ics.text().startswith("BEGIN:VCALENDAR") and ics.text().count("BEGIN:VEVENT") == 2

    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Calendar published")
    expect(page.get_by_test_id("plan-summary")).to_contain_text("Published")

    # Per-judge view.
    page.get_by_test_id("cell-townA-1").get_by_role("link", name="judge1").click()
    expect(page.get_by_test_id("judge-view").locator("tbody tr")).to_have_count(2)
    ics = page.request.get(page.get_by_test_id("ical-judge").get_attribute("href"))
    assert ics.ok and "judge1" in ics.text()

    # judge1 is away on the Monday of week 1: the re-plan moves that half-day, week 2 is untouched.
    import datetime as dt

    plan_url = page.url.split("&")[0]
    monday = dt.date.fromisoformat(page.get_by_test_id("absent-start").input_value())
    page.get_by_test_id("absent-judge").select_option("judge1")
    page.get_by_test_id("absent-end").fill(monday.isoformat())
    page.get_by_test_id("replan").click()
    page.wait_for_url(re.compile(r"/web/rotation\?plan="))
    assert page.url != plan_url
    expect(page.get_by_test_id("plan-summary")).to_contain_text("judge1")
    week1 = page.get_by_test_id("cell-townA-1")
    expect(week1).to_contain_text("1/1")
    expect(week1).to_have_class(re.compile(r"\bchanged\b"))
    expect(week1).not_to_have_class(re.compile(r"\bshort\b"))
    expect(page.get_by_test_id("cell-townA-2")).not_to_have_class(re.compile(r"\bchanged\b"))
    changes = page.get_by_test_id("changes")
    expect(changes.locator("tbody tr")).to_have_count(2)  # off the Monday, onto another half-day
    expect(changes.locator("tbody tr").first).to_contain_text(monday.isoformat())
    shoot(page, "rotation-replanned")

    # Away the whole of week 1: no calendar covers townA then; the shortfall is highlighted.
    page.goto(plan_url)
    page.get_by_test_id("absent-judge").select_option("judge1")
    page.get_by_test_id("absent-end").fill((monday + dt.timedelta(days=6)).isoformat())
    page.get_by_test_id("replan").click()
    page.wait_for_url(re.compile(r"/web/rotation\?plan="))
    expect(page.get_by_test_id("unresolved")).to_be_visible()
    week1 = page.get_by_test_id("cell-townA-1")
    expect(week1).to_contain_text("0/1")
    expect(week1).to_have_class(re.compile(r"\bshort\b"))
    expect(page.get_by_test_id("cell-townA-2")).not_to_have_class(re.compile(r"\bshort\b"))
    expect(page.get_by_test_id("publish")).to_have_count(0)  # nothing to publish
    shoot(page, "rotation-shortfall")


def test_scenario_comparison_runs_with_progress_and_shows_table_and_plots(new_page, service) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    login(page, "planner")
    assert page.url.endswith("/web/compare")
    page.get_by_test_id("base").select_option("sajin-base")
    page.get_by_test_id("variant-sajin-busy").check()
    page.get_by_test_id("days").fill("4")
    page.get_by_test_id("replications").fill("2")
    shoot(page, "compare-form")
    page.get_by_test_id("run").click()
    page.wait_for_url(re.compile(r"/web/(jobs|compare)/"))
    if "/web/jobs/" in page.url:  # the progress page, until the job is done
        expect(page.get_by_test_id("progress")).to_be_attached()
    page.wait_for_url(re.compile(r"/web/compare/[0-9a-f-]{36}$"), timeout=60_000)
    kpis = page.get_by_test_id("kpis")
    expect(kpis.locator("thead")).to_contain_text("sajin-base")
    expect(kpis.locator("thead")).to_contain_text("sajin-busy")
    arrived = kpis.locator("tr", has_text="cases_arrived")
    expect(arrived).to_contain_text("vs base +")  # the busy variant has more arrivals, same seeds
    frame = page.frame_locator("[data-testid=report]")
    expect(frame.locator("svg").first).to_be_visible()
    assert frame.locator("svg").count() >= 1
    shoot(page, "compare")


def test_language_switch_and_roles(new_page, service) -> None:  # type: ignore[no-untyped-def]
    page = new_page("zh")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    login(page, "coordA")
    expect(page.get_by_role("heading", level=1)).to_have_text("未结案件")
    expect(page.get_by_test_id("propose")).to_have_text("生成分配方案")
    expect(page.get_by_test_id("cases").locator("tr", has_text="caseA1")).to_contain_text("劳动争议")
    shoot(page, "queue-zh")
    page.get_by_test_id("lang-switch").click()
    expect(page.get_by_test_id("propose")).to_have_text("Propose assignment")
    page.goto("/web/queue")  # remembered in a cookie
    expect(page.get_by_test_id("propose")).to_have_text("Propose assignment")
    # A coordinator may not open the planners' or court staff's pages.
    for path in ("/web/compare", "/web/rotation"):
        resp = page.goto(path)
        assert resp is not None and resp.status == 403
        expect(page.get_by_test_id("error")).to_contain_text("may not use this page")
    page.get_by_role("button", name="Log out").click()
    page.goto("/web/queue")
    assert page.url.endswith("/web/login")
