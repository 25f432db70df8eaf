"""The coordinator's workflow end to end: propose → accept / override → pinned in later solves."""

from __future__ import annotations

import threading

from sqlalchemy import func, select, text

from api.db.models import AssignmentRow
from api.db.session import make_engine, session_factory


def test_proposal_lines_pass_the_checker_and_explain_themselves(api):
    p = api.proposal()
    assert p["status"] in ("optimal", "feasible")
    cases = {ln["case"] for ln in p["lines"]}
    assert cases <= {"caseA1", "caseA2", "caseA3"} and "caseB1" not in cases  # only the subtree
    a1 = next(ln for ln in p["lines"] if ln["case"] == "caseA1")
    # medA2 is affiliated with Acme Ltd, a party of caseA1: conflict of interest.
    assert all(s["expert"] != "medA2" for s in a1["line"]["team"])
    seat = a1["explanation"]["seats"][0]
    assert set(seat) >= {"proficiency", "travel_minutes", "expert"}
    assert "objective" in p["summary"] and "terms" in p["summary"] and "seed" in p["summary"]


def test_accept_pins_the_line_for_later_solves(api):
    p = api.proposal()
    line = next(ln for ln in p["lines"] if ln["case"] == "caseA2")
    r = api.post(f"/proposals/{p['id']}/lines/caseA2/accept", "coordA")
    assert r.status_code == 200 and r.json()["line"] == line["line"]
    # A retried accept by the same coordinator answers the same, and creates nothing new.
    assert api.post(f"/proposals/{p['id']}/lines/caseA2/accept", "coordA").json() == r.json()
    # Another coordinator of the town cannot accept it again.
    assert api.post(f"/proposals/{p['id']}/lines/caseA2/accept", "coordA2").status_code == 409
    p2 = api.proposal()
    assert "caseA2" not in {ln["case"] for ln in p2["lines"]}  # announced: no longer re-planned
    assert p2["summary"]["pinned"] == 1
    assert api.get("/assignments/caseA2", "coordA").json()["line"] == line["line"]
    assert api.get("/assignments/caseA2", "coordB").status_code == 404
    audit = [e["action"] for e in api.get("/audit", "admin").json()]
    assert "accept" in audit and "request_proposal" in audit


def test_override_needs_a_reason_and_obeys_the_hard_rules(api):
    p = api.proposal()
    good = {"team": [{"role": "mediator", "expert": "medA"}], "slot": {"date": "2024-03-07", "half": "pm"}, "online": True,
            "reason": "party asked for Ms A"}
    missing = {k: v for k, v in good.items() if k != "reason"}
    r = api.post(f"/proposals/{p['id']}/lines/caseA2/override", "coordA", json=missing)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.reason"
    # medA2 is affiliated with Acme Ltd, a party of caseA1: the checker refuses the override.
    bad = {**good, "team": [{"role": "mediator", "expert": "medA2"}]}
    r = api.post(f"/proposals/{p['id']}/lines/caseA1/override", "coordA", json=bad)
    assert r.status_code == 422 and r.json()["violations"], r.text
    r = api.post(f"/proposals/{p['id']}/lines/caseA2/override", "coordA", json=good)
    assert r.status_code == 200 and r.json()["overridden"] and r.json()["reason"] == "party asked for Ms A"
    entry = next(e for e in api.get("/audit", "admin").json() if e["action"] == "override")
    assert entry["detail"]["reason"] == "party asked for Ms A" and entry["actor"] == "coordA"


def test_idempotency_key_gives_one_job(api):
    h = {"Idempotency-Key": "morning-run-1"}
    a = api.post("/centers/townA/proposals", "coordA", headers=h).json()
    b = api.post("/centers/townA/proposals", "coordA", headers=h).json()
    assert a["id"] == b["id"]
    c = api.post("/centers/townA/proposals", "coordA", headers={"Idempotency-Key": "morning-run-2"}).json()
    assert c["id"] != a["id"]
    for j in (a, c):
        api.wait_job(j["id"], "coordA")


