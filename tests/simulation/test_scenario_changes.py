"""Variant files: each change on its smallest case, errors naming the change, the bundled library."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.domain import Category, Role
from matcher.scenarios import load_scenario
from matcher.simulation import SimulationParams
from matcher.simulation.arrivals import ArrivalProcess
from matcher.simulation.variants import ScenarioVariant, VariantError, apply_variant, load_variant

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios" / "variants"


def apply(*changes: dict, base: str = "sajin"):  # type: ignore[no-untyped-def]
    return apply_variant(ScenarioVariant.model_validate(dict(name="v", base=base, changes=list(changes))))


def test_add_experts_copies_the_nearest_of_the_role() -> None:
    before = load_scenario("sajin")
    scen, _ = apply({"add_experts": {"role": "counselor", "center": "sajin_c4", "count": 2}})
    new = [e for e in scen.experts if e.id.startswith("new.")]
    assert len(scen.experts) == len(before.experts) + 2
    assert [e.id for e in new] == ["new.counselor.sajin_c4.1", "new.counselor.sajin_c4.2"]
    assert all(e.role == Role.COUNSELOR and e.home_center == "sajin_c4" and e.open_cases == 0 for e in new)
    # The copies keep their template's skills (a counselor of the scenario).
    assert any(new[0].categories == e.categories and new[0].max_open_cases == e.max_open_cases
               for e in before.experts if e.role == Role.COUNSELOR)


def test_remove_experts_takes_the_last_listed_and_refuses_too_many() -> None:
    before = load_scenario("sajin")
    mediators = [e.id for e in before.experts if e.role == Role.MEDIATOR]
    scen, _ = apply({"remove_experts": {"role": "mediator", "count": 3}})
    left = [e.id for e in scen.experts if e.role == Role.MEDIATOR]
    assert left == mediators[:-3]
    with pytest.raises(VariantError, match=r"changes.0.remove_experts.count = 99: only 16 mediator\(s\) to remove"):
        apply({"remove_experts": {"role": "mediator", "count": 99}})


def test_scale_arrivals_all_year_by_month_and_by_category() -> None:
    import datetime as dt

    base = load_scenario("sajin")
    _, p = apply({"scale_arrivals": {"factor": 2}})
    assert p.arrival_scale == 2
    _, p = apply({"scale_arrivals": {"factor": 3, "categories": ["labor"], "months": [1]}})
    proc = ArrivalProcess(base, p)
    plain = ArrivalProcess(base, SimulationParams())
    jan, mar = dt.date(2025, 1, 20), dt.date(2025, 3, 20)
    labor = [i for i, (_, c) in enumerate(proc.keys) if c == Category.LABOR]
    other = [i for i, (_, c) in enumerate(proc.keys) if c != Category.LABOR]
    assert labor and other
    assert proc.rates(jan)[labor] == pytest.approx(3 * plain.rates(jan)[labor])
    assert proc.rates(jan)[other] == pytest.approx(plain.rates(jan)[other])
    assert proc.rates(mar) == pytest.approx(plain.rates(mar))
    _, p = apply({"scale_arrivals": {"factor": 0.5, "centers": ["sajin_c2"]}})
    proc = ArrivalProcess(base, p)
    at = [i for i, (z, _) in enumerate(proc.keys) if z == "sajin_c2"]
    assert proc.rates(mar)[at] == pytest.approx(0.5 * plain.rates(mar)[at])


def test_judge_rotation_replans_the_calendar() -> None:
    scen, _ = apply({"judge_rotation": {"halfdays_per_week": 2, "weeks": 2, "time_limit_s": 5}})
    assert scen.center_by_id["sajin"].judge_halfdays_per_week == 2
    by_week: dict[int, int] = {}
    for r in scen.rotation:
        assert r.center == "sajin"
        by_week[r.slot.date.isocalendar()[1]] = by_week.get(r.slot.date.isocalendar()[1], 0) + 1
    assert len(by_week) == 2 and set(by_week.values()) == {2}


def test_add_rooms_and_params() -> None:
    scen, p = apply({"add_rooms": {"level": "community", "count": 2}}, {"params": {"sick_leave_rate": 0.01}})
    base = load_scenario("sajin")
    for c, b in zip(scen.centers, base.centers):
        assert c.rooms == b.rooms + (2 if c.level.value == "community" else 0)
    assert p.sick_leave_rate == 0.01
    with pytest.raises(VariantError, match="changes.0.params.sick_leave_rate = 3"):
        apply({"params": {"sick_leave_rate": 3}})


@pytest.mark.parametrize("change, message", [
    ({"add_experts": {"role": "counselor", "center": "atlantis", "count": 1}}, "changes.0.add_experts.center = 'atlantis': unknown center id"),
    ({"add_experts": {"role": "counselor", "center": "sajin", "count": 0}}, "changes.0.add_experts.count = 0"),
    ({"scale_arrivals": {"factor": 2, "months": [13]}}, "months must be 1-12, got 13"),
    ({"teleport": {}}, "changes.0 = 'teleport': unknown change"),
])
def test_errors_name_the_change_and_value(change: dict, message: str) -> None:
    with pytest.raises((VariantError, ValueError), match=message.replace("(", r"\(").replace(")", r"\)")):
        apply(change)


def test_variant_file_with_a_relative_base(tmp_path: Path) -> None:
    (tmp_path / "world.json").write_text(load_scenario("sajin").model_dump_json())
    f = tmp_path / "v.yaml"
    f.write_text("name: local\nbase: world.json\nchanges:\n  - add_rooms: {center: sajin, count: 1}\n")
    scen, _ = apply_variant(load_variant(f))
    assert scen.center_by_id["sajin"].rooms == load_scenario("sajin").center_by_id["sajin"].rooms + 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nbase: sajin\nchanges:\n  - add_experts: {role: wizard, center: sajin, count: 1}\n")
    with pytest.raises(ValueError, match=r"changes.0.add_experts.role = 'wizard'"):
        load_variant(bad)


def test_the_bundled_library_loads_and_the_sajin_variants_apply() -> None:
    files = sorted(LIBRARY.glob("*.yaml"))
    assert len(files) >= 8
    for f in files:
        v = load_variant(f)
        assert v.name and v.base in ("sajin", "baoan")
        if v.base == "sajin" or not any("judge_rotation" in type(c).__name__.lower() or type(c).__name__ == "JudgeRotation"
                                        for c in v.changes):
            scen, _ = apply_variant(v)
            assert scen.experts
