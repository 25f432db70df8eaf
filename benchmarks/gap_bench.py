"""Generalized assignment (GAP) benchmark: the published instances through the engine's ``solve_gap``.

Usage::

    python benchmarks/gap_bench.py FILE... [--min | --max] [--time-limit S] [--workers W] [--seed N]
                                   [--floor] [--solutions-dir DIR] [--best-known CSV]

Each FILE is an OR-Library file (several problems, named ``gap1-3`` for problem 3 of gap1.txt) or a
Yagiura file (one problem, named after the file, e.g. ``d10200``). For every problem one line is
printed::

    NAME OBJECTIVE BOUND SECONDS

(``NA`` for a missing value); every other line starts with ``#``: the per-instance table with the
best-known value and the gap to it, the plain CP-SAT model beside the engine (``--floor``: one
boolean per job and agent, one agent per job, capacities, the objective — what most OR-Tools users
write first), and a summary per group (count at best-known, largest gap).

Every solution is verified here, independently of the solver: each job has exactly one agent in
range, every agent's load is within its capacity, and the objective recomputed from the data equals
the one reported. A failed verification is printed and makes the exit code 1.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ortools.sat.python import cp_model

from matcher.assignment.gap import solve_gap
from matcher.io.gap import GapInstance, read_gap_file

DEFAULT_BEST_KNOWN = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "gap" / "BEST_KNOWN.csv"


@dataclass
class Run:
    """One solver's answer on one instance, after verification."""

    agent_of_job: np.ndarray | None
    objective: int | None
    bound: float | None
    seconds: float
    status: str
    error: str = ""  # verification failure, empty when the solution checks out


# -- best-known values ---------------------------------------------------------------------------------


def read_best_known(path: Path) -> dict[tuple[str, int, str], tuple[int, bool]]:
    """(file name, problem index, sense) -> (best-known value, proven optimal)."""
    out: dict[tuple[str, int, str], tuple[int, bool]] = {}
    if not path.exists():
        return out
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            key = (row["instance"], int(row["problem_index"]), row["sense"])
            out[key] = (int(row["best_known"]), row["proven_optimal"].strip() == "yes")
    return out


def best_known_key(name: str, sense: str) -> tuple[str, int, str]:
    """``gap1-3`` -> (gap1, 3, sense); ``d10200`` -> (d10200, 1, sense)."""
    m = re.fullmatch(r"(.+)-(\d+)", name)
    if m:
        return m.group(1), int(m.group(2)), sense
    return name, 1, sense


def group_of(name: str, inst: GapInstance, sense: str) -> str:
    """OR-Library problems group by file (gap1 max, ...); Yagiura ones by type and job count."""
    m = re.fullmatch(r"(.+)-(\d+)", name)
    if m:
        return f"{m.group(1)} {sense}"
    return f"type {name[0].upper()} n={inst.jobs} {sense}"


def gap_to(best: int | None, objective: int | None, maximize: bool) -> float | None:
    """Relative distance to the best-known value, positive when worse (a fraction, not percent)."""
    if best is None or objective is None or best == 0:
        return None
    return (best - objective) / abs(best) if maximize else (objective - best) / abs(best)


# -- independent verification -------------------------------------------------------------------------


def verify(inst: GapInstance, agent_of_job: np.ndarray | None, reported: float | None) -> tuple[int | None, str]:
    """Recompute the objective from the data and check feasibility with plain loops.

    Returns (objective, error); error is empty when the solution is a feasible assignment whose
    objective equals ``reported``."""
    if agent_of_job is None or reported is None:
        return None, ""
    agents = [int(a) for a in agent_of_job]
    if len(agents) != inst.jobs:
        return None, f"{len(agents)} agents given for {inst.jobs} jobs"
    load = [0] * inst.agents
    total = 0
    for j, i in enumerate(agents):
        if not 0 <= i < inst.agents:
            return None, f"job {j} has agent {i}, outside 0..{inst.agents - 1}"
        load[i] += int(inst.usage[i, j])
        total += int(inst.cost[i, j])
    for i in range(inst.agents):
        if load[i] > int(inst.capacity[i]):
            return total, f"agent {i} load {load[i]} exceeds capacity {int(inst.capacity[i])}"
    if abs(total - float(reported)) > 1e-6:
        return total, f"reported objective {reported} but the assignment costs {total}"
    return total, ""


# -- the two solvers ------------------------------------------------------------------------------------


def run_engine(inst: GapInstance, maximize: bool, time_limit: float, workers: int, seed: int) -> Run:
    t0 = time.perf_counter()
    sol = solve_gap(inst, maximize=maximize, time_limit_s=time_limit, workers=workers, seed=seed)
    seconds = time.perf_counter() - t0
    agent = None if sol.objective is None else np.asarray(sol.agent_of_job)
    objective, error = verify(inst, agent, sol.objective)
    return Run(agent, objective, sol.bound, seconds, str(getattr(sol.status, "value", sol.status)), error)


