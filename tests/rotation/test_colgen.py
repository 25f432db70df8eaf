"""Column generation (price and branch) on the rostering core: its lower bound never exceeds a
brute-force optimum, its rosters are re-scored by the independent Curtois evaluator, and on
Instance1 it reaches the published optimum."""

from __future__ import annotations

import itertools
import time
import random
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
from matcher.rotation.colgen import solve_by_column_generation, staff_slice  # noqa: E402
from matcher.rotation.core import RosterModel  # noqa: E402


def write_roster(inst, assignment, path: Path) -> Path:  # type: ignore[no-untyped-def]
    path.write_text("employee,day,shift\n" + "".join(f"{e},{d},{s}\n" for e, d, s in roster_rows(inst, assignment)))
    return path


def tiny(tmp_path: Path, rng: random.Random, horizon: int = 5) -> Path:
    """Two employees, two shifts (E may not follow L), random requests and cover."""
    lines = ["SECTION_HORIZON", str(horizon), "SECTION_SHIFTS", "E,480,", "L,480,E", "SECTION_STAFF"]
    for e in "AB":
        lines.append(f"{e},E={horizon}|L={rng.randint(0, horizon)},{480 * horizon},{480 * rng.randint(0, 2)},"
                     f"{rng.randint(2, 4)},{rng.randint(1, 2)},{rng.randint(1, 2)},0")
    lines.append("SECTION_SHIFT_ON_REQUESTS")
    lines += [f"{e},{d},{s},{rng.randint(1, 3)}" for e in "AB" for d in range(horizon) for s in "EL" if rng.random() < 0.15]
    lines.append("SECTION_SHIFT_OFF_REQUESTS")
    lines += [f"{e},{d},{s},{rng.randint(1, 3)}" for e in "AB" for d in range(horizon) for s in "EL" if rng.random() < 0.15]
    lines.append("SECTION_COVER")
    lines += [f"{d},{s},{rng.randint(0, 2)},{rng.choice([10, 100])},1" for d in range(horizon) for s in "EL"]
    path = tmp_path / "tiny.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def brute_force(path: Path, tmp_path: Path, horizon: int) -> float:
    return min((penalty for _roster, penalty in accepted_rosters(path, tmp_path, horizon)), default=float("inf"))


def accepted_rosters(path: Path, tmp_path: Path, horizon: int) -> list[tuple[np.ndarray, float]]:
    """Every two-employee roster the evaluator accepts, as (assignment, penalty)."""
    out = []
    roster = tmp_path / "bf.csv"
    for pattern in itertools.product([None, "E", "L"], repeat=2 * horizon):
        roster.write_text("employee,day,shift\n" + "".join(
            f"{'AB'[i // horizon]},{i % horizon},{s}\n" for i, s in enumerate(pattern) if s))
        penalty, errors = evaluate(path, roster)
        if not errors:
            out.append((np.array([-1 if s is None else "EL".index(s) for s in pattern]).reshape(2, horizon), penalty))
    return out


@pytest.mark.parametrize("seed", range(4))
def test_lower_bound_never_exceeds_the_brute_force_optimum_and_rosters_check(tmp_path, seed):
    path = tiny(tmp_path, random.Random(seed), horizon=3)
    inst = read_curtois(path)
    r = solve_by_column_generation(to_roster_problem(inst), time_limit_s=2, workers=1, seed=0)
    optimum = brute_force(path, tmp_path, 3)
    assert r.assignment is not None and r.converged
    penalty, errors = evaluate(path, write_roster(inst, r.assignment, tmp_path / "cg.csv"))
    assert errors == [] and penalty == r.objective
    assert r.lower_bound <= optimum <= r.objective


def test_staff_slice_keeps_only_that_members_rules():
    inst = read_curtois(DATA / "Instance1.txt")
    p = to_roster_problem(inst)
    one = staff_slice(p, 3)
    assert one.n_staff == 1 and one.covers == [] and one.requests_on == []
    assert one.allowed.shape == (1, p.n_periods, p.n_types) and (one.allowed[0] == p.allowed[3]).all()
    assert int(one.max_minutes[0]) == int(p.max_minutes[3]) and one.min_work_run_binds_at_ends is False


