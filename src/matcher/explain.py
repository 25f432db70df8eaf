"""Why this team: a line's score by term, and the best alternatives with the reason each lost.

For each line of a plan, :class:`Explainer` reports

- the line's cost broken down by the engine's named terms (proficiency, travel, urgency, waiting,
  continuity; formulas in :class:`~matcher.assignment.config.ObjectiveWeights`) and the plan's
  balance term (the largest number of lines naming one expert);
- the best *alternatives*: other teams and slots the case could have had given the rest of the plan
  (found by the :class:`~matcher.recommend.Recommender` on the plan minus this line, so each one
  passes the independent checker when swapped in), each with the change of the plan's objective by
  term if it were swapped in, and the reason it lost (the terms that make it costlier, by how much);
- *excluded experts*: experts qualified for a seat who would have made it cheaper, and the hard rule
  that excludes each of them given the plan (e.g. "the nearest labor mediator is at max_open_cases"),
  read from the same named masks as :mod:`matcher.diagnose`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from matcher.assignment.config import ObjectiveWeights
from matcher.diagnose import (
    CONFLICT,
    EXPERTISE,
    LANGUAGE,
    LOCATION,
    SEAT_RULES,
    SeatRules,
    WORKLOAD,
    CaseDiagnosis,
    diagnose_case,
    seat_rules,
    smallest_cores,
)
from matcher.domain import AssignmentLine, Case, Scenario
from matcher.recommend import Recommender

_RISK = {"low": 1, "medium": 3, "high": 10}  # the engine's risk factors (ObjectiveWeights.urgency)
LINE_TERMS = ("proficiency", "travel", "urgency", "waiting", "continuity")
_UNITS = {"proficiency": "pt", "travel": "min", "urgency": "risk·half-days", "waiting": "day·half-days/10",
          "continuity": "seat", "balance": "case"}


def _num(v: float, sign: bool = True) -> str:
    text = f"{v:+.1f}" if sign else f"{v:.1f}"
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class Alternative:
    """Another line the case could have had, and what swapping it in would change."""

    line: AssignmentLine
    delta: dict[str, float]  # unweighted change of each plan term if swapped in
    weighted_delta: float  # change of the plan's objective (> 0: the alternative is worse)
    reason: str


@dataclass(frozen=True)
class ExcludedExpert:
    """A qualified expert who would have made a seat cheaper, and the hard rule(s) that exclude them."""

    role: str
    expert: str
    saving: float  # seat cost (proficiency + travel + continuity, weighted) saved if they could sit
    rules: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class LineExplanation:
    case: str
    line: AssignmentLine
    terms: dict[str, float]  # unweighted, this line's share of the plan's terms
    weighted: dict[str, float]
    cost: float
    max_load: int  # the plan's balance term (largest number of lines naming one expert)
    alternatives: tuple[Alternative, ...] = ()
    excluded: tuple[ExcludedExpert, ...] = ()

    def text(self) -> str:
        team = ", ".join(f"{s.role.value}={s.expert}" for s in self.line.team)
        where = "online" if self.line.online else (f"room {self.line.room}" if self.line.slot else "no session")
        out = [f"{self.case}: {team} — {self.line.slot or '-'} {where} — cost {self.cost:.1f}"]
        out.append("  score: " + ", ".join(f"{k} {_num(v, False)} {_UNITS[k]} ({self.weighted[k]:+.1f})" for k, v in self.terms.items() if v)
                   or "  score: no penalty")
        for a in self.alternatives:
            team = ", ".join(f"{s.role.value}={s.expert}" for s in a.line.team)
            mode = "online" if a.line.online else "in person"
            out.append(f"  alt {team} — {a.line.slot or '-'} {mode}: {a.reason}")
        for x in self.excluded:
            out.append(f"  not {x.role}={x.expert}: {x.reason}")
        return "\n".join(out)


@dataclass
class Explainer:
    """Explain the lines of one plan (``lines``) on ``scenario``; index the plan once, ask per case."""

    scenario: Scenario
    lines: Sequence[AssignmentLine]
    horizon_start: dt.date | None = None
    horizon_days: int = 10
    weights: ObjectiveWeights = field(default_factory=ObjectiveWeights)

    def __post_init__(self) -> None:
        self.rec = Recommender(self.scenario, tuple(self.lines), horizon_start=self.horizon_start,
                               horizon_days=self.horizon_days, weights=self.weights)
        self.by_case = {ln.case: ln for ln in self.lines}
        self.count = np.zeros(len(self.rec.experts), np.int64)  # lines naming each expert (balance term)
        for ln in self.lines:
            self.count[[self.rec.index[x] for x in ln.experts]] += 1

    # -- the engine's per-line terms ---------------------------------------------------------------
    def line_terms(self, case: Case, line: AssignmentLine) -> dict[str, float]:
        rec, w = self.rec, self.weights
        minutes = rec.travel.from_center(case.center)[rec.home]
        liked = set(case.preferred_experts) | set(case.previous_experts)
        short = rec._shortfall(case)
        terms = dict.fromkeys(LINE_TERMS, 0.0)
        for x in line.experts:
            i = rec.index[x]
            terms["proficiency"] += float(short[i])
            terms["travel"] += 0.0 if rec.is_judge[i] else (w.online_minutes if line.online else float(minutes[i]))
            terms["continuity"] += float(bool(liked) and x not in liked)
        if line.slot is not None:
            k = rec.slot_pos[line.slot]
            age = max(0, (rec.start - case.received.date()).days)
            terms["urgency"] = float(_RISK[case.risk.value] * k)
            terms["waiting"] = age * k / 10.0
        return terms

    def _weighted(self, terms: dict[str, float]) -> dict[str, float]:
        return {k: getattr(self.weights, k) * v for k, v in terms.items()}

    def _balance_delta(self, old: AssignmentLine | None, new: AssignmentLine | None) -> int:
        count = self.count.copy()
        if old is not None:
            count[[self.rec.index[x] for x in old.experts]] -= 1
        if new is not None:
            count[[self.rec.index[x] for x in new.experts]] += 1
        return int(count.max(initial=0) - self.count.max(initial=0))

    # -- explanations ------------------------------------------------------------------------------
    def explain(self, case_id: str, k: int = 3, excluded_per_seat: int = 2) -> LineExplanation:
        """The line of ``case_id``: its score by term, ``k`` best alternatives, excluded cheaper experts."""
        line = self.by_case[case_id]
        case = self.scenario.case_by_id[case_id]
        terms = self.line_terms(case, line)
        weighted = self._weighted(terms)
        self.rec.remove(line)
        try:
            # Ask the recommender for more than k (its order adds a load-share tie-break), then rank by
            # the change of the plan's own objective.
            found = self.rec.recommend(case, 2 * k + 2).recommendations
            alternatives = [self._alternative(case, line, terms, r.line) for r in found
                            if not (r.line.experts == line.experts and r.line.slot == line.slot
                                    and r.line.online == line.online)]
            alternatives = sorted(alternatives, key=lambda a: a.weighted_delta)[:k]
            excluded = self._excluded(case, line, excluded_per_seat)
        finally:
            self.rec.add(line)
        return LineExplanation(case_id, line, terms, weighted, sum(weighted.values()), int(self.count.max(initial=0)),
                               tuple(alternatives), tuple(excluded))

    def explain_all(self, k: int = 3, excluded_per_seat: int = 2) -> list[LineExplanation]:
        return [self.explain(ln.case, k, excluded_per_seat) for ln in self.lines]

    def diagnose(self, case_id: str) -> CaseDiagnosis:
        """Why a case of the scenario without a line has no feasible team on top of this plan."""
        return diagnose_case(self.rec, self.scenario.case_by_id[case_id])

    def _alternative(self, case: Case, line: AssignmentLine, terms: dict[str, float], alt: AssignmentLine) -> Alternative:
        alt_terms = self.line_terms(case, alt)
        delta = {t: alt_terms[t] - terms[t] for t in LINE_TERMS}
        delta["balance"] = float(self._balance_delta(line, alt))
        wd = {t: getattr(self.weights, t) * v for t, v in delta.items()}
        total = sum(wd.values())
        # Changes under 0.05 round to nothing in the text: not worth naming.
        worse = sorted(((v, t) for t, v in wd.items() if v >= 0.05), reverse=True)
        better = sorted(((v, t) for t, v in wd.items() if v <= -0.05))
        fmt = lambda v, t: f"{t} {_num(delta[t])} {_UNITS[t]} ({v:+.1f})"  # noqa: E731
        if total > 1e-6:
            reason = f"costs {total:+.1f} more: " + ", ".join(fmt(v, t) for v, t in worse)
            if better:
                reason += "; despite " + ", ".join(fmt(v, t) for v, t in better)
        elif total < -1e-6:
            reason = (f"would lower the plan's objective by {-total:.1f} (" + ", ".join(fmt(v, t) for v, t in better)
                      + ") — the solve did not find it (not proven optimal, or another line changed with it)")
        else:
            reason = "ties with the chosen line (equal cost for the plan)"
        return Alternative(alt, delta, round(total, 6), reason)

    def _excluded(self, case: Case, line: AssignmentLine, per_seat: int) -> list[ExcludedExpert]:
        """Qualified experts cheaper on a seat than the chosen one, and what excludes each (given the plan)."""
        if per_seat <= 0:
            return []
        rec, w = self.rec, self.weights
        out: list[ExcludedExpert] = []
        liked = set(case.preferred_experts) | set(case.previous_experts)
        short = rec._shortfall(case)
        for seat in line.team:
            rules = seat_rules(rec, case, seat.role)
            minutes = rules.minutes
            travel = np.where(rec.is_judge, 0.0, minutes)
            if case.needs_session and case.online_allowed:
                travel = np.minimum(travel, np.where(rec.online_capable, w.online_minutes, np.inf))
            miss = np.zeros(len(rec.experts))
            if liked:
                miss = np.fromiter((e.id not in liked for e in rec.experts), np.float64, len(rec.experts))
            cost = w.proficiency * short + w.travel * travel + w.continuity * miss
            i0 = rec.index[seat.expert]
            chosen_cost = w.proficiency * short[i0] + w.travel * (
                0.0 if rec.is_judge[i0] else w.online_minutes if line.online else minutes[i0]) + w.continuity * miss[i0]
            qualified = np.broadcast_to(rules.masks[EXPERTISE], rules.shape)[:, 0, 0]
            feasible = rules.allowed().any(axis=(1, 2))
            pick = np.flatnonzero(qualified & ~feasible & (cost < chosen_cost - 1e-9))
            pick = pick[np.argsort(cost[pick], kind="stable")][:per_seat]
            for i in pick:
                why = self._why_not(rules, int(i), case)
                out.append(ExcludedExpert(seat.role.value, rec.experts[i].id, round(float(chosen_cost - cost[i]), 6),
                                          tuple(r for names, _ in why for r in names),
                                          f"would save {chosen_cost - cost[i]:.1f} on this seat but " + "; ".join(t for _, t in why)))
        return out

    def _why_not(self, rules, i: int, case: Case) -> list[tuple[tuple[str, ...], str]]:  # type: ignore[no-untyped-def]
        """The rules excluding expert ``i`` from the seat: failing expert-level rules, else the smallest
        set of time rules that leaves them no (mode, half-day)."""
        rec = self.rec
        e = rec.experts[i]
        words = {
            LANGUAGE: f"does not speak {case.language}",
            CONFLICT: "has a conflict of interest (excluded, or affiliated with a party's organization)",
            WORKLOAD: f"is at max_open_cases given the plan ({int(rec.load[i])}/{int(rec.max_open[i])})",
        }
        failed = [((r,), words[r]) for r in (LANGUAGE, CONFLICT, WORKLOAD) if not bool(rules.masks[r].reshape(-1)[i])]
        row = {r: np.broadcast_to(m, rules.shape)[i:i + 1] for r, m in rules.masks.items()}
        if not row[LOCATION].any():
            failed.append(((LOCATION,), f"is {rules.minutes[i]:.0f} min away (limit {e.max_travel_minutes})"
                           + ("" if case.online_allowed and case.needs_session else ", and the case does not allow online")
                           + ("" if e.online_capable else ", not online-capable")))
        if failed:
            return failed
        one = SeatRules(case, rules.role, row, rules.minutes[i:i + 1], (1,) + rules.shape[1:])
        core = smallest_cores(one, [r for r in SEAT_RULES if r not in (EXPERTISE,)])
        if not core:
            return [(("team",), "cannot share a half-day with the rest of the team")]
        names = core[0]
        return [(names, "has no usable half-day on or before the deadline under " + " + ".join(names))]


def explain_line(scenario: Scenario, lines: Sequence[AssignmentLine], case_id: str, *, k: int = 3,
                 horizon_start: dt.date | None = None, horizon_days: int = 10,
                 weights: ObjectiveWeights | None = None) -> LineExplanation:
    """One-shot: explain the line of ``case_id`` in plan ``lines`` (build an :class:`Explainer` to reuse)."""
    return Explainer(scenario, lines, horizon_start, horizon_days, weights or ObjectiveWeights()).explain(case_id, k)


__all__ = ["Alternative", "ExcludedExpert", "Explainer", "LineExplanation", "explain_line"]
