"""Generalized assignment (GAP) instances in the OR-Library and Yagiura formats.

OR-Library files start with the number of problems P, then P times: ``m n``, the m×n cost matrix,
the m×n resource matrix and the m capacities. Yagiura files hold one problem without the leading P.
Line breaks carry no meaning: both are read as one stream of integers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class GapInstance:
    """Assign each of n jobs to one of m agents; agent i's jobs use at most capacity[i]."""

    name: str
    cost: np.ndarray  # (m, n) int: cost (or profit) of giving job j to agent i
    usage: np.ndarray  # (m, n) int: capacity job j uses on agent i
    capacity: np.ndarray  # (m,) int

    @property
    def agents(self) -> int:
        return int(self.cost.shape[0])

    @property
    def jobs(self) -> int:
        return int(self.cost.shape[1])

    def objective(self, agent_of_job: np.ndarray) -> int:
        return int(self.cost[agent_of_job, np.arange(self.jobs)].sum())

    def is_feasible(self, agent_of_job: np.ndarray) -> bool:
        if agent_of_job.shape != (self.jobs,) or agent_of_job.min() < 0 or agent_of_job.max() >= self.agents:
            return False
        load = np.bincount(agent_of_job, weights=self.usage[agent_of_job, np.arange(self.jobs)], minlength=self.agents)
        return bool((load <= self.capacity).all())


def _parse_one(tokens: list[int], pos: int, name: str) -> tuple[GapInstance, int]:
    m, n = tokens[pos], tokens[pos + 1]
    pos += 2
    need = 2 * m * n + m
    if m <= 0 or n <= 0 or pos + need > len(tokens):
        raise ValueError(f"{name}: truncated or malformed GAP data (m={m}, n={n})")
    cost = np.array(tokens[pos : pos + m * n], dtype=np.int64).reshape(m, n)
    pos += m * n
    usage = np.array(tokens[pos : pos + m * n], dtype=np.int64).reshape(m, n)
    pos += m * n
    capacity = np.array(tokens[pos : pos + m], dtype=np.int64)
    pos += m
    return GapInstance(name, cost, usage, capacity), pos


def read_gap_file(path: str | Path) -> list[GapInstance]:
    """Read either format. OR-Library problems are named ``gap1-3`` (problem 3 of gap1.txt)."""
    path = Path(path)
    tokens = [int(t) for t in path.read_text().split()]
    stem = path.stem
    # Yagiura: exactly one problem, no leading count. OR-Library: P first.
    if len(tokens) >= 2 and len(tokens) == 2 + 2 * tokens[0] * tokens[1] + tokens[0]:
        inst, _ = _parse_one(tokens, 0, stem)
        return [inst]
    count, pos, out = tokens[0], 1, []
    for k in range(1, count + 1):
        inst, pos = _parse_one(tokens, pos, f"{stem}-{k}")
        out.append(inst)
    if pos != len(tokens):
        raise ValueError(f"{path}: {len(tokens) - pos} numbers left over after {count} problems")
    return out
