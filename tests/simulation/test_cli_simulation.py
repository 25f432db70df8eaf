"""`matcher simulate`, `matcher compare` and `matcher staffing` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from matcher.cli import main

VARIANTS = Path(__file__).resolve().parents[2] / "scenarios" / "variants"


def test_simulate_prints_kpis_and_writes_json_and_html(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out, page = tmp_path / "r.json", tmp_path / "r.html"
    rc = main(["simulate", "sajin", "--days", "15", "--replications", "2", "--seed", "3", "--time-limit", "0.5",
               "--out", str(out), "--html", str(page), "--quiet"])
    text = capsys.readouterr().out
    assert rc == 0
    assert "2 replications, seed 3" in text and "resolved_in_time" in text and "95% CI" in text
    report = json.loads(out.read_text())
    assert report["seed"] == 3 and report["replications"] == 2 and report["params"]["time_limit_s"] == 0.5
    assert len(report["per_replication"]) == 2 and len(report["backlog_by_day"]) == 15
    assert "<svg" in page.read_text()


def test_simulate_accepts_a_variant_file(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    rc = main(["simulate", str(VARIANTS / "sajin-busy.yaml"), "--days", "10", "--replications", "1", "--assigner", "greedy", "--quiet"])
    assert rc == 0
    assert "sajin+sajin-busy" in capsys.readouterr().out


def test_bad_input_exits_2_naming_the_field(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nbase: sajin\nchanges:\n  - add_experts: {role: counselor, center: atlantis, count: 1}\n")
    assert main(["simulate", str(bad), "--days", "5", "--replications", "1"]) == 2
    assert "changes.0.add_experts.center = 'atlantis': unknown center id" in capsys.readouterr().err
    assert main(["simulate", "sajin", "--days", "5", "--replications", "0"]) == 2
    assert "replications must be >= 1, got 0" in capsys.readouterr().err
    params = tmp_path / "p.yaml"
    params.write_text("sick_leave_rate: 2\n")
    assert main(["simulate", "sajin", "--days", "5", "--params", str(params)]) == 2
    assert "sick_leave_rate" in capsys.readouterr().err
    assert main(["simulate", str(tmp_path / "missing.yaml"), "--days", "5"]) == 2
    assert "not found" in capsys.readouterr().err


def test_compare_runs_the_bundled_sajin_variants(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    page = tmp_path / "c.html"
    rc = main(["compare", str(VARIANTS / "sajin-base.yaml"), str(VARIANTS / "sajin-more-mediators.yaml"),
               str(VARIANTS / "sajin-busy.yaml"), "--days", "15", "--replications", "2", "--time-limit", "0.5",
               "--html", str(page), "--quiet"])
    text = capsys.readouterr().out
    assert rc == 0
    assert "3 variants × 2 replications" in text
    assert "sajin-more-mediators: +3 mediator at sajin" in text
    html = page.read_text()
    assert html.count("<polyline") == 6 and "sajin-busy" in html


def test_staffing_lists_the_rosters_it_tried(capsys) -> None:  # type: ignore[no-untyped-def]
    rc = main(["staffing", "sajin", "--group", "mediator:min=2:max=16", "--kpi", "resolved", "--target", "0.5",
               "--days", "15", "--replications", "1", "--assigner", "greedy", "--quiet"])
    text = capsys.readouterr().out
    assert rc == 0
    assert "target: resolved >= 0.5 (mean); current roster: mediator=16" in text
    assert "<- best" in text
    assert main(["staffing", "sajin", "--group", "mediator:speed=3", "--days", "5"]) == 2
    assert "option 'speed=3' must be cost=X, min=N or max=N" in capsys.readouterr().err
