"""Sweeps made through the service: validated and queued here, solved in a worker process.

A sweep is `optimiser sweep` run for the web: the same PATH=VALUES parser, the same check of
every point before anything is queued (so a bad value is a 422 listing every problem, not a
failure at point 37), the same `run_sweep` and the same folder (`write_sweep`, or
`write_partial` when the worker is stopped midway). Each sweep has a folder under
`<root>/sweeps/<id>`: scenario.yaml, sweep.json (what was asked), progress.json (points done)
and `sweep/` (sweep.csv and its plot). Its id is a run id prefixed with `sweep-`, so it can
never be mistaken for a run in the pool or the registry.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optimiser import limits
from optimiser.errors import InputError, InputIssue
from optimiser.registry.record import new_run_id, now_utc
from optimiser.web.worker import RUNNING_MARK
from optimiser.whatif.paths import PathError, Vary, grid_size, parse_vary
from optimiser.whatif.sweep import SweepSpec, check_points, grid, run_sweep

SCENARIO_FILE = "scenario.yaml"
META_FILE = "sweep.json"
PROGRESS_FILE = "progress.json"
ERROR_FILE = "error.json"
SWEEP_DIR = "sweep"
WEB_POINTS = 200
"""Largest grid the service solves: a sweep occupies a worker for all its points, and the
pages stay readable; bigger grids are for `optimiser sweep`."""
ID_PATTERN = re.compile(r"^sweep-\d{8}-\d{6}-[0-9a-f]{6}$")
UNFINISHED = ("queued", "running")


def point_cap() -> int:
    """The grid size the service accepts: WEB_POINTS, or the CLI's limit when lower."""
    return min(WEB_POINTS, limits.SWEEP_POINTS.value)


def sweeps_dir(root: Path) -> Path:
    """Where the service keeps its sweeps."""
    return root / "sweeps"


def issue(where: str, message: str, value: str | None = None) -> InputIssue:
    """An input problem of the sweep form (not of a file: `where` names the field)."""
    return InputIssue(where, None, None, value, message)


def parse_varies(texts: list[str]) -> tuple[Vary, ...]:
    """`PATH=VALUES` texts (one or two) -> Varies, as `optimiser sweep --vary` reads them;
    InputError naming every bad one, or a grid above point_cap()."""
    texts = [t for t in texts if t.strip()]
    if not texts:
        raise InputError([issue("vary", "give at least one PATH and its values")])
    if len(texts) > 2:
        raise InputError([issue("vary", "at most two PATHs")])
    varies, issues = [], []
    for number, text in enumerate(texts, 1):
        try:
            varies.append(parse_vary(text))
        except PathError as exc:
            issues.append(issue(f"vary {number}", str(exc), text[:200]))
    if issues:
        raise InputError(issues)
    if len({v.path for v in varies}) < len(varies):
        raise InputError([issue("vary", "the same PATH is varied twice", varies[0].path)])
    try:
        count = grid_size(varies)
    except PathError as exc:
        raise InputError([issue("vary", str(exc))]) from exc
    if count > point_cap():
        raise InputError([issue("vary", f"the grid has {count:,} points; the web service "
                                        f"solves at most {point_cap():,} per sweep (use "
                                        "`optimiser sweep` for larger grids)")])
    return tuple(varies)


@dataclass(frozen=True)
class SweepTask:
    """What a worker needs to run one sweep (picklable: it crosses the process boundary)."""

    run_id: str
    run_dir: Path
    data_dir: Path
    varies: tuple[Vary, ...]
    title: str

    def execute(self) -> str:
        """Solve every point, write the sweep folder; `done`, `error` or `interrupted`."""
        (self.run_dir / RUNNING_MARK).touch()
        with _sigterm_interrupts():
            return _execute(self)


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM (a worker stopped by its scheduler) raises Interrupted, as in the CLI, so the
    finished points are written; the previous handler comes back afterwards."""
    from optimiser.cli_support import Interrupted

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, _frame: object) -> None:
        raise Interrupted(signum)

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _execute(task: SweepTask) -> str:
    """run_sweep with progress.json after each point; the folder, partial when stopped."""
    from optimiser.whatif.sweep_output import fingerprint, write_partial, write_sweep

    spec = SweepSpec(task.data_dir, task.run_dir / SCENARIO_FILE, task.varies)
    total = len(grid(task.varies))
    done: dict[int, dict] = {}
    out, protected = task.run_dir / SWEEP_DIR, (task.data_dir,)
    (task.run_dir / ERROR_FILE).unlink(missing_ok=True)  # of an earlier, stopped attempt
    write_json(task.run_dir / PROGRESS_FILE, {"done": 0, "points": total})
    try:
        table = run_sweep(spec, 1, lambda i, row: write_json(
            task.run_dir / PROGRESS_FILE, {"done": len(done), "points": total}), done)
        write_sweep(out, table, task.varies, f"{task.title}: weighted unmet need", "svg",
                    protected)
        return "done"
    except BaseException as exc:
        if done:
            with contextlib.suppress(Exception):  # the error below matters more than the rows
                write_partial(out, spec, done, total, fingerprint(spec, task.data_dir),
                              protected)
        write_json(task.run_dir / ERROR_FILE, _error(task, exc, len(done), total))
        if isinstance(exc, Exception):
            return "error"
        raise  # Interrupted: the worker is being stopped (cancelled, or the service stops)


def _error(task: SweepTask, exc: BaseException, done: int, total: int) -> dict:
    """What went wrong (or that the sweep was stopped), without the server's folders."""
    from optimiser.cli_support import Interrupted

    if isinstance(exc, InputError):
        from optimiser.web.service import public_issues

        return {"status": "error", "issues": public_issues(exc)}
    if isinstance(exc, Interrupted | KeyboardInterrupt):
        status, text = "interrupted", f"stopped ({exc}) after {done} of {total} points"
    else:
        status, text = "error", f"{type(exc).__name__}: {exc}"
    text = text.replace(str(task.run_dir), task.run_id).replace(str(task.data_dir), "dataset")
    return {"status": status, "issues": [{"file": "sweep", "line": None, "column": None,
                                          "value": None, "message": text}]}


