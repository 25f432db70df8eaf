"""`matcher rotate SCENARIO --weeks 13`: plan (or re-plan) the judges' rotation calendar."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from . import whole_number


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rotate", help="plan the judges' rotation calendar (轮驻)")
    p.add_argument("scenario", help="bundled name (baoan) or scenario file")
    p.add_argument("--weeks", type=whole_number("weeks", 1, 104), default=13, help="whole weeks to plan, 1-104 (default 13)")
    p.add_argument("--start", type=dt.date.fromisoformat, default=None, help="first week (its Monday); default: the scenario's today")
    p.add_argument("--time-limit", type=float, default=10.0)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--variety", action="store_true", help="rotate judges across centers deliberately")
    p.add_argument("--ical-dir", type=Path, help="write one .ics per judge and per center here")
    p.add_argument("--csv", type=Path, help="write the whole calendar as CSV")
    p.add_argument("--replan-absent", metavar="JUDGE:FROM:TO", type=_absence,
                   help="re-plan from FROM after JUDGE falls ill FROM..TO (ISO dates), keeping the plan before FROM "
                   "and changing little")
    p.set_defaults(handler=run)


def _absence(text: str) -> tuple[str, dt.date, dt.date]:
    """JUDGE:FROM:TO, checked before anything is planned (the judge against the scenario later)."""
    parts = text.rsplit(":", 2)
    if len(parts) != 3 or not parts[0]:
        raise argparse.ArgumentTypeError(f"{text!r} is not JUDGE:FROM:TO (e.g. jud00092:2024-04-01:2024-04-14)")
    judge, *dates = parts
    try:
        start, end = (dt.date.fromisoformat(d) for d in dates)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: FROM and TO must be ISO dates (YYYY-MM-DD)") from None
    if end < start:
        raise argparse.ArgumentTypeError(f"{text!r}: TO ({end}) is before FROM ({start})")
    return judge, start, end


def run(args: argparse.Namespace) -> int:
    from matcher.domain import DateRange
    from matcher.rotation import RotationConfig, RotationParams, plan_rotation, replan_rotation
    from matcher.rotation.checker import check_rotation
    from matcher.rotation.export import coverage, ical, table, to_csv
    from matcher.scenarios import load_scenario

    try:  # bad input is reported before anything is planned
        scenario = load_scenario(args.scenario)
        config = RotationConfig(variety=args.variety)
        params = RotationParams(time_limit_s=args.time_limit, workers=args.workers, seed=args.seed)
        if args.csv and not args.csv.parent.is_dir():
            raise ValueError(f"--csv {args.csv}: no directory {str(args.csv.parent)!r} to write it in")
        if args.ical_dir:
            args.ical_dir.mkdir(parents=True, exist_ok=True)
    except (ValueError, OSError) as exc:  # (pydantic's ValidationError is a ValueError)
        print(f"matcher rotate: {exc}", file=sys.stderr)
        return 2
    if args.replan_absent and args.replan_absent[0] not in {j.id for j in scenario.judges}:
        print(f"matcher rotate: --replan-absent: {args.replan_absent[0]!r} is not a judge of scenario {scenario.name!r}",
              file=sys.stderr)
        return 2
    print(f"planning {args.weeks} weeks for {len(scenario.judges)} judges ...", file=sys.stderr)
    result = plan_rotation(scenario, args.weeks, args.start, config, params)
    absences = []
    if args.replan_absent and result.ok:
        judge, start, end = args.replan_absent
        absent = DateRange(start=start, end=end)
        absences = [(judge, absent)]
        print(f"re-planning after {judge} is absent {absent.start}..{absent.end} ...", file=sys.stderr)
        result = replan_rotation(scenario, result.entries, judge, absent, weeks=args.weeks, start=result.start, config=config, params=params)
    print(f"{scenario.name}: {result.status.value} in {result.solve_seconds:.2f} s (seed {result.seed})" + (f" — {result.reason}" if result.reason else ""))
    if not result.ok:
        return 1
    print(f"  objective {result.objective:.1f}   bound {result.bound:.1f}   gap {100 * (result.gap or 0):.2f}%")
    for name, value in result.terms.items():
        print(f"    {name:12s} {value:10.1f}")
    check = check_rotation(scenario, result.entries, result.start, args.weeks, config, absences=absences)
    print(f"  independent check: {'ok' if check.ok else f'{len(check.violations)} violation(s)'}")
    for v in check.violations[:10]:
        print(f"    {v.rule}: {v.message}")
    if result.changes:
        print(f"  {len(result.changes)} change(s) to the published calendar:")
        for c in result.changes[:20]:
            print(f"    {c.slot} {c.judge}: {c.before or '-'} -> {c.after or '-'}")
    short = [r for r in coverage(scenario, result.entries, result.start, args.weeks) if r["planned"] < r["required"]]
    print(f"  coverage: {'every center covered every week' if not short else f'{len(short)} shortfall(s)'}")
    print(table(scenario, result.entries, result.start, args.weeks))
    if args.csv:
        args.csv.write_text(to_csv(result.entries), encoding="utf-8")
        print(f"calendar written to {args.csv}")
    if args.ical_dir:
        for j in {e.judge for e in result.entries}:
            (args.ical_dir / f"judge-{j}.ics").write_bytes(ical(scenario, result.entries, judge=j))
        for c in {e.center for e in result.entries}:
            (args.ical_dir / f"center-{c}.ics").write_bytes(ical(scenario, result.entries, center=c))
        print(f"iCalendar files written to {args.ical_dir}")
    return 0 if check.ok else 1
