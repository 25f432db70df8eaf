"""The simulator (driving the real assignment engine) against queueing theory.

World: one center, one category, c identical mediators who each hold one case at a time, Poisson
arrivals (no weekly pattern, no peaks), exponential service, no sessions to schedule (service starts
at the morning batch), no travel, no leave, every attempt resolves. That is M/M/c — except that the
coordinator decides once a day. The discretisation is accounted for exactly: ``batch_queue_wait``
is the mean wait of the once-a-day system (a Markov chain), and it tends to the Erlang-C value as
the decision step shrinks; the simulated mean wait must lie within its 95% t-interval of it.
"""

from __future__ import annotations

import math

import pytest

from matcher.assignment import ObjectiveWeights
from matcher.simulation import SimulationParams, simulate
from matcher.simulation.erlang import batch_queue_wait, erlang_c_probability, erlang_c_wait

from .conftest import mmc_world

C, MU, LAM = 3, 0.5, 0.8  # 3 mediators, mean service 2 days, 0.8 cases a day


def test_erlang_c_textbook_values() -> None:
    # M/M/1: Wq = ρ / (μ − λ) = 0.5 / 0.5 = 1 with λ = 0.5, μ = 1.
    assert erlang_c_wait(1, 0.5, 1.0) == pytest.approx(1.0)
    # M/M/2, a = 1: C = (1/2 · 2/1) / (1 + 1 + 1) = 1/3 by hand.
    assert erlang_c_probability(2, 1.0) == pytest.approx(1 / 3)
    # Wq = C / (cμ − λ) = (1/3) / (2 − 1).
    assert erlang_c_wait(2, 1.0, 1.0) == pytest.approx(1 / 3)


def test_once_a_day_queue_tends_to_erlang_c() -> None:
    exact = erlang_c_wait(C, LAM, MU)
    fine = batch_queue_wait(C, LAM, MU, step=0.002)
    assert fine == pytest.approx(exact, rel=0.01)  # the gap shrinks linearly with the step
    # Coarser decisions only ever make cases wait longer.
    assert batch_queue_wait(C, LAM, MU, step=1.0) > batch_queue_wait(C, LAM, MU, step=0.5) > fine


def test_simulated_mean_wait_matches_the_once_a_day_queue() -> None:
    params = SimulationParams(
        weekly_pattern=(1,) * 7, peaks=(), service_days={"neighbor": 1 / MU}, resolution={"neighbor": 1.0},
        sick_leave_rate=0.0, sessions=False, horizon_days=1, time_limit_s=2.0, workers=1,
        judge_share=0.0, high_risk_family_share=0.0,
    )
    report = simulate(mmc_world(C, LAM), days=1500, replications=20, seed=11, params=params,
                      weights=ObjectiveWeights(balance=0), warmup_days=100)
    wait = report.summary["mean_wait"]
    expected = batch_queue_wait(C, LAM, MU, step=1.0)
    discretisation = expected - erlang_c_wait(C, LAM, MU)
    assert wait.n == 20 and math.isfinite(wait.half_width)
    # The engine served every case it could: nobody left waiting while a mediator was free.
    assert abs(wait.mean - expected) <= wait.half_width, (wait, expected)
    # The same statement about Erlang-C itself, once the once-a-day discretisation is added back.
    assert wait.low - discretisation <= erlang_c_wait(C, LAM, MU) <= wait.high - discretisation
    # Utilization (time a case spends on a mediator's docket, here its service) is the offered load
    # per server ρ = λ / (c·μ), by Little's law, within its own interval.
    busy = report.summary["utilization_mediator"]
    assert busy.low <= LAM / (C * MU) <= busy.high, busy