def write_json(path: Path, data: dict) -> None:
    """Replace a small JSON file atomically: a page reading it never sees half of it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> dict | None:
    """A small JSON file of a sweep folder, or None when absent or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def submit_sweep(service: Any, dataset: str, scenario_yaml: str,  # noqa: ANN401 - a Service
                 vary_texts: list[str], user: str | None = None) -> str:
    """Validate every point of the grid, then queue the sweep; its id.

    Raises UnknownDataset, InputError (every problem: the PATHs, the scenario with its line
    numbers, each bad point) or PoolFull; nothing is left behind when it does.
    """
    from optimiser.scenario import read_scenario
    from optimiser.web.service import UnknownDataset

    data_dir = service.datasets.folder(dataset)
    if data_dir is None:
        raise UnknownDataset(dataset)
    varies = parse_varies(vary_texts)
    created_at = now_utc()
    sweep_id = f"sweep-{new_run_id(created_at)}"
    folder = sweeps_dir(service.settings.root) / sweep_id
    folder.mkdir(parents=True)
    scenario_path = folder / SCENARIO_FILE
    scenario_path.write_text(scenario_yaml, encoding="utf-8")
    try:
        check_points(SweepSpec(data_dir, scenario_path, varies))
        name = read_scenario(scenario_path).scenario.name
        write_json(folder / META_FILE, {
            "id": sweep_id, "created_at": created_at.isoformat(), "user": user,
            "dataset": dataset, "scenario": name, "points": len(grid(varies)),
            "varies": [{"path": v.path, "values": list(v.values)} for v in varies]})
        service.pool.submit(SweepTask(sweep_id, folder, data_dir, varies, name))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return sweep_id


def sweep_folder(root: Path, sweep_id: str) -> Path | None:
    """The folder of a sweep id, or None (a malformed id never reaches the file system)."""
    if not ID_PATTERN.match(sweep_id):
        return None
    folder = sweeps_dir(root) / sweep_id
    return folder if (folder / META_FILE).is_file() else None


def varies_of(meta: dict) -> tuple[Vary, ...]:
    """The varied PATHs and values recorded in sweep.json."""
    return tuple(Vary(v["path"], tuple(v["values"])) for v in meta["varies"])


def status_of(folder: Path, pooled: str | None) -> str:
    """queued, running, done, error, cancelled, or interrupted (stopped with the server)."""
    from optimiser.folders import read_marker

    if pooled in (*UNFINISHED, "cancelled"):
        return pooled
    marker = read_marker(folder / SWEEP_DIR)
    if marker is not None and marker.get("complete"):
        return "done"
    error = read_json(folder / ERROR_FILE)
    if error is not None:
        return "interrupted" if error.get("status") == "interrupted" else "error"
    return "error" if pooled in ("crashed", "done") else "interrupted"


def sweep_state(service: Any, sweep_id: str) -> dict | None:  # noqa: ANN401 - a Service
    """A sweep's facts, status and progress; None when there is no such sweep."""
    folder = sweep_folder(service.settings.root, sweep_id)
    meta = read_json(folder / META_FILE) if folder else None
    if folder is None or meta is None:
        return None
    pooled = service.pool.state(sweep_id)
    status = status_of(folder, pooled)
    progress = read_json(folder / PROGRESS_FILE) or {}
    done = meta["points"] if status == "done" else int(progress.get("done", 0))
    errors = (read_json(folder / ERROR_FILE) or {}).get("issues", [])
    if status == "error" and not errors:
        errors = [{"file": "sweep", "line": None, "column": None, "value": None,
                   "message": "the worker process stopped"}]
    return {**meta, "status": status, "done": done, "errors": errors,
            "finished": status not in UNFINISHED,
            "has_table": (folder / SWEEP_DIR / "sweep.csv").is_file()}


def sweep_csv(root: Path, sweep_id: str) -> Path | None:
    """sweep.csv of a sweep (complete, or the finished points of an interrupted one)."""
    folder = sweep_folder(root, sweep_id)
    path = folder / SWEEP_DIR / "sweep.csv" if folder else None
    return path if path is not None and path.is_file() else None


def scenario_text(root: Path, sweep_id: str) -> str | None:
    """The base scenario the sweep was made from."""
    folder = sweep_folder(root, sweep_id)
    return (folder / SCENARIO_FILE).read_text(encoding="utf-8") if folder else None


def list_sweeps(service: Any, limit: int = 200) -> list[dict]:  # noqa: ANN401 - a Service
    """The sweeps, newest first."""
    base = sweeps_dir(service.settings.root)
    ids = sorted((p.name for p in base.iterdir() if ID_PATTERN.match(p.name)),
                 reverse=True) if base.is_dir() else []
    states = (sweep_state(service, sweep_id) for sweep_id in ids[:limit])
    return [state for state in states if state is not None]
