"""solve_gap: proven optima on small OR-Library instances (both senses) and a hand-solved toy."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from matcher.assignment.core import SolveStatus
from matcher.assignment.gap import solve_gap
from matcher.io.gap import GapInstance, read_gap_file

DATA = Path("/work/shared/benchmarks/gap")


def test_toy_instance_optimum_by_hand():
    # Every job uses 3 units: agent 0 (capacity 5) fits one job, agent 1 (capacity 6) two.
    # Costs: on agent 0 = [1, 5, 5], on agent 1 = [4, 1, 1].
    # Best: job 0 → agent 0 (1), jobs 1, 2 → agent 1 (1 + 1) = 3.
    inst = GapInstance("toy", np.array([[1, 5, 5], [4, 1, 1]]), np.full((2, 3), 3), np.array([5, 6]))
    s = solve_gap(inst, maximize=False, time_limit_s=5, workers=2, seed=0)
    assert s.status == SolveStatus.OPTIMAL and s.objective == 3 and s.bound == 3
    assert s.agent_of_job.tolist() == [0, 1, 1]


def test_infeasible_instance_reports_status():
    # Two jobs of 3 units each fit the one agent (capacity 5) alone, never together.
    inst = GapInstance("nope", np.ones((1, 2), int), np.full((1, 2), 3), np.array([5]))
    s = solve_gap(inst, maximize=False, time_limit_s=2, workers=1, seed=0)
    assert s.status == SolveStatus.INFEASIBLE and s.objective is None


@pytest.mark.skipif(not DATA.exists(), reason="shared GAP data not present")
@pytest.mark.parametrize("sense", ["min", "max"])
def test_orlib_gap1_proven_optimal(sense):
    best = {(r["instance"], int(r["problem_index"]), r["sense"]): int(r["best_known"])
            for r in csv.DictReader((DATA / "BEST_KNOWN.csv").open())}
    for k, inst in enumerate(read_gap_file(DATA / "orlib" / "gap1.txt"), start=1):
        s = solve_gap(inst, maximize=sense == "max", time_limit_s=5, workers=2, seed=0)
        assert inst.is_feasible(s.agent_of_job)
        assert s.status == SolveStatus.OPTIMAL
        assert s.objective == best["gap1", k, sense] == s.bound
