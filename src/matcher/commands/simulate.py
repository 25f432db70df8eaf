"""`matcher simulate SCENARIO --days 365 --replications 10 --seed 7`: months of arrivals against a roster.

SCENARIO is a bundled scenario, a scenario file, or a variant file (a base and its changes, see
:mod:`matcher.simulation.variants`). Prints the KPI table with 95% intervals; ``--out`` writes the
report as JSON, ``--html`` the planner's HTML report. ``--workers N`` runs replications on a local
Dask cluster of N processes, ``--scheduler tcp://host:8786`` on an existing cluster. The run options
are shared with `matcher compare` and `matcher staffing`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pydantic import ValidationError


def add_run_options(p: argparse.ArgumentParser, *, days: int = 365, replications: int = 10) -> None:
    g = p.add_argument_group("simulation")
    g.add_argument("--days", type=int, default=days, help=f"days to simulate (default {days})")
    g.add_argument("--replications", type=int, default=replications, help=f"replications (default {replications})")
    g.add_argument("--seed", type=int, default=7, help="seed of every random number (default 7; recorded in the report)")
    g.add_argument("--warmup", type=int, default=0, help="days left out of the per-dispute KPIs (the run starts empty)")
    g.add_argument("--assigner", choices=("engine", "greedy"), default="engine",
                   help="the daily batch: the real assignment engine (default) or the greedy baseline")
    g.add_argument("--time-limit", type=float, default=None, help="engine seconds per simulated day (default: params)")
    g.add_argument("--params", type=Path, default=None, help="YAML/JSON file of simulation parameters (SimulationParams)")
    g = p.add_argument_group("where it runs")
    g.add_argument("--workers", type=int, default=1, help="Dask worker processes on this machine (1: in-process)")
    g.add_argument("--scheduler", default=None, help="address of a Dask scheduler (tcp://host:8786) to run on instead")
    g.add_argument("--quiet", action="store_true", help="no progress on stderr")


def params_from(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from matcher.simulation import SimulationParams

    data: dict = {}
    if args.params is not None:
        import yaml

        data = yaml.safe_load(args.params.read_text(encoding="utf-8")) or {}
    if args.time_limit is not None:
        data["time_limit_s"] = args.time_limit
    return SimulationParams.model_validate(data)


def progress_printer(args: argparse.Namespace, what: str):  # type: ignore[no-untyped-def]
    if args.quiet:
        return None
    t0 = time.perf_counter()

    def show(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        print(f"\r{what}: {done}/{total} done, {time.perf_counter() - t0:,.0f} s", end=end, file=sys.stderr, flush=True)

    return show


def write_outputs(args: argparse.Namespace, report, html=None) -> None:  # type: ignore[no-untyped-def]
    """``--out`` (the report as JSON) and ``--html`` (``html()`` gives the page), when asked for."""
    if getattr(args, "out", None):
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report.model_dump_json(indent=1), encoding="utf-8")
        print(f"wrote {args.out}")
    if html is not None and getattr(args, "html", None):
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(html(), encoding="utf-8")
        print(f"wrote {args.html}")


def scenario_centers(scenario) -> list[tuple[str, str | None, str]]:  # type: ignore[no-untyped-def]
    return [(c.id, c.parent, c.name) for c in scenario.centers]


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "simulate", help="simulate months of case arrivals against a roster",
        description="Simulate SCENARIO day by day (arrivals, the real assignment engine each morning, sessions, "
        "resolutions and escalations, sick leave, the judges' rotation) and print KPIs with 95%% intervals.",
    )
    p.add_argument("scenario", help="bundled scenario (baoan), scenario file, or variant file (base + changes)")
    add_run_options(p)
    p.add_argument("--out", type=Path, default=None, help="write the report as JSON")
    p.add_argument("--html", type=Path, default=None, help="write the HTML report (plots and KPI table)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from matcher.simulation import make_runner, simulate
    from matcher.simulation.compare import as_comparison
    from matcher.simulation.report import render_html
    from matcher.simulation.run import kpi_table
    from matcher.simulation.variants import apply_variant, load_variant

    try:
        variant = load_variant(args.scenario)
        scenario, params = apply_variant(variant, params_from(args))
    except (ValueError, ValidationError, FileNotFoundError) as e:
        print(f"matcher simulate: {e}", file=sys.stderr)
        return 2
    try:
        with make_runner(args.workers, args.scheduler) as runner:
            workers = runner.workers
            report = simulate(scenario, args.days, args.replications, args.seed, params, assigner=args.assigner,
                              warmup_days=args.warmup, runner=runner, progress=progress_printer(args, "replications"))
    except ValueError as e:
        print(f"matcher simulate: {e}", file=sys.stderr)
        return 2
    print(f"{report.scenario}: {report.days} days from {report.start}, {report.replications} replications, seed {report.seed}, "
          f"{report.wall_seconds:,.1f} s")
    print(kpi_table(report))
    write_outputs(args, report, lambda: render_html(
        as_comparison(report, variant.name, variant.describe(), workers),
        title=f"Simulation 仿真: {report.scenario}", centers=scenario_centers(scenario)))
    return 0

