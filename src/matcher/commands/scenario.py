"""`matcher scenario list | show | generate | validate | schema`."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from pydantic import ValidationError

from matcher.domain import Scenario


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scenario", help="list, show, generate and validate scenario files")
    ss = p.add_subparsers(dest="scenario_command", required=True, metavar="ACTION")
    ss.add_parser("list", help="the bundled scenarios").set_defaults(handler=_list)
    show = ss.add_parser("show", help="a readable summary of a scenario")
    show.add_argument("scenario", help="bundled name (baoan) or path to a scenario file")
    show.set_defaults(handler=_show)
    gen = ss.add_parser("generate", help="generate a bundled scenario with a seed")
    gen.add_argument("name", choices=["baoan", "jinwan", "sajin", "jinzhou"])
    gen.add_argument("--seed", type=int, default=None, help="default: the seed of the committed file")
    gen.add_argument("--out", type=Path, default=None, help="default: scenarios/NAME.json")
    gen.set_defaults(handler=_generate)
    val = ss.add_parser("validate", help="validate scenario files; exit 1 naming each bad field")
    val.add_argument("paths", nargs="+")
    val.set_defaults(handler=_validate)
    sch = ss.add_parser("schema", help="print the scenario JSON Schema")
    sch.set_defaults(handler=_schema)


def format_errors(err: ValidationError) -> list[str]:
    """`experts.12.home_center = 'x': unknown center id` — the field path, the value, the rule."""
    out = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(scenario)"
        value = e.get("input")
        shown = repr(value) if isinstance(value, (str, int, float, bool, type(None))) else type(value).__name__
        out.append(f"{loc} = {shown}: {e['msg']}")
    return out


def _list(_: argparse.Namespace) -> int:
    from matcher.scenarios import bundled_scenarios, load_scenario

    for name in bundled_scenarios():
        s = load_scenario(name)
        print(f"{name:10s} {len(s.centers):5d} centers {len(s.experts):6d} experts {len(s.cases):5d} open cases  {s.description[:70]}")
    return 0


def summary(s: Scenario) -> str:
    lines = [f"{s.name}: {s.description}", f"  planning day {s.today}, seed {s.seed}"]
    levels = Counter(c.level.value for c in s.centers)
    lines.append("  centers: " + ", ".join(f"{n} {lvl}" for lvl, n in levels.items()))
    roles = Counter(e.role.value for e in s.experts)
    lines.append(f"  experts: {len(s.experts)} — " + ", ".join(f"{n} {r}" for r, n in roles.most_common()))
    lines.append(f"  courts: {len(s.courts)}; judges: {len(s.judges)}; rotation entries: {len(s.rotation)}")
    need = sum(c.judge_halfdays_per_week for c in s.centers)
    lines.append(f"  judge half-days needed a week: {need} across {sum(1 for c in s.centers if c.judge_halfdays_per_week)} centers")
    cats = Counter(c.category.value for c in s.cases)
    risks = Counter(c.risk.value for c in s.cases)
    lines.append(f"  open cases: {len(s.cases)} — " + ", ".join(f"{n} {c}" for c, n in cats.most_common()))
    lines.append("  risk: " + ", ".join(f"{n} {r}" for r, n in risks.most_common()))
    teams = Counter("+".join(r.value for r in c.needs_roles) for c in s.cases)
    lines.append("  teams asked for: " + ", ".join(f"{n} {t}" for t, n in teams.most_common(6)))
    lines.append(f"  arrivals: {sum(a.per_day for a in s.arrivals):.1f} cases a day expected")
    return "\n".join(lines)


def _show(args: argparse.Namespace) -> int:
    from matcher.scenarios import load_scenario

    try:
        print(summary(load_scenario(args.scenario)))
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ValidationError as exc:
        print(f"{args.scenario}: invalid", file=sys.stderr)
        for line in format_errors(exc):
            print(f"  {line}", file=sys.stderr)
        return 1
    return 0


def _generate(args: argparse.Namespace) -> int:
    from matcher.scenarios import generate_scenario, save_scenario, scenario_dir

    print(f"generating {args.name} (seed {args.seed if args.seed is not None else 'default'}) ...", file=sys.stderr)
    s = generate_scenario(args.name, args.seed)
    path = save_scenario(s, args.out or scenario_dir() / f"{args.name}.json")
    print(f"wrote {path}: {len(s.centers)} centers, {len(s.experts)} experts, {len(s.cases)} cases", file=sys.stderr)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from matcher.scenarios.io import scenario_path

    bad = 0
    for raw in args.paths:
        path = scenario_path(raw)
        try:
            s = Scenario.model_validate_json(path.read_bytes())
        except FileNotFoundError:
            print(f"{raw}: no such file", file=sys.stderr)
            bad += 1
        except ValidationError as exc:
            bad += 1
            print(f"{raw}: invalid ({exc.error_count()} error(s))", file=sys.stderr)
            for line in format_errors(exc)[:50]:
                print(f"  {line}", file=sys.stderr)
        else:
            print(f"{raw}: ok ({len(s.centers)} centers, {len(s.experts)} experts, {len(s.cases)} cases)")
    return 1 if bad else 0


def _schema(_: argparse.Namespace) -> int:
    from matcher.scenarios import json_schema

    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
    return 0
