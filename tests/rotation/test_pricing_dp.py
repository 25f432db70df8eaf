"""The day-DP pricer: on tiny members its minimum equals a brute force over every roster that the
independent Curtois evaluator accepts (never above it when a relaxed rule breaks); on the published
instances it agrees with the CP-SAT pricer; column generation uses it."""

from __future__ import annotations

import itertools
import random
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "benchmarks" / "rostering" / "curtois"
sys.path.insert(0, str(ROOT / "benchmarks"))

from curtois_eval import evaluate  # noqa: E402

from matcher.io.curtois import read_curtois, to_roster_problem  # noqa: E402
from matcher.rotation.colgen import ColumnGeneration, solve_by_column_generation, staff_slice  # noqa: E402
from matcher.rotation.pricing_dp import DayPricer, day_pricing_applies  # noqa: E402

HORIZON = 7  # one week: Saturday and Sunday are days 5 and 6


def one_member(tmp_path: Path, rng: random.Random) -> Path:
    """One employee, two shifts of different lengths (E may not follow L), random limits."""
    lines = ["SECTION_HORIZON", str(HORIZON), "SECTION_SHIFTS", "E,480,", "L,600,E", "SECTION_STAFF"]
    max_e, max_l = rng.randint(1, HORIZON), rng.randint(0, 3)
    lo = 480 * rng.randint(0, 3)
    hi = lo + rng.choice([0, 120, 480, 1200, 5000])
    # a maximum run of 7 or more never binds in a week: the DP's "no maximum" states
    lines.append(f"A,E={max_e}|L={max_l},{hi},{lo},{rng.choice([2, 3, 5, 7, 9])},{rng.randint(1, 3)},{rng.randint(1, 2)},{rng.randint(0, 1)}")
    days_off = rng.sample(range(HORIZON), rng.randint(0, 2))
    lines += ["SECTION_DAYS_OFF", ",".join(["A", *map(str, days_off)]) if days_off else ""]
    path = tmp_path / "one.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def accepted(path: Path, tmp_path: Path, cost: np.ndarray, binds_at_ends: bool) -> dict[tuple[int, ...], float]:
    """Every roster the evaluator accepts, with its cost."""
    out = {}
    roster = tmp_path / "bf.csv"
    for pattern in itertools.product([None, "E", "L"], repeat=HORIZON):
        roster.write_text("employee,day,shift\n" + "".join(f"A,{d},{s}\n" for d, s in enumerate(pattern) if s))
        _penalty, errors = evaluate(path, roster, min_work_run_binds_at_ends=binds_at_ends)
        if not errors:
            out[tuple(-1 if s is None else "EL".index(s) for s in pattern)] = float(sum(cost[d, "EL".index(s)] for d, s in enumerate(pattern) if s))
    return out


def cost_of(row: np.ndarray, cost: np.ndarray) -> float:
    return float(sum(cost[d, k] for d, k in enumerate(row) if k >= 0))


def random_case(tmp_path: Path, seed: int):  # type: ignore[no-untyped-def]
    """(path, problem, cost matrix, {roster: cost} over every evaluator-accepted roster, binds)."""
    rng = random.Random(seed)
    path = one_member(tmp_path, rng)
    binds = seed % 3 == 2
    p = replace(to_roster_problem(read_curtois(path)), min_work_run_binds_at_ends=binds)
    cost = np.round(np.array([[rng.uniform(-6, 4) for _k in range(2)] for _d in range(HORIZON)]), 2)
    return path, p, cost, accepted(path, tmp_path, cost, binds), binds


@pytest.mark.parametrize("seed", range(10))
def test_minimum_equals_brute_force_over_evaluator_accepted_rosters(tmp_path, seed):
    path, p, cost, feasible, binds = random_case(tmp_path, seed)
    optimum = min(feasible.values(), default=float("inf"))
    for counters in (0, 64):  # no counter axis (rules checked afterwards) and every counter modelled
        r = DayPricer(staff_slice(p, 0), max_counter_states=counters).solve(cost)
        assert r.value <= optimum + 1e-9
        if optimum == float("inf"):  # no roster keeps every rule (e.g. a minimum run above the maximum)
            assert r.value == float("inf") and r.rows == []
        elif r.exact:
            assert r.value == pytest.approx(optimum)
            assert cost_of(r.rows[-1], cost) == pytest.approx(optimum)
        for row in r.rows:  # every returned roster keeps every rule, as the evaluator sees it
            csv = tmp_path / "row.csv"
            csv.write_text("employee,day,shift\n" + "".join(f"A,{d},{'EL'[k]}\n" for d, k in enumerate(row) if k >= 0))
            assert evaluate(path, csv, min_work_run_binds_at_ends=binds)[1] == []


