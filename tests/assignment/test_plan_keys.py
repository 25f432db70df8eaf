"""Plans carried between models by expert id (lns.to_keys / from_keys) map back exactly or drop the case."""

from __future__ import annotations

from types import SimpleNamespace as NS

from matcher.assignment.candidates import IN_PERSON, ONLINE
from matcher.assignment.lns import from_keys


def problem(seats):  # type: ignore[no-untyped-def]
    return NS(expert_index={"m": 0, "j": 1, "x": 2}, cases=[NS(seats=[NS(options=opts) for opts in seats])])


def test_a_seat_in_another_mode_than_the_session_maps_to_that_option() -> None:
    # Online session; the judge's only option is in person (judges sit where they are rotated).
    p = problem([[NS(expert=0, mode=IN_PERSON), NS(expert=0, mode=ONLINE)], [NS(expert=1, mode=IN_PERSON)]])
    plan = from_keys(p, {0: (ONLINE, 3, ("m", "j"))})
    assert plan[0].options == (1, 0) and plan[0].mode == ONLINE and plan[0].slot == 3


def test_the_mode_of_the_session_wins_when_both_exist() -> None:
    p = problem([[NS(expert=0, mode=IN_PERSON), NS(expert=0, mode=ONLINE)]])
    assert from_keys(p, {0: (IN_PERSON, 0, ("m",))})[0].options == (0,)


def test_an_expert_no_longer_among_the_options_leaves_the_case_unplanned() -> None:
    p = problem([[NS(expert=0, mode=IN_PERSON)]])
    assert from_keys(p, {0: (IN_PERSON, 0, ("x",))}) == {}


def test_the_best_greedy_pass_survives_a_later_pass_widening_its_options() -> None:
    # Pass 1 (preferred sessions) puts x in the afternoon and y — whose center opens only on Monday
    # morning — with a in the morning, from y's one narrow option. Pass 2 puts x with a in the
    # morning, so y finds a busy and is widened to every expert it may have, renumbering its
    # options (c and b come before a in the pool). Pass 1 stays the cheaper plan: it must still
    # name a for y, not whoever now holds a's old option number.
    import numpy as np

    from builders import case, center, expert, scenario
    from matcher.assignment import ObjectiveWeights
    from matcher.assignment.candidates import build_problem, keep_options
    from matcher.assignment.hint import greedy_plan
    from matcher.domain import AssignmentRequest

    s = scenario(
        centers=[center("d", rooms=2),
                 center("s", lat=22.56, level="street", parent="d", opening=[{"weekday": 0, "half": "am"}])],
        experts=[expert("c", cats={"labor": 1}), expert("b", cats={"labor": 2}), expert("a", cats={"labor": 5})],
        cases=[case("x", online_allowed=False), case("y", at="s", online_allowed=False)],
    )
    w = ObjectiveWeights(proficiency=10, travel=0, urgency=5, waiting=0, balance=0)
    p = build_problem(s, AssignmentRequest(horizon_days=1), weights=w)
    for pc in p.cases:  # the narrow option set: each seat's cheapest expert only (a)
        seat = pc.seats[0]
        keep_options(p, pc, seat, np.array([int(np.argmin(seat.pool.cost))]))
    plan = greedy_plan(p, w, preferred={0: (IN_PERSON, 1)})
    named = {p.cases[k].case.id: p.experts[p.cases[k].seats[0].options[ch.options[0]].expert].id
             for k, ch in plan.items()}
    assert len(p.cases[1].seats[0].options) == 3  # y was widened by the second pass
    assert named == {"x": "a", "y": "a"}
    assert plan[0].slot == 1 and plan[1].slot == 0
