"""The Curtois adapter: Instance1 to its proven optimum (607) through the same rostering core, checked
by the independent evaluator; the benchmark script's output format and solution files."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from ortools.sat.python import cp_model

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "benchmarks" / "rostering" / "curtois"
sys.path.insert(0, str(ROOT / "benchmarks"))

from curtois_eval import evaluate  # noqa: E402

from matcher.io.curtois import read_curtois, roster_rows, to_roster_problem  # noqa: E402
from matcher.rotation.core import RosterModel  # noqa: E402

pytestmark = pytest.mark.skipif(not DATA.exists(), reason="shared/benchmarks not beside the repository")


def test_instance1_reaches_its_optimum_and_the_evaluator_agrees(tmp_path):
    inst = read_curtois(DATA / "Instance1.txt")
    model = RosterModel(to_roster_problem(inst))
    model.add_core_constraints()
    out = model.solve(time_limit_s=30, workers=2, seed=0)
    assert out.status.value == "optimal" and out.objective == 607  # published optimum
    csv_path = tmp_path / "Instance1.csv"
    csv_path.write_text("employee,day,shift\n" + "".join(f"{e},{d},{s}\n" for e, d, s in roster_rows(inst, out.assignment)))
    penalty, errors = evaluate(DATA / "Instance1.txt", csv_path)
    assert errors == [] and penalty == 607


def test_evaluator_catches_a_broken_roster(tmp_path):
    bad = tmp_path / "bad.csv"
    inst = read_curtois(DATA / "Instance1.txt")
    first = inst.staff[0].id
    bad.write_text("employee,day,shift\n" + "".join(f"{first},{d},{next(iter(inst.shifts))}\n" for d in range(inst.horizon)))
    _pen, errors = evaluate(DATA / "Instance1.txt", bad)
    assert any("consecutive shifts" in e for e in errors)


def test_evaluator_command_line_scores_a_roster_and_names_a_missing_file(tmp_path):
    script = str(ROOT / "benchmarks" / "curtois_eval.py")
    bad = tmp_path / "bad.csv"
    inst = read_curtois(DATA / "Instance1.txt")
    bad.write_text("employee,day,shift\n" + "".join(f"{inst.staff[0].id},{d},{next(iter(inst.shifts))}\n" for d in range(inst.horizon)))
    run = subprocess.run([sys.executable, script, str(DATA / "Instance1.txt"), str(bad)], capture_output=True, text=True)
    assert run.returncode == 1 and re.match(r"penalty \d+, hard violations [1-9]", run.stdout), run.stdout
    missing = subprocess.run([sys.executable, script, str(DATA / "Instance1.txt"), str(tmp_path / "none.csv")],
                             capture_output=True, text=True)
    assert missing.returncode == 2 and "none.csv" in missing.stderr and "Traceback" not in missing.stderr


def test_benchmark_script_prints_the_agreed_line_and_writes_csv(tmp_path):
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "curtois_bench.py"), str(DATA / "Instance1.txt"), "--time-limit", "10",
         "--seed", "0", "--solutions-dir", str(tmp_path)], capture_output=True, text=True, check=True,
    ).stdout
    line = re.search(r"^Instance1 607 (\d+) \d+\.\d\d$", out, re.M)
    assert line and int(line.group(1)) <= 607, out  # the published optimum; any valid bound below or at it
    assert (tmp_path / "Instance1.csv").read_text().startswith("employee,day,shift\n")


def test_a_solution_is_read_back_as_the_solver_itself_evaluates_it():
    """`RosterModel.solve` reads the cells and terms from the solution vector with numpy; CP-SAT,
    given that same solution (every variable fixed) and read variable by variable and term by term,
    agrees."""
    model = RosterModel(to_roster_problem(read_curtois(DATA / "Instance2.txt")))
    model.add_core_constraints()
    out = model.solve(time_limit_s=2, workers=1, seed=0)  # (any roster: optimality does not matter)
    assert out.assignment is not None and out.objective is not None
    fixed = model.model.clone()  # every variable, cells and helpers alike, as in the solution read
    for i, value in enumerate(model.last_values):
        fixed.add(fixed.get_int_var_from_proto_index(i) == value)
    solver = cp_model.CpSolver()
    assert solver.solve(fixed) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    value = lambda e: e if isinstance(e, (int, float)) else solver.value(e)  # noqa: E731
    terms = {name: float(sum(value(e) for _w, e in items)) for name, items in model.terms.items()}
    assert out.terms == pytest.approx(terms) and sum(terms.values()) > 0
    cells = {(s, per, k) for (s, per, k), v in model.x.items() if solver.boolean_value(v)}
    assert cells == {(s, per, int(k)) for (s, per), k in np.ndenumerate(out.assignment) if k >= 0}
    assert out.objective == pytest.approx(sum(w * value(e) for items in model.terms.values() for w, e in items))
