"""Where replications run: in this process, or on a Dask distributed cluster.

A runner maps a top-level function over argument tuples and returns the results in task order, so a
report never depends on which worker finished first. Every replication seeds itself from its own
key (:class:`~matcher.simulation.arrivals.RandomStreams`), so the results are the same whatever the
runner and the number of workers (tested).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

Progress = Callable[[int, int], None]  # (tasks done, tasks in all)


class Runner(Protocol):
    def map(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], progress: Progress | None = None) -> list[Any]:
        ...


class SerialRunner:
    """Runs every task here, one after the other."""

    workers = 1

    def __enter__(self) -> SerialRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], progress: Progress | None = None) -> list[Any]:
        out = []
        for i, args in enumerate(tasks):
            out.append(fn(*args))
            if progress is not None:
                progress(i + 1, len(tasks))
        return out


class DaskRunner:
    """Runs tasks on Dask distributed: a ``LocalCluster`` of ``n_workers`` single-threaded worker
    processes by default, or the cluster whose scheduler is at ``address`` (``tcp://host:8786``).

    Use as a context manager (the local cluster is closed on exit). Large arguments (scenarios) are
    sent to the workers once and shared by every task that names them.
    """

    def __init__(self, address: str | None = None, n_workers: int = 2, *, dashboard: bool = False) -> None:
        if address is None and n_workers < 1:
            raise ValueError(f"n_workers must be >= 1, got {n_workers}")
        self.address, self.n_workers, self.dashboard = address, n_workers, dashboard
        self._cluster: Any = None
        self._client: Any = None

    def __enter__(self) -> DaskRunner:
        from dask.distributed import Client, LocalCluster

        if self.address:
            self._client = Client(self.address)
        else:
            # One thread per worker process: CP-SAT and numpy hold the GIL for long stretches, so
            # processes, not threads, are what scale.
            self._cluster = LocalCluster(n_workers=self.n_workers, threads_per_worker=1, processes=True,
                                         dashboard_address=":0" if self.dashboard else None)
            self._client = Client(self._cluster)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None

    @property
    def workers(self) -> int:
        if self._client is None:
            return self.n_workers
        return len(self._client.scheduler_info()["workers"])

    def map(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], progress: Progress | None = None) -> list[Any]:
        if self._client is None:
            with self:
                return self.map(fn, tasks, progress)
        from dask.distributed import as_completed

        client = self._client
        shared: dict[int, Any] = {}  # id(argument) -> its future, for arguments worth sending once

        def ship(arg: Any) -> Any:
            if not _large(arg):
                return arg
            if id(arg) not in shared:
                shared[id(arg)] = client.scatter(arg, broadcast=True, hash=False)
            return shared[id(arg)]

        futures = [client.submit(fn, *[ship(a) for a in args], pure=False, priority=-i) for i, args in enumerate(tasks)]
        index = {f.key: i for i, f in enumerate(futures)}
        out: list[Any] = [None] * len(tasks)
        for done, fut in enumerate(as_completed(futures), start=1):
            out[index[fut.key]] = fut.result()
            if progress is not None:
                progress(done, len(tasks))
        return out


def _large(arg: Any) -> bool:
    from matcher.domain import Scenario

    return isinstance(arg, Scenario)


def make_runner(workers: int = 1, scheduler: str | None = None) -> SerialRunner | DaskRunner:
    """In-process for one worker and no scheduler; Dask otherwise."""
    if scheduler:
        return DaskRunner(address=scheduler)
    if workers <= 1:
        return SerialRunner()
    return DaskRunner(n_workers=workers)
