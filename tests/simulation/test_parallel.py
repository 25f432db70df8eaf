"""Replications on Dask give the same results as in-process, whatever the number of workers."""

from __future__ import annotations

import pytest

from matcher.scenarios import load_scenario
from matcher.simulation import DaskRunner, SerialRunner, SimulationParams, make_runner, simulate
from matcher.simulation.compare import compare_scenarios
from matcher.simulation.variants import ScenarioVariant

pytest.importorskip("distributed")

PARAMS = SimulationParams(time_limit_s=2.0)


def _without_wall_time(report) -> list[dict[str, float]]:  # type: ignore[no-untyped-def]
    return [{k: v for k, v in r.items() if k != "solve_seconds"} for r in report.per_replication]


@pytest.fixture(scope="module")
def serial():
    return simulate(load_scenario("sajin"), days=30, replications=4, seed=9, params=PARAMS)


@pytest.mark.parametrize("workers", [1, 2])
def test_dask_matches_in_process_run(serial, workers: int) -> None:
    seen: list[tuple[int, int]] = []
    with DaskRunner(n_workers=workers) as runner:
        assert runner.workers == workers
        report = simulate(load_scenario("sajin"), days=30, replications=4, seed=9, params=PARAMS, runner=runner,
                          progress=lambda done, total: seen.append((done, total)))
    # The real engine solves each of these small days to optimality within its limit: identical plans.
    assert _without_wall_time(report) == _without_wall_time(serial)
    assert report.backlog_by_day == serial.backlog_by_day
    assert report.wait_histogram == serial.wait_histogram
    assert seen == [(i, 4) for i in range(1, 5)]  # progress after every replication


def test_a_replication_does_not_depend_on_how_many_run(serial) -> None:
    two = simulate(load_scenario("sajin"), days=30, replications=2, seed=9, params=PARAMS)
    assert _without_wall_time(two) == _without_wall_time(serial)[:2]


def test_a_sweep_on_dask_matches_serial() -> None:
    variants = [ScenarioVariant(name="base", base="sajin"),
                ScenarioVariant.model_validate(dict(name="busy", base="sajin", changes=[{"scale_arrivals": {"factor": 1.5}}]))]
    a = compare_scenarios(variants, days=20, replications=2, seed=3, params=PARAMS, assigner="greedy", runner=SerialRunner())
    with DaskRunner(n_workers=2) as runner:
        b = compare_scenarios(variants, days=20, replications=2, seed=3, params=PARAMS, assigner="greedy", runner=runner)
    assert b.workers == 2
    for x, y in zip(a.variants, b.variants):
        assert _without_wall_time(x.report) == _without_wall_time(y.report)
    assert a.differences == b.differences


def test_make_runner_picks_in_process_for_one_worker() -> None:
    assert isinstance(make_runner(1), SerialRunner)
    assert isinstance(make_runner(3), DaskRunner) and make_runner(3).n_workers == 3
    assert make_runner(1, "tcp://127.0.0.1:1").address == "tcp://127.0.0.1:1"
    with pytest.raises(ValueError, match="n_workers must be >= 1, got 0"):
        DaskRunner(n_workers=0)


def test_runs_on_an_existing_cluster_given_its_scheduler_address(serial) -> None:
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with DaskRunner(address=cluster.scheduler_address) as runner:
            assert runner.workers == 2
            report = simulate(load_scenario("sajin"), days=30, replications=4, seed=9, params=PARAMS, runner=runner)
        assert len(cluster.workers) == 2  # the runner left the cluster it did not start running
    assert _without_wall_time(report) == _without_wall_time(serial)
