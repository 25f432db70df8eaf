"""The GAP benchmark script itself: line format, and solution files that are feasible and match the
printed objective (checked here with the instance reader, not with the script's own verifier)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from matcher.io.gap import read_gap_file

ROOT = Path(__file__).resolve().parents[1]
GAP1 = ROOT.parent / "shared" / "benchmarks" / "gap" / "orlib" / "gap1.txt"
#: OR-Library's proven maximisation optima of gap1 (problems 1–5).
GAP1_MAX_OPTIMA = {"gap1-1": 336, "gap1-2": 327, "gap1-3": 339, "gap1-4": 341, "gap1-5": 326}

LINE = re.compile(r"^(?P<name>\S+) (?P<objective>-?\d+|NA) (?P<bound>-?\d+|NA) (?P<seconds>\d+\.\d\d)$")

pytestmark = pytest.mark.skipif(not GAP1.exists(), reason=f"benchmark data not found at {GAP1}")


@pytest.mark.parametrize("sense", ["--max", "--min"])
def test_gap1_lines_and_solution_files(tmp_path, sense):
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "gap_bench.py"), str(GAP1), sense, "--time-limit", "2",
         "--seed", "1", "--workers", "2", "--solutions-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert out.returncode == 0, out.stderr + out.stdout
    results = [line for line in out.stdout.splitlines() if not line.startswith("#")]
    instances = {inst.name: inst for inst in read_gap_file(GAP1)}
    assert len(results) == len(instances) == 5
    for text in results:
        m = LINE.match(text)
        assert m, f"bad line {text!r}"
        name = m["name"]
        assert m["objective"] != "NA", text
        objective, seconds = int(m["objective"]), float(m["seconds"])
        assert seconds < 2 + 5  # the limit plus model-building slack
        agents = np.array([int(x) for x in (tmp_path / f"{name}.txt").read_text().split()])
        inst = instances[name]
        assert len(agents) == inst.jobs and inst.is_feasible(agents)
        assert inst.objective(agents) == objective
        if sense == "--max":
            # No feasible assignment can beat the proven optimum; the bound may not undercut it.
            assert objective <= GAP1_MAX_OPTIMA[name]
            if m["bound"] != "NA":
                assert int(m["bound"]) >= GAP1_MAX_OPTIMA[name]


def test_default_sense_is_minimisation(tmp_path):
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "gap_bench.py"), str(GAP1), "--time-limit", "2"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("# gap_bench sense=min")
    # gap1 problem 1 as cost minimisation: 261 (proven optimum), never below it.
    first = next(line for line in out.stdout.splitlines() if line.startswith("gap1-1 "))
    assert int(first.split()[1]) >= 261