@pytest.mark.skipif(not DATA.exists(), reason="shared/benchmarks not beside the repository")
def test_instance1_reaches_the_published_optimum_above_its_lp_bound(tmp_path):
    inst = read_curtois(DATA / "Instance1.txt")
    start = RosterModel(to_roster_problem(inst))
    start.add_core_constraints()
    first = start.solve(time_limit_s=0.3, workers=1, seed=0, solver_params={"stop_after_first_solution": True})
    r = solve_by_column_generation(to_roster_problem(inst), time_limit_s=6, workers=2, seed=0, initial=first.assignment)
    # The master LP over all rosters is 558 here (Instances 2-4: the LP equals the optimum); any
    # valid bound stays at or below the published optimum 607, which the search reaches.
    assert r.converged and r.lower_bound <= 607
    penalty, errors = evaluate(DATA / "Instance1.txt", write_roster(inst, r.assignment, tmp_path / "i1.csv"))
    assert errors == [] and penalty == r.objective == 607


@pytest.mark.skipif(not DATA.exists(), reason="shared/benchmarks not beside the repository")
def test_convergence_is_confirmed_by_exact_pricing_and_the_bound_is_a_lagrangian_value():
    # Instance3: pricing stops within 1 of each member's minimum, and at the LP value 1001.0 a roster
    # of reduced cost -2.0 remains at GLOP's duals; the LP value alone proved nothing. The bound kept
    # is the exact-pricing Lagrangian value (1000.76 here), which still rounds up to the proven
    # optimum 1001; the pricers' gaps are restored for the dive.
    import time

    from matcher.rotation.colgen import ColumnGeneration

    p = to_roster_problem(read_curtois(DATA / "Instance3.txt"))
    cg = ColumnGeneration(p, workers=1, seed=0, day_pricing=False)  # the CP-SAT pricers
    assert cg.initial_columns(None, time.perf_counter() + 30)
    lp_value, _lams = cg.converge(time.perf_counter() + 30)
    assert all(pr.gap == 1.0 for pr in cg.pricers)
    # Not the LP value (1001.0, unproven), but the exact Lagrangian value below it.
    assert lp_value - 1 < cg.lower_bound < lp_value - 0.1 and cg.bound() == 1001


@pytest.mark.parametrize("seed", range(3))
def test_window_search_cuts_keep_the_brute_force_optimum(tmp_path, seed):
    # A Lagrangian cut per member (at any duals: sum((cost - dual) x) >= the member's pricing
    # minimum) holds for every roster, so the compact model with the cuts has the same optimum.
    from matcher.rotation.colgen import ColumnGeneration, WindowSearch

    rng = random.Random(seed)
    path = tiny(tmp_path, rng, horizon=3)
    p = to_roster_problem(read_curtois(path))
    cg = ColumnGeneration(p, workers=1, seed=0)
    duals = {(c.period, c.kind): rng.uniform(-1, 100) for c in cg.covers}
    floors = [(cg.reduced_costs(s, duals), cg.pricers[s].dp.solve(cg.reduced_costs(s, duals)).value) for s in range(p.n_staff)]
    ws = WindowSearch(p, floors, workers=1, seed=0)
    o = ws.model.solve(time_limit_s=10, workers=1, seed=0)
    assert o.objective == brute_force(path, tmp_path, 3)
    # A round of neighbourhoods from a feasible roster returns a roster the evaluator accepts, no worse.
    start = solve_by_column_generation(p, time_limit_s=2, workers=1, seed=0).assignment
    out, _won = ws.search(start, time.perf_counter() + 5, random.Random(0), cg.cost)
    penalty, errors = evaluate(path, write_roster(read_curtois(path), out, tmp_path / "w.csv"))
    assert errors == [] and penalty <= cg.cost(start)


def converged_windows(p):  # type: ignore[no-untyped-def]
    """Column generation converged on `p`, and its compact model with cuts at the bound's duals."""
    from matcher.rotation.colgen import ColumnGeneration

    cg = ColumnGeneration(p, workers=1, seed=0)
    assert cg.initial_columns(None, time.perf_counter() + 10)
    assert cg.converge(time.perf_counter() + 20) is not None
    ws = cg.window_search()
    assert ws is not None and ws.lagrangian == pytest.approx(cg.lower_bound)
    return cg, ws


