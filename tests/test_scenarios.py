"""The bundled scenarios: sizes match the reports, files regenerate exactly, schema, CLI."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache

import jsonschema
import pytest

from matcher.cli import main
from matcher.domain import Role
from matcher.scenarios import bundled_scenarios, generate_cases, generate_scenario, json_schema, load_scenario, scenario_dir
from matcher.scenarios.io import dumps

NAMES = ["baoan", "jinwan", "sajin", "jinzhou"]


@cache
def scenario(name: str):  # type: ignore[no-untyped-def]
    return load_scenario(name)


def test_all_four_are_bundled():
    assert set(NAMES) <= set(bundled_scenarios())


def levels(name: str) -> Counter:  # type: ignore[type-arg]
    return Counter(c.level.value for c in scenario(name).centers)


def test_baoan_matches_the_report_figures():
    s = scenario("baoan")
    assert levels("baoan") == {"district": 1, "street": 10, "community": 124}  # 1+10+124
    assert len(s.courts) == 5 and all(c.center for c in s.courts)  # 5 sub-centers at 5 tribunals
    assert 1150 <= len(s.experts) <= 1350  # 1,200+ experts
    industries = {e.industry.value for e in s.experts if e.role == Role.INDUSTRY_MEDIATOR}
    assert industries == {"commercial", "medical", "intellectual_property", "marriage_family", "road_traffic", "labor"}
    communities = {c.id for c in s.centers if c.level.value == "community"}
    counselor_homes = Counter(e.home_center for e in s.experts if e.role == Role.COUNSELOR)
    assert all(counselor_homes[c] >= 1 for c in communities)  # one counselor per community
    assert 50 <= len(s.judges) <= 70
    assert 340 <= len(s.cases) <= 400 and abs(sum(a.per_day for a in s.arrivals) - 370) < 1  # ~370 a day
    assert s.rotation


def test_jinwan_sajin_jinzhou_match_the_report_figures():
    jw = scenario("jinwan")
    towns = {c.name.split(" ")[1] for c in jw.centers if c.level.value == "street"}
    assert towns == {"Sanzao", "Hongqi", "Nanshui", "Pingsha"}
    assert len(jw.judges) == 3 and all(c.fixed_judge_slots for c in jw.centers if c.level.value == "street")
    sj = scenario("sajin")
    assert levels("sajin") == {"street": 1, "community": 5}
    assert sum(1 for e in sj.experts if e.role in (Role.MEDIATOR, Role.LEGAL_LITERATE)) == 31
    yearly = Counter()
    for a in sj.arrivals:
        yearly[a.category.value] += a.per_day * 365
    assert round(yearly["marriage_family"]) == 186 and round(yearly["labor"]) == 68 and round(yearly["education"]) == 17
    jz = scenario("jinzhou")
    assert levels("jinzhou") == {"city": 1, "district": 9, "street": 117, "community": 1366}
    assert sum(1 for e in jz.experts if e.role == Role.MEDIATOR) == 6749


@pytest.mark.parametrize("name", NAMES)
def test_regenerating_with_the_recorded_seed_reproduces_the_file(name):
    committed = (scenario_dir() / f"{name}.json").read_text(encoding="utf-8")
    s = scenario(name)
    assert dumps(generate_scenario(name, s.seed)) == committed


def test_another_seed_gives_another_world():
    assert dumps(generate_scenario("sajin", 1)) != dumps(generate_scenario("sajin", 2))


def test_generated_cases_are_deterministic_and_servable():
    s = scenario("jinwan")
    a, b = generate_cases(s, 200, seed=5), generate_cases(s, 200, seed=5)
    assert a == b and a != generate_cases(s, 200, seed=6)
    s.replace(cases=[c.model_dump(mode="json") for c in a])  # the validator checks servability
    judge_cases = [c for c in a if Role.JUDGE in c.needs_roles]
    rotated = {r.center for r in s.rotation}
    assert all(c.center in rotated for c in judge_cases)


def test_committed_schema_is_current_and_every_file_validates():
    committed = json.loads((scenario_dir() / "schema" / "scenario.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema()
    for name in NAMES:
        jsonschema.validate(json.loads((scenario_dir() / f"{name}.json").read_text(encoding="utf-8")), committed)


def test_cli_validate_passes_and_fails_with_the_field(tmp_path, capsys):
    assert main(["scenario", "validate", str(scenario_dir() / "sajin.json")]) == 0
    data = json.loads((scenario_dir() / "sajin.json").read_text(encoding="utf-8"))
    data["experts"][3]["home_center"] = "atlantis"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    assert main(["scenario", "validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "experts.3.home_center = 'atlantis': unknown center id" in err


def test_cli_validate_truncated_file(tmp_path, capsys):
    bad = tmp_path / "cut.json"
    bad.write_text((scenario_dir() / "sajin.json").read_text()[:500])
    assert main(["scenario", "validate", str(bad)]) == 1
    assert "invalid" in capsys.readouterr().err


def test_cli_show_and_list(capsys):
    assert main(["scenario", "show", "sajin"]) == 0
    out = capsys.readouterr().out
    assert "1 street, 5 community" in out and "legal_literate" in out
    assert main(["scenario", "list"]) == 0
    assert "jinzhou" in capsys.readouterr().out
    assert main(["scenario", "show", "nowhere"]) == 1


def test_yaml_scenario_files_load_like_json(tmp_path):
    import yaml

    path = tmp_path / "sajin.yaml"
    path.write_text(yaml.safe_dump(scenario("sajin").model_dump(mode="json"), allow_unicode=True), encoding="utf-8")
    assert load_scenario(path) == scenario("sajin")


def test_a_broken_yaml_file_or_a_directory_is_a_value_error_naming_the_path(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("experts: [1,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="broken.yaml.*not valid YAML"):
        load_scenario(bad)
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    with pytest.raises(ValueError, match="is a directory"):
        load_scenario(folder)
