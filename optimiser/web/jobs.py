"""The bounded pool of worker processes that runs solves: one spawned process per task.

A process per task, not a long-lived pool: a task can then be cancelled while it runs (its
process is terminated, then killed after a short grace) without breaking the other runs, and
a task that crashes (os._exit, killed for memory) takes nothing down but itself. At most
`workers` processes run at once; at most `queue` more tasks wait, started first in, first
out; past that `submit` refuses with PoolFull (the API answers 503 with Retry-After) rather
than letting requests pile up without end.

A task is any picklable object with `run_id: str`, `run_dir: Path` and `execute() -> str`,
called in the child (worker.Job for a solve; the sweep pages submit their own kind).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Protocol

GRACE_S = 5.0
"""A cancelled child has this long to end after SIGTERM before SIGKILL: a task's own SIGTERM
handler (a sweep writes the points it has) runs only once the solver returns to Python."""
KEEP_FINISHED = 1000
"""Finished tasks remembered for `state` (their runs are in the registry by then)."""
WAKE_S = 1.0
"""The dispatcher looks round at least this often even when nothing wakes it."""
ERROR_CHARS = 2000

log = logging.getLogger(__name__)


class Task(Protocol):
    """What the pool runs: picklable, identified by its run id, executed in the child."""

    run_id: str
    run_dir: Path

    def execute(self) -> str:
        """The work, in the worker process; returns a short result (a run's status)."""


class PoolFull(Exception):
    """Too many runs waiting: try again later."""


class WorkerStopped(Exception):
    """The worker process ended without finishing its task (the message says how)."""


@dataclass
class _Entry:
    """One task's life in the pool."""

    task: Any
    queued_at: datetime
    state: str = "queued"
    started_at: datetime | None = None
    finished_at: datetime | None = None
    process: BaseProcess | None = None
    reader: Connection | None = None
    kill_at: float | None = None
    result: str | None = None


def _child(task: Task, writer: Connection) -> None:
    """The worker process: its own process group (a cancel reaches what it starts), the task,
    and its result or error sent back on the pipe."""
    try:
        os.setpgid(0, 0)
    except OSError:  # pragma: no cover - not permitted (e.g. already a group leader)
        pass
    try:
        result = task.execute()
    except BaseException as exc:
        traceback.print_exc()
        writer.send(("error", f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]))
        sys.exit(1)
    writer.send(("done", str(result)[:ERROR_CHARS]))


