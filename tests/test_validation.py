"""Every validation rule of the domain, each with the smallest bad input; the error names the field
(its `loc`) and reports the offending value."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from pydantic import ValidationError

from matcher.domain import AssignmentLine, AssignmentRequest, Case, Center, DateRange, Expert, Scenario, WeeklySlot

CENTER = dict(id="d", name="D", level="district", lat=22.5, lon=113.9)
STREET = dict(id="s", name="S", level="street", parent="d", lat=22.5, lon=113.9)
EXPERT = dict(id="e1", name="E", role="mediator", categories={"labor": 3}, home_center="d")
JUDGE = dict(id="j1", name="J", role="judge", home_center="d", court="c1")
COURT = dict(id="c1", name="Court", lat=22.5, lon=113.9)
CASE = dict(id="k1", category="labor", center="d", received="2024-03-01T09:00", deadline="2024-03-20")
BASE = dict(name="t", today="2024-03-04", centers=[CENTER, STREET], courts=[COURT], experts=[EXPERT, JUDGE], cases=[CASE])


def scenario_errors(**changes) -> list[dict]:  # type: ignore[no-untyped-def]
    data = copy.deepcopy(BASE)
    data.update(changes)
    with pytest.raises(ValidationError) as err:
        Scenario.model_validate(data)
    return err.value.errors()


def model_error(model, data: dict) -> dict:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as err:
        model.model_validate(data)
    return err.value.errors()[0]


def test_base_is_valid():
    assert Scenario.model_validate(BASE).name == "t"


# -- field rules --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "model,data,loc,value",
    [
        (Center, {**CENTER, "lat": 95}, ("lat",), 95),
        (Center, {**CENTER, "lon": -181}, ("lon",), -181),
        (Center, {**CENTER, "level": "province"}, ("level",), "province"),
        (Center, {**CENTER, "id": "has space"}, ("id",), "has space"),
        (Center, {**CENTER, "id": ""}, ("id",), ""),
        (Center, {**CENTER, "rooms": -1}, ("rooms",), -1),
        (Center, {**CENTER, "judge_halfdays_per_week": 15}, ("judge_halfdays_per_week",), 15),
        (Center, {**CENTER, "platforms": ["astrology"]}, ("platforms", 0), "astrology"),
        (Center, {**CENTER, "colour": "red"}, ("colour",), "red"),
        (Expert, {**EXPERT, "role": "wizard"}, ("role",), "wizard"),
        (Expert, {**EXPERT, "categories": {"labor": 6}}, ("categories", "labor"), 6),
        (Expert, {**EXPERT, "categories": {"labor": 0}}, ("categories", "labor"), 0),
        (Expert, {**EXPERT, "max_travel_minutes": -5}, ("max_travel_minutes",), -5),
        (Expert, {**EXPERT, "max_open_cases": 0}, ("max_open_cases",), 0),
        (Expert, {**EXPERT, "open_cases": -1}, ("open_cases",), -1),
        (Expert, {**EXPERT, "max_sessions_per_week": 0}, ("max_sessions_per_week",), 0),
        (Expert, {**EXPERT, "languages": ["z"]}, ("languages", 0), "z"),
        (Case, {**CASE, "category": "astrology"}, ("category",), "astrology"),
        (Case, {**CASE, "risk": "extreme"}, ("risk",), "extreme"),
        (Case, {**CASE, "needs_roles": []}, ("needs_roles",), []),
        (Case, {**CASE, "received": "yesterday"}, ("received",), "yesterday"),
        (WeeklySlot, {"weekday": 0, "half": "evening"}, ("half",), "evening"),
    ],
)
def test_field_rules_name_the_field_and_value(model, data, loc, value):
    e = model_error(model, data)
    assert e["loc"] == loc
    assert e["input"] == value


@pytest.mark.parametrize(
    "model,data,message",
    [
        (WeeklySlot, {"weekday": 7, "half": "am"}, "weekday must be 0 (Monday) to 6 (Sunday), got 7"),
        (DateRange, {"start": "2024-03-05", "end": "2024-03-04"}, "end 2024-03-04 is before start 2024-03-05"),
        (Center, {**CENTER, "judge_halfdays_per_week": 1, "fixed_judge_slots": [{"weekday": 6, "half": "am"}]},
         "fixed_judge_slots ['sun am'] fall outside the center's opening hours"),
        (Center, {**CENTER, "fixed_judge_slots": [{"weekday": 0, "half": "am"}]}, "fixed_judge_slots has 1 slots but judge_halfdays_per_week is 0"),
        (Expert, {**EXPERT, "open_cases": 21}, "open_cases 21 exceeds max_open_cases 20"),
        (Expert, {**EXPERT, "role": "industry_mediator"}, "industry is required for an industry_mediator"),
        (Expert, {**EXPERT, "role": "industry_mediator", "industry": "neighbor", "categories": {"neighbor": 3}}, "industry 'neighbor' is not an industry category"),
        (Expert, {**EXPERT, "role": "industry_mediator", "industry": "medical"}, "industry 'medical' must be among categories"),
        (Expert, {**EXPERT, "industry": "medical"}, "industry 'medical' is only for industry_mediator, not mediator"),
        (Expert, {**JUDGE, "court": None}, "court is required for a judge"),
        (Expert, {**EXPERT, "court": "c1"}, "court and court_days are only for judges, not mediator"),
        (Expert, {**EXPERT, "categories": {}}, "categories must not be empty for a mediator"),
        (Expert, {**JUDGE, "max_rotation_halfdays_per_week": 10, "max_rotation_halfdays_per_month": 8},
         "max_rotation_halfdays_per_week 10 exceeds max_rotation_halfdays_per_month 8"),
        (Case, {**CASE, "deadline": "2024-02-01"}, "deadline 2024-02-01 is before received 2024-03-01"),
        (Case, {**CASE, "needs_roles": ["mediator", "mediator"]}, "needs_roles ['mediator', 'mediator'] lists a role twice"),
        (Case, {**CASE, "preferred_experts": ["e1"], "excluded_experts": ["e1"]}, "experts ['e1'] are both preferred_experts and excluded_experts"),
        (AssignmentLine, {"case": "k1", "team": [{"role": "mediator", "expert": "e1"}], "slot": {"date": "2024-03-04", "half": "am"}, "room": 0, "online": True},
         "an online session has no room (got room 0)"),
        (AssignmentLine, {"case": "k1", "team": [{"role": "mediator", "expert": "e1"}], "room": 0}, "room and online describe a session: slot is required"),
        (AssignmentRequest, {"pins": [{"case": "k1", "team": [{"role": "mediator", "expert": "e1"}]}] * 2}, "pins[1].case 'k1' is pinned twice"),
    ],
)
def test_model_rules_say_what_is_wrong_with_the_values(model, data, message):
    with pytest.raises(ValidationError, match=message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(").replace(")", r"\)")):
        model.model_validate(data)


@pytest.mark.parametrize("model,data,loc", [
    (AssignmentLine, {"case": "k1", "team": []}, ("team",)),
    (AssignmentLine, {"case": "k1", "team": [{"role": "mediator", "expert": "e1"}], "room": -1}, ("room",)),
    (AssignmentRequest, {"horizon_days": 0}, ("horizon_days",)),
    (AssignmentRequest, {"horizon_days": 93}, ("horizon_days",)),
])
def test_assignment_shapes(model, data, loc):
    assert model_error(model, data)["loc"] == loc


# -- cross-reference rules (scenario) ----------------------------------------------------------------

def test_unknown_center_everywhere_it_is_referenced():
    errors = scenario_errors(
        centers=[CENTER, {**STREET, "parent": "zz"}],
        courts=[{**COURT, "center": "zz"}],
        experts=[{**EXPERT, "home_center": "zz"}, {**JUDGE, "serves_centers": ["zz"], "preferred_centers": ["zz"]}],
        cases=[{**CASE, "center": "zz"}],
        travel_times=[{"origin": "zz", "destination": "d", "minutes": 5}, {"origin": "d", "destination": "zz", "minutes": 5}],
        arrivals=[{"center": "zz", "category": "labor", "per_day": 1}],
        rotation=[{"judge": "j1", "center": "zz", "slot": {"date": "2024-03-04", "half": "am"}}],
    )
    locs = {e["loc"] for e in errors if e["type"] == "unknown_reference"}
    assert locs >= {
        ("centers", 1, "parent"), ("courts", 0, "center"), ("experts", 0, "home_center"), ("experts", 1, "serves_centers", 0),
        ("experts", 1, "preferred_centers", 0), ("cases", 0, "center"), ("travel_times", 0, "origin"),
        ("travel_times", 1, "destination"), ("arrivals", 0, "center"), ("rotation", 0, "center"),
    }
    assert all(e["input"] == "zz" for e in errors if e["type"] == "unknown_reference")
    assert "unknown center id: 'zz'" in errors[0]["msg"]


def test_unknown_court_judge_and_expert_references():
    errors = scenario_errors(
        experts=[EXPERT, {**JUDGE, "court": "nocourt"}],
        cases=[{**CASE, "preferred_experts": ["ghost"], "excluded_experts": ["ghost2"], "previous_experts": ["ghost3"]}],
        rotation=[{"judge": "e1", "center": "d", "slot": {"date": "2024-03-04", "half": "am"}}],
    )
    got = {(e["loc"], e["input"]) for e in errors}
    assert (("experts", 1, "court"), "nocourt") in got
    assert (("cases", 0, "preferred_experts", 0), "ghost") in got
    assert (("cases", 0, "excluded_experts", 0), "ghost2") in got
    assert (("cases", 0, "previous_experts", 0), "ghost3") in got
    assert (("rotation", 0, "judge"), "e1") in got  # a mediator is not a judge


def test_duplicate_ids():
    errors = scenario_errors(centers=[CENTER, STREET, {**STREET}], experts=[EXPERT, EXPERT, JUDGE], cases=[CASE, CASE],
                             courts=[COURT, COURT])
    dups = {(e["loc"], e["input"]) for e in errors if e["type"] == "duplicate_id"}
    assert dups == {(("centers", 2, "id"), "s"), (("experts", 1, "id"), "e1"), (("cases", 1, "id"), "k1"), (("courts", 1, "id"), "c1")}


def test_parent_cycle():
    a = dict(id="a", name="A", level="street", parent="b", lat=0, lon=0)
    b = dict(id="b", name="B", level="street", parent="a", lat=0, lon=0)
    errors = scenario_errors(centers=[CENTER, a, b])
    cycles = [e for e in errors if e["type"] == "parent_cycle"]
    assert {e["loc"] for e in cycles} == {("centers", 1, "parent"), ("centers", 2, "parent")}


def test_child_must_sit_below_its_parent_level():
    errors = scenario_errors(centers=[CENTER, {**STREET, "level": "district"}])
    (e,) = [e for e in errors if e["type"] == "level_order"]
    assert e["loc"] == ("centers", 1, "level") and e["input"] == "district"


def test_a_category_no_expert_can_serve():
    errors = scenario_errors(cases=[{**CASE, "category": "medical"}])
    (e,) = errors
    assert e["loc"] == ("cases", 0, "category") and e["input"] == "medical" and e["type"] == "unservable_category"
    errors = scenario_errors(cases=[{**CASE, "needs_roles": ["mediator", "counselor"]}])
    assert errors[0]["loc"] == ("cases", 0, "category") and "counselor seat" in errors[0]["msg"]


def test_a_language_no_expert_speaks():
    (e,) = scenario_errors(cases=[{**CASE, "language": "yue"}])
    assert e["loc"] == ("cases", 0, "language") and e["input"] == "yue" and e["type"] == "unservable_language"


def test_replace_revalidates():
    s = Scenario.model_validate(BASE)
    with pytest.raises(ValidationError):
        s.replace(cases=[{**CASE, "center": "nowhere"}])
    assert s.replace(name="u").name == "u"


def test_time_slot_order():
    from matcher.domain import TimeSlot

    a = TimeSlot(date=dt.date(2024, 3, 4), half="pm")
    b = TimeSlot(date=dt.date(2024, 3, 5), half="am")
    assert a < b and TimeSlot.from_ordinal(a.ordinal) == a and str(a) == "2024-03-04 pm"
