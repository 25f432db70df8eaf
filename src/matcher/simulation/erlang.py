"""The M/M/c reference the simulator is validated against.

:func:`erlang_c_wait` is the textbook mean wait in queue, ``Wq = C(c, a) / (c·μ − λ)`` with
``a = λ/μ`` and ``C`` the Erlang-C probability of waiting.

The simulator decides once per step (a day): a case arriving during a step waits for the next
morning's batch, and an expert whose (exponential) service ends during a step is free at the next
batch. :func:`batch_queue_wait` computes the exact mean wait of that discretised system (a Markov
chain on the number of cases at each batch: ``Q' = Q − Bin(min(Q, c), 1 − e^{−μh}) + Poisson(λh)``),
which tends to ``Wq`` as the step ``h`` → 0. The difference at ``h = 1`` is the discretisation the
validation accounts for.
"""

from __future__ import annotations

import math

import numpy as np


def erlang_c_probability(c: int, a: float) -> float:
    """P(an arrival waits) in M/M/c with offered load ``a = λ/μ`` (requires ``a < c``)."""
    if not 0 <= a < c:
        raise ValueError(f"offered load a={a} must be in [0, c={c}) for a stable queue")
    term, total = 1.0, 1.0  # a^k / k!, summed for k < c
    for k in range(1, c):
        term *= a / k
        total += term
    last = term * a / c * c / (c - a)  # a^c / c! · c / (c − a)
    return last / (total + last)


def erlang_c_wait(c: int, lam: float, mu: float) -> float:
    """Mean wait in queue of M/M/c (time units of 1/μ)."""
    return erlang_c_probability(c, lam / mu) / (c * mu - lam)


def batch_queue_wait(c: int, lam: float, mu: float, step: float = 1.0, cap: int | None = None) -> float:
    """Exact mean wait (arrival → service start) of the batch-decided system described above."""
    if lam >= c * mu:
        raise ValueError(f"λ={lam} must be below c·μ={c * mu} for a stable queue")
    p = 1.0 - math.exp(-mu * step)
    m = lam * step
    n = cap or int(c + 60 + 40 * m + 20 / max(1e-9, 1 - lam / (c * mu)) * max(1.0, m))
    arrivals = np.array([math.exp(-m + k * math.log(m) - math.lgamma(k + 1)) if m > 0 else float(k == 0)
                         for k in range(n + 1)])
    P = np.zeros((n + 1, n + 1))
    for q in range(n + 1):
        busy = min(q, c)
        done = np.array([math.comb(busy, j) * p**j * (1 - p) ** (busy - j) for j in range(busy + 1)])
        after = np.zeros(n + 1)
        after[q - busy: q + 1] = done[::-1]  # q - j cases remain for j completions
        row = np.convolve(after, arrivals)[: n + 1]
        row[-1] += 1.0 - row.sum()  # truncation: mass beyond the cap stays at the cap
        P[q] = row
    # Stationary distribution: solve π (P − I) = 0 with Σπ = 1.
    A = np.vstack([(P - np.eye(n + 1)).T, np.ones(n + 1)])
    b = np.zeros(n + 2)
    b[-1] = 1.0
    pi = np.linalg.lstsq(A, b, rcond=None)[0]
    waiting = np.maximum(np.arange(n + 1) - c, 0)
    return step / 2 + float(pi @ waiting) / lam
