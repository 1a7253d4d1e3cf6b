"""What the API and the pages both do: submit a run, read its state, adopt it.

Kept apart from HTTP so that both front ends give the same answers, and so that the rules
(scenario validated before queuing, runs recorded in the registry) live in one place.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from optimiser.errors import InputError, InputIssue
from optimiser.registry.record import RunRecord, current_user, new_run_id, now_utc
from optimiser.registry.store import Registry, RunNotFound
from optimiser.registry.views import run_json
from optimiser.web.datasets import DatasetStore
from optimiser.web.jobs import RunPool
from optimiser.web.settings import Settings
from optimiser.web.worker import CONFLICT_FILE, PLAN_DIR, SCENARIO_FILE, Job


class UnknownDataset(Exception):
    """The dataset id names no dataset."""


class RunFinished(Exception):
    """The run has finished already: there is nothing to cancel (its status is the message)."""


def public_issues(error: InputError) -> list[dict]:
    """Issues as the API returns them: file names only, never a server path."""
    return [{"file": Path(i.file).name, "line": i.line, "column": i.column, "value": i.value,
             "message": i.message} for i in error.issues]


@dataclass
class Service:
    """The service's state: settings, registry, datasets and the worker pool."""

    settings: Settings
    registry: Registry
    datasets: DatasetStore
    pool: RunPool

    @classmethod
    def start(cls, settings: Settings) -> Service:
        """Open (and migrate) the registry, make the folders, start the pool lazily."""
        settings.runs_dir.mkdir(parents=True, exist_ok=True)
        settings.datasets_dir.mkdir(parents=True, exist_ok=True)
        registry = Registry.open(settings.db_url)
        service = cls(settings, registry, DatasetStore(settings.datasets_dir),
                      RunPool(settings.workers, settings.queue))
        service.pool.on_crash = service._record_crash
        service._record_orphans()
        return service

    def stop(self) -> None:
        """Stop the workers (runs not finished are recorded as cancelled), release the database."""
        for task in self.pool.shutdown():
            self._record_stopped(task, "cancelled", "cancelled: the service stopped at "
                                 f"{now_utc():%Y-%m-%d %H:%M:%S} UTC before this run finished")
        self.registry.close()

    def submit(self, dataset: str, scenario_yaml: str, timestamp: bool = True,
               user: str | None = None) -> str:
        """Validate the scenario against the dataset (InputError), then queue it (PoolFull).

        `user`: who submits it (the logged-in user); None: the account the server runs under.
        """
        from optimiser.pipeline import load_inputs

        data_dir = self.datasets.folder(dataset)
        if data_dir is None:
            raise UnknownDataset(dataset)
        created_at = now_utc()
        run_id = new_run_id(created_at)
        run_dir = self.settings.runs_dir / run_id
        run_dir.mkdir(parents=True)
        (run_dir / SCENARIO_FILE).write_text(scenario_yaml, encoding="utf-8")
        try:
            load_inputs(data_dir, run_dir / SCENARIO_FILE)  # the readers of `optimiser solve`
            self.pool.submit(Job(run_id, created_at, self.settings.db_url, data_dir, run_dir,
                                 timestamp, user))
        except BaseException:
            shutil.rmtree(run_dir, ignore_errors=True)
            raise
        return run_id

    def run_dir(self, run_id: str) -> Path | None:
        """The server-side folder of a run made by this service (None for other runs)."""
        folder = self.settings.runs_dir / run_id
        if "/" in run_id or run_id.startswith(".") or not (folder / SCENARIO_FILE).is_file():
            return None
        return folder

    def report_file(self, run_id: str, name: str) -> Path | None:
        """A report file of a run's plan folder, if there is one."""
        folder = self.plan_folder(run_id)
        path = folder / name if folder is not None else None
        return path if path is not None and path.is_file() else None

    def plan_folder(self, run_id: str) -> Path | None:
        """The run's plan folder: its own for runs made here; for runs recorded by others
        (`optimiser solve --db` on the same registry) exported once from the registry."""
        folder = self.run_dir(run_id)
        if folder is not None and (folder / PLAN_DIR / "plan.json").is_file():
            return folder / PLAN_DIR
        return self._exported(run_id)

    def _exported(self, run_id: str) -> Path | None:
        """root/exports/<id>, written by `registry.export.export_run` on first use.

        One export at a time per run (a lock; the folder is swapped in whole, so a reader
        never sees half of it); a run without a plan has no folder.
        """
        from optimiser.folders import OutputBusy
        from optimiser.registry.export import export_run
        from optimiser.registry.url import RegistryError
        from optimiser.report.load import PlanError

        if not RUN_ID.fullmatch(run_id):
            return None
        out = self.settings.root / "exports" / run_id
        if (out / "plan.json").is_file():
            return out
        with _EXPORT_LOCK:
            if (out / "plan.json").is_file():
                return out
            try:
                row = self.registry.get(run_id)
                if row.id != run_id or row.plan_json is None:
                    return None
                export_run(row, out)
            except (RunNotFound, RegistryError, InputError, OutputBusy, PlanError):
                return None
        return out

    def state(self, run_id: str) -> dict | None:
        """The run as GET /api/runs/{id} answers, or None when there is no such run."""
        info = self.pool.info(run_id)
        pooled = info["state"] if info else None
        if pooled in ("queued", "running"):
            return self._pooled_state(run_id, pooled, info)
        try:
            row = self.registry.get(run_id)
        except RunNotFound:
            if pooled == "crashed":  # the worker died; its record may not be written yet
                return self._pooled_state(run_id, "error", info,
                                          ["error: the worker process stopped"])
            if pooled == "cancelled":  # its record is being written
                return self._pooled_state(run_id, "cancelled", info, ["cancelled"])
            return None
        if row.id != run_id:
            return None
        data = run_json(row, full=True)
        data["conflict"] = self._conflict(run_id) if row.status == "infeasible" else None
        return data

    def _pooled_state(self, run_id: str, status: str, info: dict,
                      messages: list[str] | None = None) -> dict:
        """A run not (yet) in the registry: what the pool knows (times, place in the queue)."""
        text = self._scenario_text(run_id)
        queued, started = info["queued_at"], info["started_at"]
        end = info["finished_at"] or now_utc()
        return {"id": run_id, "status": status, "plan": None, "conflict": None,
                "scenario": _scenario_name(text), "scenario_yaml": text,
                "messages": messages or [], "position": info["position"],
                "queued_at": _iso(queued), "started_at": _iso(started),
                "waited_s": int(((started or end) - queued).total_seconds()),
                "running_s": int((end - started).total_seconds()) if started else None}

    def cancel(self, run_id: str, by: str | None = None) -> dict | None:
        """Cancel a queued or running run and record it as cancelled (who, when); its state.

        None when there is no such run; RunFinished when it has finished already.
        """
        task, was = self.pool.task(run_id), self.pool.state(run_id)
        if not self.pool.cancel(run_id):
            state = self.state(run_id)
            if state is None:
                return None
            raise RunFinished(state["status"])
        self._record_stopped(task, "cancelled", f"cancelled by {by or current_user()} at "
                             f"{now_utc():%Y-%m-%d %H:%M:%S} UTC while {was}")
        return self.state(run_id)

    def runs(self, limit: int | None = None) -> list[dict]:
        """Recorded runs, newest first, then the ones still in the pool."""
        return [run_json(row) for row in self.registry.runs(limit)]

    def adopt(self, run_id: str, note: str, user: str | None = None) -> dict:
        """Adopt a run (RegistryError when it has no plan, RunNotFound when unknown).

        `user`: who decides (the logged-in user); None: the account the server runs under.
        """
        row, _ = self.registry.adopt(run_id, note, user)
        return run_json(row, full=True)

    def _scenario_text(self, run_id: str) -> str | None:
        folder = self.run_dir(run_id)
        return (folder / SCENARIO_FILE).read_text(encoding="utf-8") if folder else None

    def _conflict(self, run_id: str) -> dict | None:
        folder = self.run_dir(run_id)
        path = folder / CONFLICT_FILE if folder else None
        return json.loads(path.read_text(encoding="utf-8")) if path and path.is_file() else None

    def _record_crash(self, job: object, error: BaseException) -> None:
        """A worker that died mid-run: the run is recorded as an error, not lost."""
        self._record_stopped(job, "error", f"error: the worker process stopped ({error})")

    def _record_stopped(self, job: object, status: str, message: str) -> None:
        """Record a solve that ended without its worker recording it (other tasks: ignored)."""
        from optimiser.registry.record import dataset_sha256, optimiser_version

        if not isinstance(job, Job):
            return
        text = self._scenario_text(job.run_id)
        record = RunRecord(
            id=job.run_id, created_at=job.created_at, user=job.user or current_user(),
            scenario=_scenario_name(text) or job.run_id, scenario_yaml=text,
            dataset=str(job.data_dir), dataset_sha256=dataset_sha256(job.data_dir),
            parameters={}, status=status, messages=[message],
            optimiser_version=optimiser_version())
        try:
            self.registry.add(record)
        except Exception:  # noqa: BLE001, S110 - already recorded by the worker, or no database
            pass

    def _record_orphans(self) -> None:
        """Runs this service accepted but never recorded (it was killed, not stopped): error.

        Without this an accepted run whose server died would answer 404 for ever.
        """
        from optimiser.registry.record import optimiser_version

        folders = [f for f in self.settings.runs_dir.iterdir()
                   if RUN_ID.fullmatch(f.name) and (f / SCENARIO_FILE).is_file()]
        if not folders:
            return
        known = {row.id for row in self.registry.runs()}
        for folder in folders:
            if folder.name in known:
                continue
            text = self._scenario_text(folder.name)
            record = RunRecord(
                id=folder.name, created_at=now_utc(), user=current_user(),
                scenario=_scenario_name(text) or folder.name, scenario_yaml=text,
                dataset=None, dataset_sha256=None, parameters={}, status="error",
                messages=["error: the service stopped before this run finished"],
                optimiser_version=optimiser_version())
            try:
                self.registry.add(record)
            except Exception:  # noqa: BLE001, S110 - recorded meanwhile
                pass


RUN_ID = re.compile(r"\d{8}-\d{6}-[0-9a-f]{6}")
"""A run id as `registry.record.new_run_id` makes it."""
_EXPORT_LOCK = threading.Lock()
"""Serialises exports of registry runs to plan folders (page requests run in threads)."""


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


def _scenario_name(text: str | None) -> str | None:
    """The scenario's `name:` (None when unreadable): shown before the run is recorded."""
    import yaml

    try:
        document = yaml.safe_load(text) if text else None
    except yaml.YAMLError:
        return None
    name = document.get("name") if isinstance(document, dict) else None
    return str(name)[:200] if name is not None else None


__all__ = ["InputIssue", "RunFinished", "Service", "UnknownDataset", "public_issues"]
