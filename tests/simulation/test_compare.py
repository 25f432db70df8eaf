"""Comparing variants: common random numbers, paired differences, the table and the HTML report."""

from __future__ import annotations

import math
import re

import pytest

from matcher.simulation import SimulationParams
from matcher.simulation.compare import comparison_table, compare_scenarios, paired_differences, significant
from matcher.simulation.kpis import estimate
from matcher.simulation.report import _grouping, render_html
from matcher.simulation.variants import ScenarioVariant

FAST = SimulationParams(time_limit_s=0.5)


def variant(name: str, *changes: dict) -> ScenarioVariant:
    return ScenarioVariant.model_validate(dict(name=name, base="sajin", changes=list(changes)))


@pytest.fixture(scope="module")
def comparison():
    return compare_scenarios(
        [variant("base"), variant("same"), variant("idle-extra", {"add_experts": {"role": "police", "center": "sajin_c3", "count": 2}}),
         variant("double", {"scale_arrivals": {"factor": 2.0}})],
        days=40, replications=3, seed=5, params=FAST, assigner="engine", warmup_days=5,
    )


def test_an_unchanged_variant_differs_by_exactly_zero(comparison) -> None:
    # Same seeds, same scenario: every replication is identical, so every paired difference is 0 ± 0.
    for k, d in comparison.differences["same"].items():
        assert d.mean == 0 or math.isnan(d.mean), k
    for a, b in zip(comparison.variants[0].report.per_replication, comparison.variants[1].report.per_replication):
        a, b = dict(a), dict(b)
        a.pop("solve_seconds"), b.pop("solve_seconds")  # wall time; everything else must match
        assert a == b


def test_common_random_numbers_keep_arrivals_when_only_staff_changes(comparison) -> None:
    d = comparison.differences["idle-extra"]["cases_arrived"]
    assert d.mean == 0 and d.half_width == 0
    base = comparison.base.report.summary["cases_arrived"].mean
    doubled = comparison.variants[3].report.summary["cases_arrived"].mean
    # Poisson with twice the rate: about twice the arrivals (loose: 40 days of a small street).
    assert 1.6 * base < doubled < 2.4 * base
    assert significant(comparison.differences["double"]["cases_arrived"])


def test_paired_difference_is_the_estimate_of_per_replication_differences(comparison) -> None:
    base, other = comparison.base.report, comparison.variants[3].report
    d = paired_differences(base, other)["backlog_mean"]
    by_hand = estimate([o["backlog_mean"] - b["backlog_mean"] for b, o in zip(base.per_replication, other.per_replication)])
    assert d == by_hand
    assert "solve_seconds" not in paired_differences(base, other)


def test_table_shows_every_variant_and_marks_significant_differences(comparison) -> None:
    table = comparison_table(comparison)
    for v in comparison.variants:
        assert v.name in table
    line = next(x for x in table.splitlines() if x.startswith("cases_arrived"))
    assert line.rstrip().endswith("*")  # doubled arrivals: significant
    assert "all arrivals ×2" in table


def test_html_report_is_self_contained_with_plots_and_table(comparison) -> None:
    page = render_html(comparison)
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert page.count("<svg") == 2  # backlog over time, waiting-time distribution
    assert page.count("<polyline") == 2 * len(comparison.variants)
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "") and "https://" not in page
    for v in comparison.variants:
        assert f">{v.name}<" in page
    assert "<script" not in page
    assert "class='sig'" in page  # the doubled arrivals are highlighted


def test_variant_names_must_be_unique() -> None:
    with pytest.raises(ValueError, match="unique.*'a'"):
        compare_scenarios([variant("a"), variant("a")], days=5, replications=1, seed=0)


def test_heatmap_groups_many_centers_under_their_street() -> None:
    centers = [("d", None, "District")] + [(f"s{i}", "d", f"Street {i}") for i in range(3)] + [
        (f"s{i}c{j}", f"s{i}", f"Community {i}.{j}") for i in range(3) for j in range(20)]
    used = {c for c, _, _ in centers}
    group, labels = _grouping(centers, used)
    assert group["s1c7"] == "s1" and group["s2"] == "s2" and group["d"] == "d"
    assert labels["s1"] == "Street 1 (+ subtree)"
    small_group, _ = _grouping(centers[:5], {c for c, _, _ in centers[:5]})
    assert small_group["s1"] == "s1"


def test_report_round_trips_through_json(comparison) -> None:
    from matcher.simulation.compare import ComparisonReport

    again = ComparisonReport.model_validate_json(comparison.model_dump_json())
    assert again.variants[0].report.summary.keys() == comparison.variants[0].report.summary.keys()
    assert re.search(r"\"seed\": ?5", comparison.model_dump_json())
