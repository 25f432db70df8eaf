"""Run-length rules of the rostering core (minimum consecutive shifts, minimum days off) on the
smallest cases where they bind, both horizon-end variants, through the Curtois adapter; every roster
is re-scored by the independent evaluator (benchmarks/curtois_eval.py), and small random cases are
compared with brute force over every roster."""

from __future__ import annotations

import itertools
import random
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from curtois_eval import evaluate  # noqa: E402

from matcher.io.curtois import read_curtois, roster_rows, to_roster_problem  # noqa: E402
from matcher.rotation.core import RosterModel  # noqa: E402


def instance(tmp_path: Path, *, horizon: int = 7, min_run: int = 1, min_off: int = 1, max_run: int = 7,
             on: dict[int, int] | None = None, off: dict[int, int] | None = None) -> Path:
    """One employee A, one shift D; requests as {day: weight}."""
    text = [
        "SECTION_HORIZON", str(horizon), "SECTION_SHIFTS", "D,480,",
        "SECTION_STAFF", f"A,D={horizon},{480 * horizon},0,{max_run},{min_run},{min_off},{horizon // 7}",
        "SECTION_SHIFT_ON_REQUESTS", *(f"A,{d},D,{w}" for d, w in (on or {}).items()),
        "SECTION_SHIFT_OFF_REQUESTS", *(f"A,{d},D,{w}" for d, w in (off or {}).items()),
    ]
    path = tmp_path / "tiny.txt"
    path.write_text("\n".join(text) + "\n")
    return path


def solve(path: Path, tmp_path: Path, *, binds_at_ends: bool) -> tuple[float, list[int]]:
    """The optimum and the worked days (days without a request may be worked or not at no cost)."""
    inst = read_curtois(path)
    problem = to_roster_problem(inst)
    problem.min_work_run_binds_at_ends = binds_at_ends
    model = RosterModel(problem)
    model.add_core_constraints()
    out = model.solve(time_limit_s=10, workers=1, seed=0)
    assert out.status.value == "optimal", out.reason
    roster = tmp_path / "tiny.csv"
    roster.write_text("employee,day,shift\n" + "".join(f"{e},{d},{s}\n" for e, d, s in roster_rows(inst, out.assignment)))
    penalty, errors = evaluate(path, roster, min_work_run_binds_at_ends=binds_at_ends)
    assert errors == [] and penalty == out.objective  # the independent evaluator agrees
    return out.objective, [d for d in range(inst.horizon) if out.assignment[0, d] >= 0]


def test_a_run_of_work_touching_the_start_is_free_of_the_minimum_only_in_the_curtois_variant(tmp_path):
    # Min run 2; A wants day 0 (5) but not day 1 (3). Curtois (free at the ends): work day 0 alone, 0.
    # Days outside off (binds): day 0 alone is a run of 1 -> work days 0-1 (3) or skip day 0 (5): 3.
    path = instance(tmp_path, min_run=2, on={0: 5}, off={1: 3})
    objective, days = solve(path, tmp_path, binds_at_ends=False)
    assert objective == 0 and 0 in days and 1 not in days
    objective, days = solve(path, tmp_path, binds_at_ends=True)
    assert objective == 3 and {0, 1} <= set(days)


def test_a_run_of_work_touching_the_end_is_free_of_the_minimum_only_in_the_curtois_variant(tmp_path):
    # Mirror image: A wants the last day 6 (5) but not day 5 (3): 0 free, 3 when bound.
    path = instance(tmp_path, min_run=2, on={6: 5}, off={5: 3})
    objective, days = solve(path, tmp_path, binds_at_ends=False)
    assert objective == 0 and 6 in days and 5 not in days
    objective, days = solve(path, tmp_path, binds_at_ends=True)
    assert objective == 3 and {5, 6} <= set(days)


def test_an_interior_run_of_work_meets_the_minimum_in_both_variants(tmp_path):
    # Min run 3; A wants day 3 (10), not days 2 and 4 (3 each), nor 1 and 5 (1 each). Day 3 alone is a
    # run of 1: the cheapest run of 3 holding day 3 is 1-3 or 3-5 (3 + 1 = 4) versus skipping (10).
    path = instance(tmp_path, min_run=3, on={3: 10}, off={2: 3, 4: 3, 1: 1, 5: 1})
    for binds in (False, True):
        objective, days = solve(path, tmp_path, binds_at_ends=binds)
        assert objective == 4 and ({1, 2, 3} <= set(days) or {3, 4, 5} <= set(days))


def test_an_interior_off_run_meets_the_minimum_days_off_but_one_at_the_end_is_free(tmp_path):
    # Min days off 2; A wants days 2 and 4 (5 each), not day 3 (1): one day off between is too short,
    # so work 2-4 (1). Wanting day 5 (5) but not the last day 6 (5): a single day off at the end is free.
    path = instance(tmp_path, min_off=2, on={2: 5, 4: 5, 5: 5}, off={3: 1, 6: 5})
    for binds in (False, True):
        objective, days = solve(path, tmp_path, binds_at_ends=binds)
        assert objective == 1 and {2, 3, 4, 5} <= set(days) and 6 not in days


def brute_force(path: Path, tmp_path: Path, horizon: int, binds_at_ends: bool) -> float:
    best = float("inf")
    roster = tmp_path / "bf.csv"
    for pattern in itertools.product((0, 1), repeat=horizon):
        roster.write_text("employee,day,shift\n" + "".join(f"A,{d},D\n" for d in range(horizon) if pattern[d]))
        penalty, errors = evaluate(path, roster, min_work_run_binds_at_ends=binds_at_ends)
        if not errors:
            best = min(best, penalty)
    return best


@pytest.mark.parametrize("seed", range(12))
def test_random_small_cases_match_brute_force(tmp_path, seed):
    rng = random.Random(seed)
    horizon = 7
    days = list(range(horizon))
    on = {d: rng.randint(1, 9) for d in rng.sample(days, rng.randint(1, 4))}
    off = {d: rng.randint(1, 9) for d in rng.sample(days, rng.randint(1, 4)) if d not in on}
    path = instance(tmp_path, min_run=rng.randint(1, 4), min_off=rng.randint(1, 3), max_run=rng.randint(3, 7), on=on, off=off)
    for binds in (False, True):
        assert solve(path, tmp_path, binds_at_ends=binds)[0] == brute_force(path, tmp_path, horizon, binds)