def run_plain_cp_sat(inst: GapInstance, maximize: bool, time_limit: float, workers: int, seed: int) -> Run:
    """The floor: the textbook CP-SAT model, no hint, no pruning, default search."""
    t0 = time.perf_counter()
    m, n = inst.agents, inst.jobs
    model = cp_model.CpModel()
    x = [[model.NewBoolVar(f"x{i}_{j}") for j in range(n)] for i in range(m)]
    for j in range(n):
        model.AddExactlyOne(x[i][j] for i in range(m))
    for i in range(m):
        model.Add(sum(int(inst.usage[i, j]) * x[i][j] for j in range(n)) <= int(inst.capacity[i]))
    objective = sum(int(inst.cost[i, j]) * x[i][j] for i in range(m) for j in range(n))
    model.Maximize(objective) if maximize else model.Minimize(objective)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.Solve(model)
    seconds = time.perf_counter() - t0
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Run(None, None, None, seconds, solver.StatusName(status).lower())
    agent = np.array([next(i for i in range(m) if solver.BooleanValue(x[i][j])) for j in range(n)])
    value, error = verify(inst, agent, solver.ObjectiveValue())
    return Run(agent, value, solver.BestObjectiveBound(), seconds, solver.StatusName(status).lower(), error)


# -- report -----------------------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "NA"
    return f"{value:.{digits}f}"


def pct(value: float | None) -> str:
    return "NA" if value is None else f"{100 * value:+.3f}%"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+", type=Path, help="GAP files (OR-Library or Yagiura format)")
    sense = ap.add_mutually_exclusive_group()
    sense.add_argument("--min", dest="maximize", action="store_false", help="minimise total cost (default)")
    sense.add_argument("--max", dest="maximize", action="store_true", help="maximise total profit")
    ap.set_defaults(maximize=False)  # store_false would otherwise make "maximise" the default
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance and solver (default 10)")
    ap.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument("--floor", action="store_true", help="also run the plain CP-SAT model and report it beside")
    ap.add_argument("--solutions-dir", type=Path, default=None, help="write NAME.txt: one 0-based agent per job")
    ap.add_argument("--best-known", type=Path, default=DEFAULT_BEST_KNOWN, help="CSV of best-known values")
    args = ap.parse_args(argv)

    sense_name = "max" if args.maximize else "min"
    best_known = read_best_known(args.best_known)
    if args.solutions_dir is not None:
        args.solutions_dir.mkdir(parents=True, exist_ok=True)
    print(f"# gap_bench sense={sense_name} time_limit={args.time_limit}s workers={args.workers} seed={args.seed}"
          f" floor={'yes' if args.floor else 'no'}")
    print("# NAME OBJECTIVE BOUND SECONDS")
    rows = []
    failures = 0
    for path in args.files:
        for inst in read_gap_file(path):
            engine = run_engine(inst, args.maximize, args.time_limit, args.workers, args.seed)
            print(f"{inst.name} {fmt(engine.objective)} {fmt(engine.bound)} {engine.seconds:.2f}", flush=True)
            if engine.error:
                failures += 1
                print(f"# VERIFICATION FAILED {inst.name} engine: {engine.error}", flush=True)
            if args.solutions_dir is not None and engine.agent_of_job is not None and not engine.error:
                body = "\n".join(str(int(a)) for a in engine.agent_of_job) + "\n"
                (args.solutions_dir / f"{inst.name}.txt").write_text(body)
            floor = None
            if args.floor:
                floor = run_plain_cp_sat(inst, args.maximize, args.time_limit, args.workers, args.seed)
                if floor.error:
                    failures += 1
                    print(f"# VERIFICATION FAILED {inst.name} floor: {floor.error}", flush=True)
            best = best_known.get(best_known_key(inst.name, sense_name))
            rows.append((inst, engine, floor, best))

    print("#")
    head = f"# {'instance':<10} {'m×n':>8} {'best':>7} {'engine':>7} {'gap':>9} {'status':>9} {'sec':>6}"
    if args.floor:
        head += f" | {'plain':>7} {'gap':>9} {'status':>9} {'sec':>6}"
    print(head)
    groups: dict[str, list[tuple[float | None, float | None, bool]]] = {}
    for inst, engine, floor, best in rows:
        b = best[0] if best else None
        g_engine = gap_to(b, engine.objective, args.maximize)
        line = (f"# {inst.name:<10} {f'{inst.agents}×{inst.jobs}':>8} {fmt(b):>7} {fmt(engine.objective):>7} "
                f"{pct(g_engine):>9} {engine.status:>9} {engine.seconds:>6.2f}")
        g_floor = None
        if floor is not None:
            g_floor = gap_to(b, floor.objective, args.maximize)
            line += f" | {fmt(floor.objective):>7} {pct(g_floor):>9} {floor.status:>9} {floor.seconds:>6.2f}"
        print(line)
        groups.setdefault(group_of(inst.name, inst, sense_name), []).append((g_engine, g_floor, b is not None))

    print("#")
    print("# summary per group: instances at best-known (gap <= 0) / with a best-known value, largest gap")
    for name, items in groups.items():
        known = [x for x in items if x[2]]
        at_best = sum(1 for g, _, _ in known if g is not None and g <= 1e-12)
        worst = max((g for g, _, _ in known if g is not None), default=None)
        text = f"# {name:<22} engine {at_best}/{len(known)} at best, max gap {pct(worst)}"
        if args.floor:
            f_at = sum(1 for _, g, _ in known if g is not None and g <= 1e-12)
            f_worst = max((g for _, g, _ in known if g is not None), default=None)
            f_missing = sum(1 for _, g, _ in known if g is None)
            text += f" | plain {f_at}/{len(known)} at best, max gap {pct(f_worst)}"
            if f_missing:
                text += f", {f_missing} without solution"
        print(text)
    if failures:
        print(f"# {failures} solutions FAILED verification")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