def _stopped_how(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"the worker process was killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"the worker process was killed by signal {-exitcode}"
    return f"the worker process exited with code {exitcode} before finishing"


def _signal(process: BaseProcess, signum: int) -> None:
    """Signal the child's process group (the child and anything it started), else the child."""
    if process.pid is None:
        return
    try:
        os.killpg(process.pid, signum)
    except (ProcessLookupError, PermissionError):  # not (yet) a group leader
        try:
            os.kill(process.pid, signum)
        except ProcessLookupError:
            pass


class RunPool:
    """Submit runs, cancel them, and say whether each is queued, running or finished."""

    def __init__(self, workers: int, queue: int,
                 on_crash: Callable[[Any, BaseException], None] | None = None) -> None:
        self.workers, self.queue, self.on_crash = max(1, workers), max(0, queue), on_crash
        self._context = multiprocessing.get_context("spawn")
        self._entries: dict[str, _Entry] = {}
        self._waiting: deque[str] = deque()
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = self._context.Pipe(duplex=False)
        self._wake_lock = threading.Lock()
        self._woken = False
        self._thread: threading.Thread | None = None
        self._closed = False

    # -- asked by the service -------------------------------------------------------------

    def unfinished(self) -> int:
        """Runs queued or running (a cancelled process still ending counts until it ends)."""
        with self._lock:
            return len(self._waiting) + len(self._live())

    def submit(self, task: Task) -> None:
        """Queue a task; PoolFull when `workers + queue` are unfinished already."""
        with self._lock:
            if self._closed:
                raise PoolFull
            if len(self._waiting) + len(self._live()) >= self.workers + self.queue:
                raise PoolFull
            if self.state(task.run_id) in ("queued", "running"):
                raise ValueError(f"{task.run_id} is in the pool already")
            self._entries[task.run_id] = _Entry(task, datetime.now(UTC))
            self._waiting.append(task.run_id)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="run-dispatcher",
                                                daemon=True)
                self._thread.start()
        self._wake()

    def active(self) -> list[str]:
        """Ids of the tasks queued or running, in the order they were submitted."""
        with self._lock:
            return [run_id for run_id, entry in self._entries.items()
                    if entry.state in ("queued", "running")]

    def state(self, run_id: str) -> str | None:
        """`queued`, `running`, `done`, `crashed`, `cancelled`, or None (not in this pool)."""
        entry = self._entries.get(run_id)
        return entry.state if entry is not None else None

    def task(self, run_id: str) -> Any | None:  # noqa: ANN401 - any task kind
        """The task submitted under this id (None when not in this pool)."""
        entry = self._entries.get(run_id)
        return entry.task if entry is not None else None

    def info(self, run_id: str) -> dict[str, Any] | None:
        """State, when queued and started, place in the queue (1 = next) and the child's pid."""
        with self._lock:
            entry = self._entries.get(run_id)
            if entry is None:
                return None
            position = (self._waiting.index(run_id) + 1 if entry.state == "queued" else None)
            pid = entry.process.pid if entry.process is not None else None
            return {"state": entry.state, "queued_at": entry.queued_at,
                    "started_at": entry.started_at, "finished_at": entry.finished_at,
                    "position": position, "pid": pid, "result": entry.result}

    def cancel(self, run_id: str) -> bool:
        """Cancel a queued task (it never starts) or a running one (its process is terminated,
        killed after GRACE_S). False when the task is unknown or already finished."""
        with self._lock:
            entry = self._entries.get(run_id)
            if entry is None or entry.state not in ("queued", "running"):
                return False
            if entry.state == "queued":
                self._waiting.remove(run_id)
            elif entry.process is not None:
                _signal(entry.process, signal.SIGTERM)
                entry.kill_at = time.monotonic() + GRACE_S
            entry.state, entry.finished_at = "cancelled", datetime.now(UTC)
        self._wake()
        return True

    def shutdown(self) -> list[Any]:
        """Stop: queued tasks are dropped, running children terminated (then killed) and
        reaped, so none is left behind. Returns the tasks that did not finish."""
        with self._lock:
            self._closed = True
            thread = self._thread
        self._wake()
        if thread is not None:
            thread.join(timeout=10)
        dropped = []
        with self._lock:
            for run_id in self._waiting:
                entry = self._entries[run_id]
                entry.state, entry.finished_at = "cancelled", datetime.now(UTC)
                dropped.append(entry.task)
            self._waiting.clear()
            live = self._live()
            for entry in live:
                _signal(entry.process, signal.SIGTERM)
            deadline = time.monotonic() + GRACE_S
            for entry in live:
                entry.process.join(max(0.0, deadline - time.monotonic()))
                if entry.process.is_alive():
                    _signal(entry.process, signal.SIGKILL)
                    entry.process.join()
                if entry.state == "running":
                    finished = self._read_result(entry)
                    if finished is None:
                        entry.state = "cancelled"
                        dropped.append(entry.task)
                self._release(entry)
        with self._wake_lock:
            self._wake_r.close()
            self._wake_w.close()
        return dropped

    # -- the dispatcher thread ------------------------------------------------------------

    def _wake(self) -> None:
        """Wake the dispatcher (one wake pending at most: the pipe never fills)."""
        with self._wake_lock:
            if self._woken or self._wake_w.closed:
                return
            self._wake_w.send_bytes(b"")
            self._woken = True

    def _live(self) -> list[_Entry]:
        """Entries whose process is not reaped yet (lock held)."""
        return [e for e in self._entries.values() if e.process is not None]

    def _loop(self) -> None:
        """Start waiting tasks while there is room, reap the children that end."""
        while True:
            with self._lock:
                if self._closed:
                    return
                started_failed = self._start_waiting()
                live = self._live()
                timeout = self._escalate(live)
                sentinels = {entry.process.sentinel: entry for entry in live}
            for entry, error in started_failed:
                self._crashed(entry, error)
            try:
                ready = wait([self._wake_r, *sentinels], timeout)
            except OSError:  # the wake pipe closed under us: shutting down
                return
            for item in ready:
                if item is self._wake_r:
                    self._drain()
                else:
                    self._reap(sentinels[item])

    def _start_waiting(self) -> list[tuple[_Entry, BaseException]]:
        """Start queued tasks FIFO up to `workers` (lock held); the ones that failed to."""
        failed = []
        while self._waiting and len(self._live()) < self.workers:
            entry = self._entries[self._waiting.popleft()]
            reader, writer = self._context.Pipe(duplex=False)
            process = self._context.Process(target=_child, args=(entry.task, writer),
                                            name=f"run-{entry.task.run_id}")
            try:
                process.start()
            except Exception as exc:  # noqa: BLE001 - no process (out of memory, pids): crashed
                reader.close()
                entry.state, entry.finished_at = "running", datetime.now(UTC)
                failed.append((entry, WorkerStopped(f"the worker process did not start: {exc}")))
                continue
            finally:
                writer.close()
            entry.process, entry.reader = process, reader
            entry.state, entry.started_at = "running", datetime.now(UTC)
        return failed

    def _escalate(self, live: list[_Entry]) -> float:
        """SIGKILL cancelled children past their grace (lock held); seconds to the next one."""
        now, timeout = time.monotonic(), WAKE_S
        for entry in live:
            if entry.kill_at is None:
                continue
            if now >= entry.kill_at:
                _signal(entry.process, signal.SIGKILL)
                entry.kill_at = None
            else:
                timeout = min(timeout, entry.kill_at - now)
        return timeout

    def _drain(self) -> None:
        with self._wake_lock:
            try:
                while not self._wake_r.closed and self._wake_r.poll():
                    self._wake_r.recv_bytes()
            except (OSError, EOFError):
                pass
            self._woken = False

    def _reap(self, entry: _Entry) -> None:
        """A child ended: done, crashed (on_crash is told) or, if cancelled, just gone."""
        with self._lock:
            entry.process.join()
            outcome = self._read_result(entry) if entry.state == "running" else None
            crashed = entry.state == "running" and outcome is None
            error = WorkerStopped(entry.result or _stopped_how(entry.process.exitcode))
            entry.finished_at = entry.finished_at or datetime.now(UTC)
            if outcome is not None:
                entry.state = "done"
            self._release(entry)
            self._forget_old()
        if crashed:
            self._crashed(entry, error)

    def _read_result(self, entry: _Entry) -> str | None:
        """The child's result if it finished its task, else None (its error kept in result)."""
        message = None
        try:
            if entry.reader is not None and entry.reader.poll():
                message = entry.reader.recv()
        except (OSError, EOFError):
            message = None
        if message is not None and message[0] == "done" and entry.process.exitcode == 0:
            entry.result = message[1]
            return message[1]
        if message is not None and message[0] == "error":
            entry.result = f"the task failed in the worker process: {message[1]}"
        return None

    def _release(self, entry: _Entry) -> None:
        if entry.reader is not None:
            entry.reader.close()
        if entry.process is not None:
            entry.process.close()
        entry.process, entry.reader, entry.kill_at = None, None, None

    def _forget_old(self) -> None:
        """Keep at most KEEP_FINISHED finished entries, dropping the oldest (lock held)."""
        finished = [run_id for run_id, e in self._entries.items()
                    if e.state not in ("queued", "running") and e.process is None]
        for run_id in finished[:max(0, len(finished) - KEEP_FINISHED)]:
            del self._entries[run_id]

    def _crashed(self, entry: _Entry, error: BaseException) -> None:
        """Tell on_crash, then say `crashed`: whoever sees that state finds the crash recorded."""
        log.error("run %s: %s", entry.task.run_id, error)
        try:
            if self.on_crash is not None:
                self.on_crash(entry.task, error)
        except Exception:  # noqa: BLE001 - the dispatcher must keep going
            log.exception("run %s: recording the crash failed", entry.task.run_id)
        finally:
            with self._lock:
                if entry.state == "running":
                    entry.state = "crashed"
