import datetime as dt

import pytest
from pydantic import ValidationError

from matcher.domain import Case, Category, Center, Expert, Role, Scenario


def _scenario(**overrides):
    data = dict(
        name="t",
        today=dt.date(2024, 3, 4),
        centers=[dict(id="d", name="D", level="district", lat=22.55, lon=113.88)],
        experts=[dict(id="e1", name="E", role="mediator", categories={"labor": 3}, home_center="d")],
        cases=[dict(id="k1", category="labor", center="d", received="2024-03-01T09:00", deadline="2024-03-20")],
    )
    data.update(overrides)
    return Scenario.model_validate(data)


def test_valid_scenario_builds_indexes():
    s = _scenario()
    assert s.expert_by_id["e1"].role == Role.MEDIATOR
    assert s.case_by_id["k1"].category == Category.LABOR


def test_unknown_home_center_names_field_and_value():
    with pytest.raises(ValidationError) as err:
        _scenario(experts=[dict(id="e1", name="E", role="mediator", categories={"labor": 3}, home_center="nowhere")])
    (e,) = err.value.errors()
    assert e["loc"] == ("experts", 0, "home_center")
    assert e["input"] == "nowhere"


def test_industry_mediator_fills_only_their_industry():
    im = Expert(id="i", name="I", role="industry_mediator", industry="medical", categories={"medical": 4}, home_center="d")
    assert im.can_fill(Role.INDUSTRY_MEDIATOR, Category.MEDICAL)
    assert im.can_fill(Role.MEDIATOR, Category.MEDICAL)
    assert not im.can_fill(Role.INDUSTRY_MEDIATOR, Category.LABOR)


def test_center_model_is_immutable():
    c = Center(id="d", name="D", level="district", lat=1, lon=1)
    with pytest.raises(ValidationError):
        c.name = "x"  # type: ignore[misc]


def test_case_deadline_before_receipt_is_rejected():
    with pytest.raises(ValidationError, match="deadline 2024-02-01 is before received 2024-03-01"):
        Case(id="k", category="labor", center="d", received=dt.datetime(2024, 3, 1, 9), deadline=dt.date(2024, 2, 1))
