"""Seeded arrivals: common random numbers by construction, the weekly pattern, seasonal peaks."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from matcher.domain import Category, Role
from matcher.scenarios import load_scenario
from matcher.simulation import SeasonalPeak, SimulationParams
from matcher.simulation.arrivals import ArrivalProcess, CaseFactory, RandomStreams, _in_peak


def test_a_days_numbers_depend_only_on_its_key() -> None:
    s = RandomStreams(5, 2)
    first = s.day("arrivals", 10).random(4)
    s.day("arrivals", 3).random(100)  # drawing other days in between changes nothing
    assert np.array_equal(RandomStreams(5, 2).day("arrivals", 10).random(4), first)
    assert not np.array_equal(RandomStreams(5, 3).day("arrivals", 10).random(4), first)  # another replication
    assert not np.array_equal(s.day("leave", 10).random(4), first)  # another stream
    assert np.array_equal(s.case(4, 7, 0).random(2), RandomStreams(5, 2).case(4, 7, 0).random(2))
    assert not np.array_equal(s.case(4, 7, 1).random(2), s.case(4, 7, 0).random(2))  # an escalated attempt
    with pytest.raises(ValueError, match="seed and replication must be >= 0"):
        RandomStreams(-1, 0)


def test_weekly_pattern_keeps_the_weekly_mean() -> None:
    scen = load_scenario("sajin")
    p = SimulationParams(peaks=())
    proc = ArrivalProcess(scen, p)
    monday = dt.date(2024, 3, 4)
    week = sum(proc.rates(monday + dt.timedelta(days=k)).sum() for k in range(7))
    assert week == pytest.approx(7 * sum(a.per_day for a in scen.arrivals))
    assert proc.rates(monday).sum() > proc.rates(monday + dt.timedelta(days=6)).sum()  # Monday busier than Sunday


def test_empirical_arrivals_match_the_rate() -> None:
    scen = load_scenario("sajin")
    proc = ArrivalProcess(scen, SimulationParams(peaks=(), weekly_pattern=(1,) * 7))
    streams = RandomStreams(1, 0)
    n_days = 400
    total = sum(len(proc.draw(dt.date(2024, 3, 4) + dt.timedelta(days=t), streams.day("arrivals", t))) for t in range(n_days))
    lam = n_days * sum(a.per_day for a in scen.arrivals)
    assert abs(total - lam) <= 4 * math.sqrt(lam)  # Poisson: variance = mean


def test_peaks_hit_their_categories_centers_and_dates_only() -> None:
    wrap = SeasonalPeak(start=(12, 20), end=(1, 10), factor=2)
    assert _in_peak(wrap, dt.date(2024, 12, 25)) and _in_peak(wrap, dt.date(2025, 1, 5))
    assert not _in_peak(wrap, dt.date(2025, 1, 11)) and not _in_peak(wrap, dt.date(2024, 12, 19))
    scen = load_scenario("sajin")
    peak = SeasonalPeak(start=(2, 1), end=(2, 28), factor=1.5, categories=(Category.LABOR,), centers=("sajin_c1",))
    proc = ArrivalProcess(scen, SimulationParams(peaks=(peak,)))
    plain = ArrivalProcess(scen, SimulationParams(peaks=()))
    day = dt.date(2025, 2, 10)
    for i, (center, cat) in enumerate(proc.keys):
        factor = 1.5 if (center, cat) == ("sajin_c1", Category.LABOR) else 1.0
        assert proc.rates(day)[i] == pytest.approx(factor * plain.rates(day)[i])
    with pytest.raises(ValueError, match=r"start must be \(month 1-12, day 1-31\), got \(13, 1\)"):
        SeasonalPeak(start=(13, 1), end=(1, 1), factor=2)


def test_case_shapes_follow_the_parameters() -> None:
    scen = load_scenario("sajin")
    p = SimulationParams(judge_share=1.0, judge_load_cap=None, high_risk_family_share=1.0)
    factory = CaseFactory(scen, p)
    rng = np.random.default_rng(0)
    from matcher.simulation.arrivals import Arrival

    case = factory.make(Arrival("sajin_c3", Category.MARRIAGE_FAMILY, 0.25), dt.date(2024, 3, 4), rng)
    # Judicial confirmation moves the case up to the nearest center the judges rotate to.
    assert Role.JUDGE in case.needs_roles and case.center == "sajin"
    assert Role.COUNSELOR in case.needs_roles and case.risk.value == "high"
    assert case.deadline == dt.date(2024, 3, 4) + dt.timedelta(days=p.deadline_days["high"])
    assert case.received == dt.datetime(2024, 3, 4, 6, 0)
    capped = CaseFactory(scen, SimulationParams(judge_share=1.0))
    halfdays = sum(c.judge_halfdays_per_week for c in scen.centers)
    assert capped.judge_p == pytest.approx(0.8 * halfdays / (7 * sum(a.per_day for a in scen.arrivals)))
