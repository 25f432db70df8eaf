"""What a coordinator, a court clerk and a planner see and do on the /ui pages, in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import login, snap


def fits_phone(page) -> bool:  # type: ignore[no-untyped-def]
    """At 390 px the page itself must not scroll sideways (wide tables scroll inside their box)."""
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1366, "height": 768})
    return width <= 391


def test_pages_need_a_login_and_a_known_key(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/ui/queue")
    expect(page).to_have_url(re.compile(r"/ui/login$"))
    page.fill("#token", "not-a-key")
    page.click("#login-btn")
    expect(page.locator("#login-error")).to_be_visible()
    snap(page, "login")


def test_labels_in_both_languages_and_the_choice_sticks(page) -> None:  # type: ignore[no-untyped-def]
    login(page, "coord", lang="zh")
    expect(page.locator("#propose")).to_have_text("生成分配建议")
    expect(page.locator("#cases tbody tr")).to_have_count(8)
    snap(page, "queue-zh")
    page.goto("/ui/urgent")  # no ?lang: the cookie remembers Chinese
    expect(page.locator("#recommend")).to_have_text("推荐")
    page.goto("/ui/urgent?lang=en")
    expect(page.locator("#recommend")).to_have_text("Recommend")


def test_urgent_case_shows_top_recommendations_with_earliest_slots(page) -> None:  # type: ignore[no-untyped-def]
    login(page, "coord")
    page.goto("/ui/urgent")
    expect(page.locator("#case")).not_to_have_value("")
    page.click("#recommend")
    expect(page.locator("#rec-status")).to_have_text("Done")
    rows = page.locator("#recs tbody tr")
    assert rows.count() >= 1
    assert re.search(r"\d{4}-\d\d-\d\d|—", rows.first.inner_text())
    assert fits_phone(page)
    snap(page, "urgent")


def test_coordinator_proposes_accepts_and_overrides(page) -> None:  # type: ignore[no-untyped-def]
    login(page, "coord")
    expect(page).to_have_url(re.compile(r"/ui/queue$"))
    expect(page.locator("#cases tbody tr")).to_have_count(8)  # sajin's open cases, all in the coordinator's subtree
    page.click("#propose")
    expect(page.locator("#job-status")).to_have_text("Done", timeout=60_000)
    lines = page.locator("#proposal tbody tr[data-case]")
    assert lines.count() >= 2
    first, second = lines.nth(0), lines.nth(1)
    assert "mediator" in first.inner_text() or ":" in first.locator("td").nth(2).inner_text()  # team seats shown
    first.locator("button.accept").click()
    expect(first.locator("td.act")).to_contain_text("Accepted")
    # Override with the first explained alternative: its team is what gets announced.
    alt_team = second.locator("ul.alts li").first.inner_text().split(" 20")[0]  # "mediator: med000xx"
    second.locator("select.choice").select_option("0")
    second.locator("input.reason").fill("party asked for a Cantonese speaker")
    second.locator("button.override").click()
    expect(second.locator("td.act")).to_contain_text("Overridden: party asked for a Cantonese speaker")
    expect(second.locator("td.act")).to_contain_text(alt_team)
    announced = page.request.get(f"/ui/api/assignments/{second.get_attribute('data-case')}").text()
    assert alt_team.split(": ")[1] in announced and "Cantonese" in announced
    assert fits_phone(page)
    snap(page, "queue")
    # Accepted lines stay accepted when the proposal is read again (the API stored them).
    page.reload()
    expect(page.locator("#cases tbody tr")).to_have_count(8)


def test_override_without_a_reason_is_refused(page) -> None:  # type: ignore[no-untyped-def]
    login(page, "coord")
    page.click("#propose")
    expect(page.locator("#job-status")).to_have_text("Done", timeout=60_000)
    line = page.locator("#proposal tbody tr[data-case]:has(button.override)").first
    line.locator("button.override").click()
    expect(page.locator("#job-status")).to_contain_text("Error")
    expect(line.locator("button.override")).to_be_visible()


def test_coordinator_sees_only_their_centers(page) -> None:  # type: ignore[no-untyped-def]
    login(page, "coord_c1")
    expect(page.locator("#center option")).to_have_count(1)
    expect(page.locator("#center option")).to_have_text("sajin_c1")
    for row in page.locator("#cases tbody tr td:nth-child(2)").all():
        assert row.inner_text() in ("sajin_c1", "None")
    page.goto("/ui/compare")
    expect(page.locator("#forbidden")).to_be_visible()
    page.click("#logout")
    expect(page).to_have_url(re.compile(r"/ui/login$"))
    page.goto("/ui/queue")
    expect(page).to_have_url(re.compile(r"/ui/login$"))


def test_rotation_calendar_ical_and_replan_after_absence(page) -> None:  # type: ignore[no-untyped-def]
    login(page, "court")
    expect(page).to_have_url(re.compile(r"/ui/rotation$"))
    page.click("#plan")
    expect(page.locator("#plan-status")).to_contain_text("Done", timeout=60_000)
    grid = page.locator("#grid tbody")
    expect(grid.locator("tr").first).to_be_visible()
    judges = grid.locator("li")
    assert judges.count() >= 1
    judge = page.locator("#judge-filter option").nth(1).get_attribute("value")
    page.select_option("#judge-filter", judge)
    assert all(judge in li.inner_text() for li in grid.locator("li").all())
    href = page.locator("#ical").get_attribute("href")
    body = page.request.get(href).text()
    assert body.startswith("BEGIN:VCALENDAR") and judge in body
    page.select_option("#judge-filter", "")
    snap(page, "rotation")
    # A judge called in sick on the day of their first half-day: that half-day is struck through
    # and the re-planned calendar has them nowhere on that date.
    first = grid.locator("li").first.inner_text().split()  # judge, mm-dd, half
    away, day = first[0], first[1]
    page.select_option("#absent-judge", away)
    year = page.locator("#absent-from").input_value()[:4]
    page.fill("#absent-from", f"{year}-{day}")
    page.fill("#absent-to", f"{year}-{day}")
    page.click("#absent-btn")
    expect(page.locator("#changes-note")).to_be_visible(timeout=60_000)
    assert not [li for li in grid.locator("li:not(.removed)").all() if li.inner_text().split()[:2] == [away, day]]
    assert int(page.locator("#changes-count").inner_text()) >= 1
    removed = [li.inner_text().split()[:2] for li in grid.locator("li.removed").all()]
    assert [away, day] in removed
    expect(page.locator("#absent-judge option")).not_to_have_count(0)
    snap(page, "rotation-replanned")


def test_planner_compares_scenarios_with_progress(page) -> None:  # type: ignore[no-untyped-def]
    login(page, "planner")
    expect(page).to_have_url(re.compile(r"/ui/compare$"))
    expect(page.locator("#base")).to_have_value("sajin-base")
    page.check("#variants input[value='sajin-busy']")
    page.fill("#days", "10")
    page.fill("#reps", "1")
    page.click("#run")
    expect(page.locator("#run-status")).to_have_text("Done", timeout=80_000)
    expect(page.locator("#progress")).to_have_js_property("value", 1)
    head = page.locator("#kpis thead").inner_text()
    assert "sajin-base" in head and "sajin-busy" in head
    assert page.locator("#kpis tbody tr").count() >= 3
    frame = page.frame_locator("#report")
    expect(frame.locator("svg").first).to_be_visible(timeout=20_000)
    assert fits_phone(page)
    snap(page, "compare")
