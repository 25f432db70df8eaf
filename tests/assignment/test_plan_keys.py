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