@pytest.mark.parametrize("seed", range(10))
def test_enumeration_lists_exactly_the_accepted_rosters_within_the_threshold(tmp_path, seed):
    # Branch and price settles a node from these lists: a roster missing would be a wrong proof.
    _path, p, cost, feasible, _binds = random_case(tmp_path, seed)
    for counters in (0, 64):
        pricer = DayPricer(staff_slice(p, 0), max_counter_states=counters)
        for threshold in (-5.0, 0.0, 3.0, 100.0):
            rows = [tuple(map(int, r)) for r in pricer.enumerate(cost, threshold, 10**6)]
            assert len(rows) == len(set(rows))
            assert set(rows) == {r for r, c in feasible.items() if c <= threshold + 1e-9}
    if len(feasible) > 1:  # more rosters than the limit: None, not a partial list
        assert DayPricer(staff_slice(p, 0)).enumerate(cost, 100.0, len(feasible) - 1) is None


@pytest.mark.parametrize("seed", range(10))
def test_branching_decisions_restrict_the_dp_and_the_cp_sat_pricer_alike(tmp_path, seed):
    # A decision (period, value, equal): the roster takes (or avoids) that value there (-1 = off).
    from matcher.rotation.colgen import _Pricer, restricted_costs

    _path, p, cost, feasible, _binds = random_case(tmp_path, seed)
    rng = random.Random(100 + seed)
    restrict = [(rng.randrange(HORIZON), rng.choice([-1, 0, 1]), rng.random() < 0.5) for _ in range(rng.randint(1, 3))]
    keeps = {r: c for r, c in feasible.items() if all((r[d] == v) == eq for d, v, eq in restrict)}
    optimum = min(keeps.values(), default=float("inf"))
    matrix, off_forbidden = restricted_costs(cost, restrict)
    dp = DayPricer(staff_slice(p, 0))
    r = dp.solve(matrix, off_forbidden=off_forbidden)
    assert r.value <= optimum + 1e-9
    if r.exact and optimum < float("inf"):
        assert r.value == pytest.approx(optimum) and tuple(map(int, r.rows[-1])) in keeps
    listed = dp.enumerate(matrix, optimum + 2.0, 10**6, off_forbidden=off_forbidden) if optimum < float("inf") else []
    assert {tuple(map(int, row)) for row in listed} == {k for k, c in keeps.items() if c <= optimum + 2.0 + 1e-9}
    pricer = _Pricer(p, 0, {}, 0.0)
    duals = {(d, k): -float(cost[d, k]) for d in range(HORIZON) for k in range(2)}  # reduced cost = cost
    out = pricer.price_cp_sat(duals, time_limit_s=10, seed=0, scale=100.0, gap=0.0, restrict=restrict)
    if optimum == float("inf"):
        assert out is None
    else:
        assert out is not None and tuple(map(int, out[1])) in keeps and cost_of(out[1], cost) == pytest.approx(optimum)


@pytest.mark.parametrize("name", ["Instance2", "Instance4", "Instance8"])
def test_agrees_with_the_cp_sat_pricer_on_published_members(name):
    p = to_roster_problem(read_curtois(DATA / f"{name}.txt"))
    cg = ColumnGeneration(p, workers=1, seed=0)
    rng = random.Random(1)
    duals = {(c.period, c.kind): rng.uniform(0, 60) for c in cg.covers}
    for s in range(0, p.n_staff, 3):
        pricer = cg.pricers[s]
        assert pricer.dp is not None
        dp = pricer.dp
        cp_bound, cp_row, _rows = pricer.price_cp_sat(duals, time_limit_s=10, seed=0, gap=0.0)  # to optimality
        cost = cg.reduced_costs(s, duals)
        r = dp.solve(cost)
        cp_value = cost_of(cp_row, cost)
        assert r.value <= cp_value + 1e-6
        if r.exact:
            assert r.value == pytest.approx(cp_value, abs=1e-6)


def test_column_generation_prices_curtois_members_with_the_dp():
    p = to_roster_problem(read_curtois(DATA / "Instance2.txt"))
    assert day_pricing_applies(staff_slice(p, 0))
    r = solve_by_column_generation(p, time_limit_s=20, workers=1, seed=0)
    assert r.converged and r.lower_bound == 828  # the published optimum, proved


def test_rules_the_dp_does_not_model_leave_it_out():
    p = to_roster_problem(read_curtois(DATA / "Instance1.txt"))
    one = staff_slice(p, 0)
    assert not day_pricing_applies(replace(one, pins={(0, 3): None}))
    with pytest.raises(ValueError):
        DayPricer(replace(one, pins={(0, 3): None}))
