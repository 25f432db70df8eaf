"""Curtois shift-scheduling instances through the rostering engine that plans judge rotations.

    python benchmarks/curtois_bench.py ../shared/benchmarks/rostering/curtois/Instance{1..10}.txt \
        --time-limit 60 --workers 2 --seed 0 --solutions-dir out/curtois [--method colgen|cpsat]

Prints one line per instance `NAME OBJECTIVE BOUND SECONDS`, then a table with the best-known value,
the gap and the independent evaluator's penalty and hard-violation count for the written roster.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from curtois_eval import evaluate  # noqa: E402

from matcher.io.curtois import read_curtois, roster_rows, to_roster_problem  # noqa: E402
from matcher.rotation.colgen import solve_with_column_generation  # noqa: E402
from matcher.rotation.core import RosterModel  # noqa: E402


def best_known(path: Path) -> dict[str, int]:
    f = path.parent / "BEST_KNOWN.csv"
    if not f.exists():
        return {}
    with f.open() as fh:
        return {r["instance"]: int(r["best_known_upper_bound"]) for r in csv.DictReader(fh)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("instances", nargs="+", type=Path)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--solutions-dir", type=Path, default=None)
    ap.add_argument("--method", choices=["colgen", "cpsat"], default="colgen",
                    help="colgen: CP-SAT start, then column generation (price and branch); cpsat: the plain model")
    args = ap.parse_args()
    out_dir = args.solutions_dir or Path(tempfile.mkdtemp(prefix="curtois-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for path in args.instances:
        inst = read_curtois(path)
        model = RosterModel(to_roster_problem(inst))
        model.add_core_constraints()
        if args.method == "colgen":
            o = solve_with_column_generation(model, time_limit_s=args.time_limit, workers=args.workers, seed=args.seed)
        else:
            o = model.solve(time_limit_s=args.time_limit, workers=args.workers, seed=args.seed)
        sol = out_dir / f"{path.stem}.csv"
        with sol.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["employee", "day", "shift"])
            w.writerows(roster_rows(inst, o.assignment))
        pen, errs = evaluate(path, sol) if o.objective is not None else (None, ["no roster"])
        obj = "NA" if o.objective is None else f"{o.objective:.0f}"
        bound = "NA" if o.bound is None else f"{o.bound:.0f}"
        print(f"{path.stem} {obj} {bound} {o.seconds:.2f}", flush=True)
        rows.append((path.stem, o, pen, errs, best_known(path).get(path.stem)))
    print("\n| instance | objective | bound | best known | gap to best | seconds | evaluator penalty | hard violations |")
    print("|---|---|---|---|---|---|---|---|")
    for name, o, pen, errs, bk in rows:
        gap = "NA" if o.objective is None or not bk else f"{100 * (o.objective - bk) / bk:.2f}%"
        print(f"| {name} | {o.objective if o.objective is None else round(o.objective)} | {o.bound if o.bound is None else round(o.bound)} | {bk} | {gap} | {o.seconds:.1f} | {pen} | {len(errs)} |")
    at_best = sum(1 for _n, o, _p, e, bk in rows if bk is not None and o.objective is not None and round(o.objective) == bk and not e)
    print(f"\nat best-known: {at_best}/{len(rows)}; solutions in {out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
