"""Independent evaluator for Curtois shift-scheduling rosters: reads the instance file and a roster
CSV (`employee,day,shift`, 0-based days, no row for a day off) and computes the penalty and every
hard-rule violation. It shares no code with the solver (it parses the instance itself).

    python benchmarks/curtois_eval.py INSTANCE.txt ROSTER.csv [--min-work-run-binds-at-ends]

Rules (Curtois & Qu, schedulingbenchmarks.org "Nurse Rostering Instances 1..24"): for the maximum
run of work the days outside the horizon are days off; for the minimum run of work and the minimum
days off the run is assumed to continue outside ("an infinite number of consecutive shifts" / days
off before and after), so a run touching either end is free of its minimum. `--min-work-run-binds-
at-ends` (`min_work_run_binds_at_ends=True`) checks the stricter variant in which a run of work
touching an end must still last the minimum. A weekend (Sat, Sun of each whole week) counts as
worked if either day is.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path


def parse(path: str | Path) -> dict:  # type: ignore[type-arg]
    sec: dict[str, list[list[str]]] = defaultdict(list)
    cur = ""
    for raw in Path(path).read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            cur = line
            continue
        sec[cur].append([x.strip() for x in line.split(",")])
    return sec


def evaluate(instance: str | Path, roster: str | Path, *, min_work_run_binds_at_ends: bool = False) -> tuple[int, list[str]]:
    sec = parse(instance)
    horizon = int(sec["SECTION_HORIZON"][0][0])
    length = {r[0]: int(r[1]) for r in sec["SECTION_SHIFTS"]}
    not_after = {r[0]: set(filter(None, r[2].split("|"))) if len(r) > 2 else set() for r in sec["SECTION_SHIFTS"]}
    staff = {r[0]: r for r in sec["SECTION_STAFF"]}
    plan: dict[str, list[str | None]] = {e: [None] * horizon for e in staff}
    errors: list[str] = []
    with open(roster, newline="") as f:
        for row in csv.reader(f):
            if not row or row[0] == "employee":
                continue
            e, d, s = row[0], int(row[1]), (row[2] if len(row) > 2 else "")
            if not s:
                continue
            if e not in plan or not 0 <= d < horizon or s not in length:
                errors.append(f"bad row {row}")
                continue
            if plan[e][d] is not None:
                errors.append(f"{e} has two shifts on day {d}")
            plan[e][d] = s
    for e, r in staff.items():
        days = plan[e]
        maxs = {k: int(v) for k, v in (x.split("=") for x in r[1].split("|") if x)}
        for k, v in maxs.items():
            if sum(1 for x in days if x == k) > v:
                errors.append(f"{e}: more than {v} of shift {k}")
        minutes = sum(length[x] for x in days if x)
        if minutes > int(r[2]) or minutes < int(r[3]):
            errors.append(f"{e}: {minutes} minutes outside [{r[3]}, {r[2]}]")
        runs = []  # (working?, start, length)
        d = 0
        while d < horizon:
            w = days[d] is not None
            start = d
            while d < horizon and (days[d] is not None) == w:
                d += 1
            runs.append((w, start, d - start))
        for w, start, n in runs:
            if w and n > int(r[4]):
                errors.append(f"{e}: {n} consecutive shifts from day {start} (max {r[4]})")
            at_end = start == 0 or start + n == horizon
            if w and n < int(r[5]) and (min_work_run_binds_at_ends or not at_end):
                errors.append(f"{e}: only {n} consecutive shifts from day {start} (min {r[5]})")
            if not w and n < int(r[6]) and not at_end:
                errors.append(f"{e}: only {n} days off from day {start} (min {r[6]})")
        weekends = sum(1 for wk in range(horizon // 7) if days[7 * wk + 5] or days[7 * wk + 6])
        if weekends > int(r[7]):
            errors.append(f"{e}: {weekends} weekends worked (max {r[7]})")
        for d in range(horizon - 1):
            if days[d] and days[d + 1] and days[d + 1] in not_after[days[d]]:
                errors.append(f"{e}: shift {days[d + 1]} on day {d + 1} may not follow {days[d]}")
    for r in sec.get("SECTION_DAYS_OFF", []):
        for d in r[1:]:
            if d and plan[r[0]][int(d)] is not None:
                errors.append(f"{r[0]}: works on day off {d}")
    penalty = 0
    for e, d, s, w in sec.get("SECTION_SHIFT_ON_REQUESTS", []):
        if plan[e][int(d)] != s:
            penalty += int(w)
    for e, d, s, w in sec.get("SECTION_SHIFT_OFF_REQUESTS", []):
        if plan[e][int(d)] == s:
            penalty += int(w)
    for d, s, req, under, over in sec.get("SECTION_COVER", []):
        n = sum(1 for e in plan if plan[e][int(d)] == s)
        penalty += (int(req) - n) * int(under) if n < int(req) else (n - int(req)) * int(over)
    return penalty, errors


def _existing_file(text: str) -> str:
    import argparse
    import os

    if not os.path.isfile(text):
        raise argparse.ArgumentTypeError(f"no such file: {text!r}")
    return text


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Re-score a Curtois roster CSV against its instance: penalty and hard violations.")
    parser.add_argument("instance", type=_existing_file, help="the instance file (Curtois text format)")
    parser.add_argument("roster", type=_existing_file, help="the roster CSV: employee,day,shift (0-based days)")
    parser.add_argument("--min-work-run-binds-at-ends", action="store_true",
                        help="a run of work touching either end of the horizon must still last the minimum")
    a = parser.parse_args()
    pen, errs = evaluate(a.instance, a.roster, min_work_run_binds_at_ends=a.min_work_run_binds_at_ends)
    print(f"penalty {pen}, hard violations {len(errs)}")
    for e in errs[:50]:
        print("  " + e)
    sys.exit(1 if errs else 0)