@pytest.mark.parametrize("seed", range(5))
def test_the_budget_keeps_every_optimal_roster_and_nothing_below_it(tmp_path, seed):
    # Budget of the optimum: an optimal roster is still there (the per-member and per-row limits
    # only drop rosters costing more). Budget of one less (integer weights): nothing is left, which
    # is what lets the probe prove a bound. Both against the evaluator's brute force.
    from matcher.rotation.colgen import FullSearch

    rng = random.Random(20 + seed)
    path = tiny(tmp_path, rng, horizon=3)
    p = to_roster_problem(read_curtois(path))
    optimum = brute_force(path, tmp_path, 3)
    cg, ws = converged_windows(p)
    start = solve_by_column_generation(p, time_limit_s=2, workers=1, seed=0).assignment
    at = FullSearch(ws, start, optimum, time.perf_counter() + 10, seed=0)
    at.thread.join()
    assert at.found is not None and cg.cost(at.found) == optimum
    penalty, errors = evaluate(path, write_roster(read_curtois(path), at.found, tmp_path / "f.csv"))
    assert errors == [] and penalty == optimum
    below = FullSearch(ws, start, optimum - 1, time.perf_counter() + 10, seed=0)
    below.thread.join()
    assert below.found is None and below.code == cp_model.INFEASIBLE


@pytest.mark.skipif(not DATA.exists(), reason="shared/benchmarks not beside the repository")
def test_the_budget_binds_on_instance2_and_the_probe_proves_the_optimum():
    # Instance2's bound is its optimum (828): a probe at 827 must end infeasible (the proof that
    # raises the bound), one at 828 must find a roster of 828 (the budget keeps it).
    from matcher.rotation.colgen import FullSearch

    p = to_roster_problem(read_curtois(DATA / "Instance2.txt"))
    cg, ws = converged_windows(p)
    assert cg.bound() == 828
    start = solve_by_column_generation(p, time_limit_s=5, workers=1, seed=0).assignment
    below = FullSearch(ws, start, 827, time.perf_counter() + 30, seed=0)
    below.thread.join()
    assert below.code == cp_model.INFEASIBLE
    at = FullSearch(ws, start, 828, time.perf_counter() + 30, seed=0)
    at.thread.join()
    assert at.found is not None and cg.cost(at.found) == 828


def test_the_probe_adopts_its_roster_and_its_proof_raises_the_bound(tmp_path):
    from matcher.rotation.colgen import FullSearch

    rng = random.Random(7)
    path = tiny(tmp_path, rng, horizon=3)
    p = to_roster_problem(read_curtois(path))
    optimum = brute_force(path, tmp_path, 3)
    cg, ws = converged_windows(p)
    worst = solve_by_column_generation(p, time_limit_s=2, workers=1, seed=0).assignment
    cg.full = FullSearch(ws, worst, optimum, time.perf_counter() + 10, seed=0)
    cg.full.thread.join()
    best = cg.adopt_probe(worst, stop=True)
    assert cg.cost(best) == optimum and cg.bound() == optimum and cg.full is None


def test_a_dive_step_that_jumps_is_undone_and_the_dive_goes_on_one_member_at_a_time(tmp_path):
    # Scripted LP values (the LP itself is tested above): a step fixing both members raises the LP
    # from 10 to 20, so it is undone; then one member at a time, and a single fixing that jumps
    # (member 0: 30) is undone and another member is tried first.
    from matcher.rotation.colgen import ColumnGeneration

    p = to_roster_problem(read_curtois(tiny(tmp_path, random.Random(3), horizon=3)))
    cg = ColumnGeneration(p, workers=1, seed=0)
    assert cg.initial_columns(None, time.perf_counter() + 10)
    values = iter([10.0, 20.0, 10.0, 30.0, 10.0, 10.0, 10.0])
    seen = []

    def scripted(deadline, **_kw):  # type: ignore[no-untyped-def]
        seen.append(dict(cg.fixed))
        return next(values), [[1.0], [0.95]]  # each member's first column; member 0 the firmer

    cg.converge = scripted  # type: ignore[method-assign]
    out = cg.dive(time.perf_counter() + 10, divisor=1)
    assert [sorted(f) for f in seen] == [[], [0, 1], [], [0], [], [1], [0, 1]]
    assert out is not None and out.shape == (2, p.n_periods) and cg.fixed == {}


