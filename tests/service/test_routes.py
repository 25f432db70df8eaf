"""Every route: success, validation error, 401, 403, 404 and cross-center access."""

from __future__ import annotations

import pytest

NEW_CASE = dict(id="caseA9", category="neighbor", center="townA", received="2024-03-03T09:00", deadline="2024-03-30")

# (method, path, body) of every authenticated route, to check 401 without and with a bad token.
ROUTES = [
    ("get", "/centers", None), ("get", "/centers/townA", None), ("get", "/experts", None), ("get", "/experts/medA", None),
    ("post", "/experts/medA/leave", {"start": "2024-03-05", "end": "2024-03-06"}), ("get", "/cases", None),
    ("post", "/cases", NEW_CASE), ("get", "/cases/caseA1", None), ("patch", "/cases/caseA1", {"risk": "medium"}),
    ("post", "/cases/caseA1/close", None), ("post", "/centers/townA/proposals", None), ("get", "/proposals/x", None),
    ("post", "/proposals/x/lines/caseA1/accept", None), ("get", "/assignments", None), ("get", "/assignments/caseA1", None),
    ("get", "/jobs/x", None), ("delete", "/jobs/x", None), ("get", "/users/me", None), ("post", "/users", {}),
    ("post", "/users/admin/keys", None), ("get", "/audit", None), ("get", "/stats", None), ("get", "/rotation", None),
]


@pytest.mark.parametrize("method,path,body", ROUTES)
def test_every_route_needs_a_valid_token(api, method, path, body):
    kw = {"json": body} if body is not None else {}
    r = api.client.request(method.upper(), path, **kw)
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    r = api.client.request(method.upper(), path, headers={"Authorization": "Bearer mk_wrong"}, **kw)
    assert r.status_code == 401
    assert r.json()["detail"] == "invalid or revoked token"


def test_centers_success_and_404(api):
    assert {c["id"] for c in api.get("/centers", "planner").json()} == {"dist", "townA", "townB", "commA1"}
    assert api.get("/centers/townB", "coordA").json()["name"] == "Town B"
    r = api.get("/centers/nowhere", "coordA")
    assert r.status_code == 404 and r.json()["detail"] == "center 'nowhere' not found"


def test_experts_roles_and_404(api):
    assert len(api.get("/experts", "coordA").json()) == 5
    assert [e["id"] for e in api.get("/experts?role=judge", "court").json()] == ["judge1"]
    assert api.get("/experts", "planner").status_code == 403  # no personal data for planners
    assert api.get("/experts/ghost", "coordA").status_code == 404


def test_leave_success_validation_scope(api):
    r = api.post("/experts/medA/leave", "coordA", json={"start": "2024-03-05", "end": "2024-03-06"})
    assert r.status_code == 200 and r.json()["leave"] == [{"start": "2024-03-05", "end": "2024-03-06"}]
    bad = api.post("/experts/medA/leave", "coordA", json={"start": "2024-03-06", "end": "2024-03-05"})
    assert bad.status_code == 422 and "end 2024-03-05 is before start 2024-03-06" in bad.json()["detail"]
    assert api.post("/experts/medA/leave", "coordB", json={"start": "2024-03-05", "end": "2024-03-06"}).status_code == 403
    assert api.post("/experts/medA/leave", "court", json={"start": "2024-03-05", "end": "2024-03-06"}).status_code == 403
    assert api.post("/experts/judge1/leave", "court", json={"start": "2024-03-05", "end": "2024-03-06"}).status_code == 200
    assert api.post("/experts/ghost/leave", "coordA", json={"start": "2024-03-05", "end": "2024-03-06"}).status_code == 404


def test_cases_are_scoped_to_the_coordinators_subtree(api):
    ids = {c["id"] for c in api.get("/cases", "coordA").json()}
    assert ids == {"caseA1", "caseA2", "caseA3"}  # townA and its community, not townB
    assert {c["id"] for c in api.get("/cases", "coordB").json()} == {"caseB1"}
    assert len(api.get("/cases", "admin").json()) == 4
    # Other towns' cases look missing (no probing of ids), on every case route.
    assert api.get("/cases/caseB1", "coordA").status_code == 404
    assert api.client.patch("/cases/caseB1", headers=api.h("coordA"), json={"risk": "high"}).status_code == 404
    assert api.post("/cases/caseB1/close", "coordA").status_code == 404
    assert api.post("/cases", "coordA", json={**NEW_CASE, "center": "townB"}).status_code == 403
    for role in ("planner", "court"):
        assert api.get("/cases", role).status_code == 403
        assert api.get("/cases/caseA1", role).status_code == 403


def test_case_list_hides_party_details(api):
    listed = {c["id"]: c for c in api.get("/cases", "coordA").json()}
    assert "parties" not in listed["caseA1"]["case"]
    one = api.get("/cases/caseA1", "coordA").json()
    assert one["case"]["parties"][0]["organization"] == "Acme Ltd"


