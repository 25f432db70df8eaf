"""Case arrivals: a seeded Poisson process per (center, category) with a weekly pattern and seasonal
peaks, scaled to the scenario's ``arrivals`` figures, and the shape of each arriving case.

Randomness (:class:`RandomStreams`): every draw comes from a generator keyed by what it is for —
(seed, replication, stream, day) for a day's arrivals, case shapes and sick leave, and (seed,
replication, arrival day, arrival index, attempt) for one case's service time and outcome. Variants
compared with the same seed therefore share their random numbers (common random numbers): the same
arrivals on every day whose rates they share, the same service time and outcome for the same case
whoever serves it, the same sick leave for the experts they share (new experts are appended, so
existing ones keep their draws). A difference in one day's draws does not shift any other day's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from matcher.domain import INDUSTRY_CATEGORIES, Case, Category, Party, RiskLevel, Role, Scenario

from .params import SeasonalPeak, SimulationParams

#: Stream names; their position is part of every key (changing the order changes every result: append only).
STREAMS = ("arrivals", "cases", "outcomes", "leave", "leave_length")


class RandomStreams:
    """The generators of one replication, keyed so that variants share their random numbers."""

    def __init__(self, seed: int, replication: int) -> None:
        if seed < 0 or replication < 0:
            raise ValueError(f"seed and replication must be >= 0, got {seed}, {replication}")
        self.seed, self.replication = seed, replication

    def _rng(self, *key: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(self.replication, *key)))

    def day(self, stream: str, t: int) -> np.random.Generator:
        """The generator of ``stream`` on simulated day ``t`` (``t >= -1``; -1 is the warm-up eve)."""
        return self._rng(STREAMS.index(stream), t + 1)

    def case(self, t: int, index: int, attempt: int) -> np.random.Generator:
        """The generator of one attempt of the ``index``-th case arriving on day ``t``."""
        return self._rng(STREAMS.index("outcomes"), t + 1, index, attempt)


def _in_peak(peak: SeasonalPeak, day: dt.date) -> bool:
    key = (day.month, day.day)
    if peak.start <= peak.end:
        return peak.start <= key <= peak.end
    return key >= peak.start or key <= peak.end  # wraps over New Year


@dataclass(frozen=True)
class Arrival:
    center: str
    category: Category
    time: float  # fraction of the day at which the case arrives, in [0, 1)


class ArrivalProcess:
    """Expected and drawn arrivals per (center, category) and day."""

    def __init__(self, scenario: Scenario, params: SimulationParams) -> None:
        rates = [a for a in scenario.arrivals if a.per_day > 0]
        self.keys: list[tuple[str, Category]] = [(a.center, a.category) for a in rates]
        self.base = np.array([a.per_day for a in rates], dtype=float) * params.arrival_scale
        week = np.asarray(params.weekly_pattern, dtype=float)
        self.weekly = week / week.mean()
        self.peaks = params.peaks

    def rates(self, day: dt.date) -> np.ndarray:
        """Expected arrivals of each key on ``day``."""
        r = self.base * self.weekly[day.weekday()]
        for peak in self.peaks:
            if not _in_peak(peak, day):
                continue
            mask = np.array(
                [(not peak.categories or c in peak.categories) and (not peak.centers or z in peak.centers)
                 for z, c in self.keys]
            )
            r = np.where(mask, r * peak.factor, r)
        return r

    def draw(self, day: dt.date, rng: np.random.Generator) -> list[Arrival]:
        """The day's arrivals, in order of arrival time (a fixed number of draws per key and case, so
        the stream stays aligned whatever happens elsewhere)."""
        counts = rng.poisson(self.rates(day))
        out = []
        for k in np.flatnonzero(counts):
            center, cat = self.keys[k]
            for t in rng.random(counts[k]):
                out.append(Arrival(center, cat, float(t)))
        out.sort(key=lambda a: (a.time, a.center, a.category.value))
        return out


class CaseFactory:
    """Turns an arrival into a :class:`Case` shaped as the bundled generator shapes them (ASSUMPTION):
    industry cases mostly to industry mediators, some family cases at 民转刑 risk with a counselor,
    a few needing judicial confirmation (moved to the nearest center the judges rotate to)."""

    def __init__(self, scenario: Scenario, params: SimulationParams) -> None:
        self.scenario = scenario
        self.params = params
        self.by_center = scenario.center_by_id
        self._servable: dict[tuple[Role, Category], bool] = {}
        self._experts = scenario.experts
        self._n = 0
        self.industry_p = self._industry_request_share(scenario, params)
        self.judge_p = self._judge_request_share(scenario, params)

    @staticmethod
    def _judge_request_share(scenario: Scenario, params: SimulationParams) -> float:
        """P(a case needs a judge): ``judge_share``, lowered to what the rotation can host (a judge
        sits in one session per half-day; see ``judge_load_cap``)."""
        per_week = 7 * sum(a.per_day for a in scenario.arrivals) * params.arrival_scale
        if params.judge_load_cap is None or per_week <= 0:
            return params.judge_share
        halfdays = sum(c.judge_halfdays_per_week for c in scenario.centers)
        return min(params.judge_share, params.judge_load_cap * halfdays / per_week)

    @staticmethod
    def _industry_request_share(scenario: Scenario, params: SimulationParams) -> dict[Category, float]:
        """P(an industry dispute asks for an industry mediator), per category: ``industry_share``,
        lowered where the industry's mediators could not hold that many sessions (see
        ``industry_load_cap``) — the coordinator then asks for a general mediator instead."""
        out = {}
        for cat in INDUSTRY_CATEGORIES:
            if params.industry_load_cap is None:
                out[cat] = params.industry_share
                continue
            per_day = sum(a.per_day for a in scenario.arrivals if a.category == cat) * params.arrival_scale
            capacity = sum(e.max_sessions_per_week for e in scenario.experts
                           if e.role == Role.INDUSTRY_MEDIATOR and e.industry == cat) / 7.0
            out[cat] = params.industry_share if per_day <= 0 else min(params.industry_share,
                                                                     params.industry_load_cap * capacity / per_day)
        return out

    def can(self, role: Role, category: Category) -> bool:
        key = (role, category)
        if key not in self._servable:
            self._servable[key] = any(e.can_fill(role, category) for e in self._experts)
        return self._servable[key]

    def make(self, a: Arrival, day: dt.date, rng: np.random.Generator, prefix: str = "sim") -> Case:
        p = self.params
        # Always the same number of draws per case, so the case stream stays aligned across variants.
        u = rng.random(6)
        cat, center = a.category, a.center
        roles = [Role.MEDIATOR]
        if cat in INDUSTRY_CATEGORIES and u[0] < self.industry_p[cat] and self.can(Role.INDUSTRY_MEDIATOR, cat):
            roles = [Role.INDUSTRY_MEDIATOR]
        risk = RiskLevel.LOW
        if cat == Category.MARRIAGE_FAMILY and u[1] < p.high_risk_family_share:
            risk = RiskLevel.HIGH
            if self.can(Role.COUNSELOR, cat):
                roles.append(Role.COUNSELOR)
        elif u[1] > 0.8:
            risk = RiskLevel.MEDIUM
        if u[2] < self.judge_p and self.can(Role.JUDGE, cat):
            while self.by_center[center].judge_halfdays_per_week == 0 and self.by_center[center].parent is not None:
                center = self.by_center[center].parent  # type: ignore[assignment]
            if self.by_center[center].judge_halfdays_per_week > 0:
                roles.append(Role.JUDGE)
            else:
                center = a.center
        if not self.can(roles[0], cat):
            roles[0] = Role.MEDIATOR
        level = self.by_center[center].level.value
        days = p.deadline_days["high"] if risk == RiskLevel.HIGH else p.deadline_days.get(level, p.deadline_days["other"])
        minute = int(a.time * 24 * 60)
        received = dt.datetime.combine(day, dt.time(minute // 60, minute % 60))
        self._n += 1
        parties = (Party(name="A"), Party(name="B"))
        return Case(
            id=f"{prefix}{self._n:07d}", category=cat, center=center, received=received,
            deadline=day + dt.timedelta(days=days), risk=risk, needs_roles=tuple(roles),
            needs_session=p.sessions, online_allowed=bool(u[3] < p.online_share), parties=parties,
        )
