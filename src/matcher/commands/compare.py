"""`matcher compare base.yaml variant1.yaml variant2.yaml`: variants side by side, same seeds.

The first file is the base; each may be a variant file, a scenario file or a bundled name. Every
variant runs the same replications with the same seeds (common random numbers); the table shows
each variant's KPIs and its paired difference to the base with a 95% interval. ``--html`` writes
the planner's report (backlog over time, waiting-time distributions, utilization heatmaps).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic import ValidationError

from .simulate import add_run_options, params_from, progress_printer, scenario_centers, write_outputs


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "compare", help="compare staffing scenarios side by side",
        description="Simulate BASE and each VARIANT with the same seeds and print KPIs side by side with the "
        "differences to BASE and their 95%% intervals.",
    )
    p.add_argument("base", help="the base: variant file, scenario file or bundled scenario")
    p.add_argument("variants", nargs="*", help="variant files to compare with the base")
    add_run_options(p, days=180, replications=5)
    p.add_argument("--out", type=Path, default=None, help="write the comparison as JSON")
    p.add_argument("--html", type=Path, default=None, help="write the HTML report")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from matcher.simulation import make_runner
    from matcher.simulation.compare import compare_scenarios, comparison_table
    from matcher.simulation.report import render_html
    from matcher.simulation.variants import base_scenario, load_variant

    try:
        variants = [load_variant(x) for x in [args.base, *args.variants]]
        params = params_from(args)
        with make_runner(args.workers, args.scheduler) as runner:
            report = compare_scenarios(variants, args.days, args.replications, args.seed, params,
                                       assigner=args.assigner, warmup_days=args.warmup, runner=runner,
                                       progress=progress_printer(args, "runs"))
    except (ValueError, ValidationError, FileNotFoundError) as e:
        print(f"matcher compare: {e}", file=sys.stderr)
        return 2
    print(f"{len(variants)} variants × {args.replications} replications, {args.days} days, seed {args.seed}, "
          f"{report.wall_seconds:,.1f} s on {report.workers} worker(s)")
    print(comparison_table(report))
    write_outputs(args, report, lambda: render_html(report, centers=scenario_centers(base_scenario(variants[0]))))
    return 0