def test_the_dives_end_once_near_the_bound_they_stop_gaining(tmp_path):
    # bound 100, branch_gap 5, patience 2: an incumbent of 104 ends the dives after two dives without
    # a gain; one of 106 (too far) or a recent gain keeps them going until the time share; an
    # optimal incumbent ends them; the first dive always runs.
    from matcher.rotation.colgen import ColumnGeneration

    p = to_roster_problem(read_curtois(tiny(tmp_path, random.Random(3), horizon=3)))
    cg = ColumnGeneration(p, workers=1, seed=0)
    cg.lower_bound, cg.branch_gap, cg.dive_patience = 100.0, 5.0, 2
    later, past = time.perf_counter() + 60, time.perf_counter() - 1
    assert cg.keep_diving(0, 0, 104.0, past)  # the first dive runs whatever the time
    assert cg.keep_diving(1, 0, 104.0, later)
    assert not cg.keep_diving(2, 0, 104.0, later)
    assert cg.keep_diving(3, 2, 104.0, later)  # dive 2 gained
    assert cg.keep_diving(5, 0, 106.0, later)  # beyond branch_gap: the time share decides
    assert not cg.keep_diving(5, 0, 106.0, past)
    assert not cg.keep_diving(0, 0, 100.0, later)  # the incumbent is optimal
    cg.dive_patience = 0
    assert cg.keep_diving(9, 0, 104.0, later)


def test_a_dive_accepts_a_jump_when_every_free_member_was_tried(tmp_path):
    # Two members left, each single fixing jumps: after both were tried the jump is accepted
    # (Instance9 once alternated between 34 and 35 fixed members for the rest of its dive).
    from matcher.rotation.colgen import ColumnGeneration

    p = to_roster_problem(read_curtois(tiny(tmp_path, random.Random(3), horizon=3)))
    cg = ColumnGeneration(p, workers=1, seed=0)
    assert cg.initial_columns(None, time.perf_counter() + 10)
    seen = []

    def scripted(deadline, **_kw):  # type: ignore[no-untyped-def]
        seen.append(sorted(cg.fixed))
        assert len(seen) < 20, seen
        return 10.0 + 10.0 * len(cg.fixed), [[0.5], [0.4]]  # every fixing raises the LP by 10

    cg.converge = scripted  # type: ignore[method-assign]
    out = cg.dive(time.perf_counter() + 10, divisor=2)
    assert seen == [[], [0], [], [1], [0, 1]]
    assert out is not None and cg.fixed == {}


@pytest.mark.parametrize("seed", range(6))
def test_branch_and_price_from_the_worst_roster_reaches_and_proves_the_brute_force_optimum(tmp_path, seed):
    from matcher.rotation.colgen import ColumnGeneration

    path = tiny(tmp_path, random.Random(seed), horizon=3)
    inst = read_curtois(path)
    p = to_roster_problem(inst)
    rosters = accepted_rosters(path, tmp_path, 3)
    worst, worst_cost = max(rosters, key=lambda t: t[1])
    optimum = min(c for _r, c in rosters)
    cg = ColumnGeneration(p, workers=1, seed=0)
    assert cg.cost(worst) == worst_cost  # the model's cost is the evaluator's penalty
    cg.enumerate_gap = 0.0 if seed % 2 else 0.5  # settled by enumeration, or by branching alone
    assert cg.initial_columns(worst, time.perf_counter() + 10)
    assert cg.converge(time.perf_counter() + 20) is not None
    best, proved = cg.branch_and_price(worst, time.perf_counter() + 60, random.Random(0))
    assert proved and cg.cost(best) == optimum
    penalty, errors = evaluate(path, write_roster(inst, best, tmp_path / "bp.csv"))
    assert errors == [] and penalty == optimum
    assert cg.restrict == {}  # the search leaves no decision behind


