"""Planners' comparisons through the service: catalogue, a job with progress, the report, bad input."""

from __future__ import annotations

from .conftest import Api


def test_catalogue_lists_bundled_scenarios_and_the_variant_library(api: Api) -> None:
    r = api.get("/simulations/catalogue", "planner")
    assert r.status_code == 200
    names = {x["name"]: x for x in r.json()}
    assert names["sajin"]["kind"] == "scenario"
    assert names["sajin-busy"]["kind"] == "variant" and names["sajin-busy"]["base"] == "sajin"
    assert api.get("/simulations/catalogue", "coordA").status_code == 403


def test_a_comparison_runs_as_a_job_and_reports_paired_differences(api: Api) -> None:
    inline = {"name": "one-more", "base": "sajin", "changes": [{"add_experts": {"role": "mediator", "center": "sajin", "count": 1}}]}
    r = api.post("/simulations", "planner", json={"variants": ["sajin-base", "sajin-busy", inline], "days": 8,
                                                   "replications": 2, "seed": 3, "assigner": "greedy"})
    assert r.status_code == 202, r.text
    job = api.wait_job(r.json()["id"], "planner", timeout=120)
    assert job["status"] == "succeeded" and job["progress"] == 1.0, job
    run = api.get(f"/simulations/{job['result_id']}", "planner").json()
    assert [v["name"] for v in run["variants"]] == ["sajin-base", "sajin-busy", "one-more"]
    assert run["summary"]["seed"] == 3 and run["summary"]["replications"] == 2
    arrived = run["kpis"]["cases_arrived"]
    assert "difference" not in arrived["sajin-base"]
    # Same seeds: adding one mediator leaves the arrivals exactly as they were.
    assert arrived["one-more"]["difference"]["mean"] == 0
    assert arrived["sajin-busy"]["mean"] > arrived["sajin-base"]["mean"]
    page = api.get(f"/simulations/{job['result_id']}/report.html", "planner")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.text.count("<svg") == 2 and "one-more" in page.text
    assert api.get(f"/simulations/{job['result_id']}", "coordA").status_code == 403


def test_bad_requests_name_the_field_and_store_nothing(api: Api) -> None:
    cases = [
        ({"variants": ["../../etc/passwd"]}, "variants.0 = '../../etc/passwd': not in the catalogue"),
        ({"variants": ["atlantis"]}, "variants.0 = 'atlantis': not in the catalogue"),
        ({"variants": [{"name": "x", "base": "/tmp/evil.json"}]}, "variants.0.base = '/tmp/evil.json'"),
        ({"variants": [{"name": "x", "base": "sajin", "changes": [{"add_experts": {"role": "mediator", "center": "mars", "count": 1}}]}],
          "days": 5}, "changes.0.add_experts.center = 'mars': unknown center id"),
        ({"variants": [{"name": "x", "base": "sajin", "changes": [{"add_rooms": {"count": 1}}]}]},
         "changes.0.add_rooms = {'count': 1}: give exactly one of center or level"),
        ({"variants": ["sajin", "sajin"]}, "names must be unique"),
        ({"variants": ["sajin"], "days": 700, "replications": 20, }, "days × replications × variants = 14000"),
        ({"variants": ["sajin", "sajin-busy"], "days": 730, "replications": 20}, "at most 20000"),
        ({"variants": ["sajin"], "days": 10, "warmup_days": 10}, "warmup_days = 10"),
    ]
    for body, message in cases:
        r = api.post("/simulations", "planner", json=body)
        if "14000" in message:
            assert r.status_code == 202, r.text  # under the cap: accepted (then cancelled to free the pool)
            assert api.client.delete(f"/jobs/{r.json()['id']}", headers=api.h("planner")).status_code == 200
            continue
        assert r.status_code == 422, (body, r.text)
        assert message in r.json()["detail"], (message, r.text)
    r = api.post("/simulations", "planner", json={"variants": ["sajin"], "days": 0})
    assert r.status_code == 422 and "days" in r.text
    # Nothing was stored by the refused requests: only the accepted-then-cancelled job exists.
    from sqlalchemy import create_engine, text

    engine = create_engine(api.url)
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM jobs WHERE kind = 'compare'")).scalar() == 1
        assert c.execute(text("SELECT count(*) FROM simulation_runs")).scalar() == 0
    engine.dispose()