def test_two_coordinators_accepting_the_same_case_at_once_one_wins(api):
    p = api.proposal()
    case = p["lines"][0]["case"]
    barrier = threading.Barrier(2)
    codes: dict[str, int] = {}

    def accept(user: str) -> None:
        barrier.wait()
        codes[user] = api.post(f"/proposals/{p['id']}/lines/{case}/accept", user).status_code

    threads = [threading.Thread(target=accept, args=(u,)) for u in ("coordA", "coordA2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes.values()) == [200, 409], codes
    engine = make_engine(api.url)
    with session_factory(engine)() as db:
        assert db.scalar(select(func.count()).select_from(AssignmentRow).where(AssignmentRow.case_id == case)) == 1
    engine.dispose()


def test_audit_log_is_append_only_in_the_database(api):
    api.get("/cases/caseA3", "coordA")
    engine = make_engine(api.url)
    for stmt in ("UPDATE audit_log SET actor = 'someone'", "DELETE FROM audit_log"):
        with engine.connect() as c:
            try:
                c.execute(text(stmt))
                c.commit()
                raised = False
            except Exception:
                raised = True
        assert raised, stmt
    engine.dispose()


def test_cancelled_job_never_gets_a_result(api):
    r = api.post("/centers/townA/proposals", "coordA").json()
    cancelled = api.client.delete(f"/jobs/{r['id']}", headers=api.h("coordA"))
    if cancelled.status_code == 200:  # it may already have finished on a fast machine
        job = api.wait_job(r["id"], "coordA")
        assert job["status"] == "cancelled" and job["result_id"] is None


def test_recommendations_follow_announced_assignments(api):
    before = api.get("/cases/caseA2/recommendations?k=3", "coordA").json()
    assert before["recommendations"] and before["reasons"] == []
    assert api.get("/cases/caseB1/recommendations", "coordA").status_code == 404  # other town
    assert api.get("/cases/ghost/recommendations", "coordA").status_code == 404
    assert api.get("/cases/caseA2/recommendations?k=0", "coordA").status_code == 422
    assert api.get("/cases/caseA2/recommendations", "planner").status_code == 403
    # Announce caseA1 on medA in the slot medA had first for caseA2: caseA2's options move.
    first = before["recommendations"][0]["line"]
    p = api.proposal()
    override = {"team": [{"role": "mediator", "expert": first["team"][0]["expert"]}], "slot": first["slot"],
                "online": True, "reason": "urgent"}
    if first["team"][0]["expert"] != "medA2":  # medA2 may not take caseA1 (conflict of interest)
        r = api.post(f"/proposals/{p['id']}/lines/caseA1/override", "coordA", json=override)
        assert r.status_code == 200, r.text
        after = api.get("/cases/caseA2/recommendations?k=3", "coordA").json()
        same = [x for x in after["recommendations"] if x["line"]["team"] == first["team"]]
        assert all(x["line"]["slot"] != first["slot"] for x in same)
    accepted = api.post(f"/proposals/{p['id']}/lines/caseA2/accept", "coordA")
    if accepted.status_code == 200:
        assert api.get("/cases/caseA2/recommendations", "coordA").status_code == 409


def test_rotation_plan_job_publish_and_ical(api):
    from icalendar import Calendar

    assert api.post("/rotation/plans", "coordA", json={"weeks": 2}).status_code == 403
    assert api.post("/rotation/plans", "planner", json={"weeks": 2}).status_code == 403
    bad = api.post("/rotation/plans", "court", json={"weeks": 0})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.weeks"
    r = api.post("/rotation/plans", "court", json={"weeks": 2, "time_limit_s": 5})
    assert r.status_code == 202
    job = api.wait_job(r.json()["id"], "court")
    assert job["status"] == "succeeded", job
    plan = api.get(f"/rotation/plans/{job['result_id']}", "court").json()
    assert plan["status"] in ("optimal", "feasible") and plan["summary"]["checker"] == "ok"
    first = plan["summary"]["first_feasible_seconds"]
    assert first is not None and 0 <= first <= plan["summary"]["solve_seconds"] + 1e-6
    assert all(row["planned"] >= row["required"] for row in plan["summary"]["coverage"])
    assert api.get(f"/rotation/plans/{job['result_id']}", "coordA").status_code == 403
    assert api.get("/rotation/plans/ghost", "court").status_code == 404
    cal = Calendar.from_ical(api.get(f"/rotation/plans/{job['result_id']}/ical", "court").content)
    assert len([c for c in cal.walk() if c.name == "VEVENT"]) == len(plan["entries"])
    assert api.post(f"/rotation/plans/{job['result_id']}/publish", "coordA").status_code == 403
    pub = api.post(f"/rotation/plans/{job['result_id']}/publish", "court")
    assert pub.status_code == 200
    assert api.get("/rotation", "court").json() == plan["entries"]
    assert any(e["action"] == "publish_rotation" for e in api.get("/audit", "admin").json())