@pytest.mark.parametrize("solver", ["CP-SAT", "HIGHS"])
@pytest.mark.parametrize("seed", range(4))
def test_settling_a_node_by_enumeration_finds_its_best_roster_or_proves_there_is_none(tmp_path, seed, solver):
    # At the root: with the optimum as incumbent nothing cheaper exists (True); with the
    # optimum + 1 the enumeration must contain an optimal roster and the selection must find it.
    from matcher.rotation.colgen import ColumnGeneration

    path = tiny(tmp_path, random.Random(seed), horizon=3)
    p = to_roster_problem(read_curtois(path))
    optimum = brute_force(path, tmp_path, 3)
    cg = ColumnGeneration(p, workers=1, seed=0)
    cg.enumerate_gap, cg.enumerate_limit, cg.enumerate_solver = 1e9, 10**6, solver
    assert cg.initial_columns(None, time.perf_counter() + 10)
    assert cg.converge(time.perf_counter() + 20) is not None
    bound = cg.node_bound()
    assert bound is not None and bound[0] == pytest.approx(cg.lower_bound, abs=1e-6) and bound[0] <= optimum + 1e-9
    deadline = time.perf_counter() + 30
    assert cg._settle_by_enumeration(bound, optimum, deadline) is True
    found = cg._settle_by_enumeration(bound, optimum + 1, deadline)
    assert found is not True and found is not None and cg.cost(found) == optimum


@pytest.mark.parametrize("seed", range(3))
def test_both_selections_find_the_brute_force_best_choice_within_a_budget(tmp_path, seed):
    # Pools: a random few of each member's feasible rows. The best pair (covers priced) is found by
    # trying every pair; both solvers must return it, and prove that nothing is cheaper.
    from matcher.rotation.colgen import ColumnGeneration

    rng = random.Random(seed)
    path = tiny(tmp_path, rng, horizon=3)
    p = to_roster_problem(read_curtois(path))
    rows = [{a[s].tobytes(): a[s] for a, _pen in accepted_rosters(path, tmp_path, 3)} for s in range(2)]
    pool = [rng.sample(list(r.values()), min(len(r), 6)) for r in rows]
    cg = ColumnGeneration(p, workers=1, seed=0)
    best = min(cg.cost(np.stack([a, b])) for a in pool[0] for b in pool[1])
    for solver in ["CP-SAT", "HIGHS"]:
        cg.enumerate_solver = solver
        code, out = cg.select_rosters(pool, time.perf_counter() + 10, budget=best)
        assert code == "OPTIMAL" and out is not None and cg.cost(out) == best, solver
        assert any((out[0] == r).all() for r in pool[0]) and any((out[1] == r).all() for r in pool[1])
        assert cg.select_rosters(pool, time.perf_counter() + 10, budget=best - 1) == ("INFEASIBLE", None), solver


@pytest.mark.parametrize("enumerate_gap", [0.0, 0.5])
def test_branch_and_price_closes_a_root_gap_to_the_cp_sat_proven_optimum(tmp_path, enumerate_gap):
    # A week, two employees (seed 3): the root bound is 129.5, the optimum 133 (CP-SAT on the
    # compact model, proved), so the proof needs branching (and, with a gap, enumeration).
    from matcher.rotation.colgen import ColumnGeneration
    from matcher.assignment.core import SolveStatus

    path = tiny(tmp_path, random.Random(3), horizon=7)
    inst = read_curtois(path)
    p = to_roster_problem(inst)
    exact = RosterModel(p)
    exact.add_core_constraints()
    reference = exact.solve(time_limit_s=30, workers=1, seed=0)
    assert reference.status == SolveStatus.OPTIMAL and reference.objective == 133
    start = RosterModel(p)
    start.add_core_constraints()
    first = start.solve(time_limit_s=5, workers=1, seed=0, solver_params={"stop_after_first_solution": True})
    cg = ColumnGeneration(p, workers=1, seed=0)
    cg.enumerate_gap = enumerate_gap
    assert cg.initial_columns(first.assignment, time.perf_counter() + 10)
    assert cg.converge(time.perf_counter() + 20) is not None
    assert cg.bound() < 133 < cg.cost(first.assignment)
    # out of time at once: nothing proved, and the open nodes wait for the next call (improve()
    # gives the search slices)
    same, proved = cg.branch_and_price(first.assignment, time.perf_counter(), random.Random(0))
    assert not proved and same is first.assignment and cg._branch_stack == [[]]
    best, proved = cg.branch_and_price(first.assignment, time.perf_counter() + 60, random.Random(0))
    assert proved and cg.cost(best) == 133
    penalty, errors = evaluate(path, write_roster(inst, best, tmp_path / "bp.csv"))
    assert errors == [] and penalty == 133