def test_create_case_success_and_validation_names_field_and_value(api):
    r = api.post("/cases", "coordA", json=NEW_CASE)
    assert r.status_code == 201 and r.headers["location"] == "/cases/caseA9"
    assert api.post("/cases", "coordA", json=NEW_CASE).status_code == 409
    bad = api.post("/cases", "coordA", json={**NEW_CASE, "id": "x1", "category": "astrology"})
    assert bad.status_code == 422
    err = bad.json()["errors"][0]
    assert err["field"] == "body.category" and err["value"] == "astrology"
    late = api.post("/cases", "coordA", json={**NEW_CASE, "id": "x2", "deadline": "2024-01-01"})
    assert late.status_code == 422 and "deadline 2024-01-01 is before received 2024-03-03" in late.json()["detail"]
    ghost = api.post("/cases", "coordA", json={**NEW_CASE, "id": "x3", "excluded_experts": ["nobody"]})
    assert ghost.status_code == 422 and ghost.json()["errors"][0] == {"field": "excluded_experts.0", "value": "nobody", "message": "unknown expert id"}
    unserv = api.post("/cases", "coordA", json={**NEW_CASE, "id": "x4", "category": "medical"})
    assert unserv.status_code == 422 and unserv.json()["errors"][0]["field"] == "category"


def test_update_and_close_case(api):
    r = api.client.patch("/cases/caseA2", headers=api.h("coordA"), json={"risk": "high"})
    assert r.status_code == 200 and r.json()["case"]["risk"] == "high" and r.json()["sensitive"] and r.json()["version"] == 2
    bad = api.client.patch("/cases/caseA2", headers=api.h("coordA"), json={"deadline": "2020-01-01"})
    assert bad.status_code == 422
    assert api.client.patch("/cases/ghost", headers=api.h("coordA"), json={"risk": "high"}).status_code == 404
    assert api.post("/cases/caseA2/close", "coordA").json()["status"] == "closed"
    assert api.post("/cases/caseA2/close", "coordA").status_code == 409
    assert api.client.patch("/cases/caseA2", headers=api.h("coordA"), json={"risk": "low"}).status_code == 409


def test_viewing_a_sensitive_case_is_audited_without_personal_data(api):
    api.get("/cases/caseA3", "coordA")  # family + high risk
    api.get("/cases/caseA2", "coordA")  # ordinary: not audited
    log = api.get("/audit", "admin").json()
    views = [e for e in log if e["action"] == "view_sensitive_case"]
    assert [(e["actor"], e["object_id"]) for e in views] == [("coordA", "caseA3")]
    text = str(log)
    assert "Li Si" not in text and "13900000000" not in text
    assert api.get("/audit", "coordA").status_code == 403


def test_proposal_routes_scope_and_404(api):
    assert api.post("/centers/townB/proposals", "coordA").status_code == 403
    assert api.post("/centers/nowhere/proposals", "coordA").status_code == 404
    assert api.post("/centers/townA/proposals", "planner").status_code == 403
    bad = api.post("/centers/townA/proposals", "coordA", json={"horizon_days": 0})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.horizon_days"
    p = api.proposal()
    assert api.get(f"/proposals/{p['id']}", "coordB").status_code == 404
    assert api.post(f"/proposals/{p['id']}/lines/caseA1/accept", "coordB").status_code == 404
    assert api.get("/proposals/ghost", "coordA").status_code == 404
    assert api.post(f"/proposals/{p['id']}/lines/ghost/accept", "coordA").status_code == 404


def test_jobs_scope_cancel_404(api):
    r = api.post("/centers/townA/proposals", "coordA")
    job_id = r.json()["id"]
    assert api.get(f"/jobs/{job_id}", "coordA2").status_code == 200  # same town may follow it
    assert api.get(f"/jobs/{job_id}", "coordB").status_code == 404
    assert api.client.delete(f"/jobs/{job_id}", headers=api.h("coordB")).status_code == 404
    api.wait_job(job_id, "coordA")
    assert api.client.delete(f"/jobs/{job_id}", headers=api.h("coordA")).status_code == 409
    assert api.get("/jobs/ghost", "coordA").status_code == 404


def test_users_and_keys(api):
    assert api.get("/users/me", "coordA").json() == {"id": "coordA", "role": "coordinator", "center_id": "townA"}
    body = {"id": "c2", "name": "New", "role": "coordinator", "center_id": "townB"}
    assert api.post("/users", "coordA", json=body).status_code == 403
    assert api.post("/users", "admin", json=body).status_code == 201
    assert api.post("/users", "admin", json=body).status_code == 409
    bad = api.post("/users", "admin", json={**body, "id": "c3", "center_id": None})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "center_id"
    tok = api.post("/users/c2/keys", "admin").json()["token"]
    me = api.client.get("/users/me", headers={"Authorization": f"Bearer {tok}"}).json()
    assert me == {"id": "c2", "role": "coordinator", "center_id": "townB"}
    assert api.post("/users/ghost/keys", "admin").status_code == 404


def test_stats_are_aggregates_for_planners(api):
    s = api.get("/stats", "planner").json()
    assert s["cases_by_center"]["townA"]["open"] == 2 and s["cases_by_center"]["townB"]["open:labor"] == 1
    assert "caseA1" not in str(s)
    assert api.get("/stats", "coordA").status_code == 403


def test_rotation_calendar(api):
    assert api.get("/rotation", "court").json() == [{"judge": "judge1", "center": "townA", "slot": {"date": "2024-03-06", "half": "am"}}]
    assert api.get("/rotation", "coordB").json() == []  # not their centers
    assert len(api.get("/rotation", "coordA").json()) == 1
    assert api.get("/rotation", "planner").status_code == 403


def test_request_too_large_is_413(api):
    r = api.post("/cases", "coordA", content=b"{" + b" " * 2_000_000 + b"}", headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["status"] == 413
