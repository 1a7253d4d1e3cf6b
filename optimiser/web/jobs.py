"""The bounded pool of worker processes that runs solves.

Processes, not threads: a solve that crashes (or is killed for memory) breaks its worker, not
the server; the pool is then made again for the next run. The queue is bounded: past
`workers + queue` unfinished runs, `submit` refuses (the API answers 503 with Retry-After)
rather than letting requests pile up without end.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from optimiser.web.worker import RUNNING_MARK, Job


def _call(task: Job) -> str:
    """Run a task in the worker: any picklable object with `run_id`, `run_dir`, `execute()`."""
    return task.execute()


class PoolFull(Exception):
    """Too many runs waiting: try again later."""


class RunPool:
    """Submit runs, and say whether each is queued, running or finished."""

    def __init__(self, workers: int, queue: int,
                 on_crash: Callable[[Job, BaseException], None] | None = None) -> None:
        self.workers, self.queue, self.on_crash = workers, queue, on_crash
        self._executor: ProcessPoolExecutor | None = None
        self._futures: dict[str, tuple[Job, Future]] = {}
        self._lock = threading.Lock()

    def _pool(self, fresh: bool = False) -> ProcessPoolExecutor:
        if self._executor is None or fresh:
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"))
        return self._executor

    def unfinished(self) -> int:
        """Runs queued or running."""
        return sum(not future.done() for _, future in self._futures.values())

    def submit(self, job: Job) -> None:
        """Queue a run; PoolFull when the queue is full."""
        with self._lock:
            if self.unfinished() >= self.workers + self.queue:
                raise PoolFull
            try:
                future = self._pool().submit(_call, job)
            except (BrokenProcessPool, RuntimeError):  # a crash broke it: make a new one
                future = self._pool(fresh=True).submit(_call, job)
            self._futures[job.run_id] = (job, future)
        future.add_done_callback(lambda done: self._finished(job, done))

    def _finished(self, job: Job, future: Future) -> None:
        if future.cancelled():
            return
        error = future.exception()
        if error is not None and self.on_crash is not None:
            self.on_crash(job, error)

    def state(self, run_id: str) -> str | None:
        """`queued`, `running`, `done`, `crashed`, `cancelled`, or None (not in this pool)."""
        entry = self._futures.get(run_id)
        if entry is None:
            return None
        job, future = entry
        if future.cancelled():
            return "cancelled"
        if not future.done():
            return "running" if (job.run_dir / RUNNING_MARK).exists() else "queued"
        return "crashed" if future.exception() is not None else "done"

    def cancel(self, run_id: str) -> bool:
        """Cancel a queued run (a running one finishes)."""
        entry = self._futures.get(run_id)
        return entry is not None and entry[1].cancel()

    def shutdown(self) -> None:
        """Stop the workers; queued runs are dropped."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