def week_at_its_root(tmp_path: Path):  # type: ignore[no-untyped-def]
    """The week of two employees (seed 3; root bound 129.5, optimum 133) with its root LP converged
    from CP-SAT's first roster: (the column generation, that first solve)."""
    from matcher.rotation.colgen import ColumnGeneration

    p = to_roster_problem(read_curtois(tiny(tmp_path, random.Random(3), horizon=7)))
    start = RosterModel(p)
    start.add_core_constraints()
    first = start.solve(time_limit_s=5, workers=1, seed=0, solver_params={"stop_after_first_solution": True})
    cg = ColumnGeneration(p, workers=1, seed=0)
    assert cg.initial_columns(first.assignment, time.perf_counter() + 10)
    assert cg.converge(time.perf_counter() + 20) is not None
    return cg, first


def test_a_node_whose_settling_the_slice_cut_short_is_settled_again_not_branched(tmp_path):
    # The second settling runs until the slice's deadline: its node goes back on the stack as it
    # was (no children), so the next slice takes it up first. (Settling itself is scripted: it
    # settles nothing, so the tree branches on every other node.)
    cg, first = week_at_its_root(tmp_path)
    settled_at: list[list] = []

    def cut_short(bound, incumbent, deadline):  # type: ignore[no-untyped-def]
        settled_at.append(sorted((s, per, v, eq) for s, decisions in cg.restrict.items() for per, v, eq in decisions))
        if len(settled_at) == 2:
            while time.perf_counter() < deadline:
                time.sleep(0.01)
        return None

    cg._settle_by_enumeration = cut_short  # type: ignore[method-assign]
    _best, proved = cg.branch_and_price(first.assignment, time.perf_counter() + 3.0, random.Random(0))
    assert not proved and len(settled_at) == 2
    cut = cg._branch_stack[-1]
    assert sorted(cut) == settled_at[1] and len(cut) >= 1  # the cut node itself, not its children
    assert not any(len(node) > len(cut) and node[:len(cut)] == cut for node in cg._branch_stack)


@pytest.mark.parametrize("gives_up", ["pricer", "lp"])
def test_a_node_given_up_without_a_proof_leaves_the_tree_unproved(tmp_path, gives_up):
    # The case above needs branching (root bound 129.5, optimum 133). If every child node is
    # dropped because a pricer gave up (the CP-SAT fallback out of time) or its LP failed, the
    # search must not claim the tree exhausted: a Curtois run once "proved" Instance7's 1057
    # optimal, below which the evaluator accepts a roster of 1056.
    cg, first = week_at_its_root(tmp_path)
    assert cg.bound() < 133 < cg.cost(first.assignment)
    if gives_up == "pricer":
        cg._columns_for_restrictions = lambda deadline: None if cg.restrict else True  # type: ignore[method-assign]
    else:
        converge = cg.converge
        cg.converge = lambda deadline, **kw: None if cg.restrict else converge(deadline, **kw)  # type: ignore[method-assign]
    best, proved = cg.branch_and_price(first.assignment, time.perf_counter() + 60, random.Random(0))
    assert not proved and cg._branch_stack == [] and cg.cost(best) >= 133


def test_a_master_lp_that_fails_numerically_is_rebuilt_and_solved(tmp_path):
    # GLOP sometimes ends ABNORMAL on the grown master; the same columns in a fresh LP solve.
    from ortools.linear_solver import pywraplp

    from matcher.rotation.colgen import ColumnGeneration

    p = to_roster_problem(read_curtois(tiny(tmp_path, random.Random(3), horizon=7)))
    cg = ColumnGeneration(p, workers=1, seed=0)
    assert cg.initial_columns(None, time.perf_counter() + 10)
    expected = cg.converge(time.perf_counter() + 20)
    assert expected is not None
    broken = cg._master
    broken.lp.Solve = lambda: pywraplp.Solver.ABNORMAL  # type: ignore[method-assign]
    out = cg.solve_lp()
    assert out is not None and cg._master is not broken
    assert out[0] == pytest.approx(expected[0], abs=1e-6)
