"""What the API and the pages both do: submit a run, read its state, adopt it.

Kept apart from HTTP so that both front ends give the same answers, and so that the rules
(scenario validated before queuing, runs recorded in the registry) live in one place.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
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
        return service

    def stop(self) -> None:
        """Stop the workers and release the database."""
        self.pool.shutdown()
        self.registry.close()

    def submit(self, dataset: str, scenario_yaml: str, timestamp: bool = True) -> str:
        """Validate the scenario against the dataset (InputError), then queue it (PoolFull)."""
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
                                 timestamp))
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
        folder = self.run_dir(run_id)
        path = folder / PLAN_DIR / name if folder is not None else None
        return path if path is not None and path.is_file() else None

    def state(self, run_id: str) -> dict | None:
        """The run as GET /api/runs/{id} answers, or None when there is no such run."""
        pooled = self.pool.state(run_id)
        if pooled in ("queued", "running", "cancelled"):
            return {"id": run_id, "status": pooled, "plan": None, "conflict": None,
                    "scenario_yaml": self._scenario_text(run_id), "messages": []}
        try:
            row = self.registry.get(run_id)
        except RunNotFound:
            if pooled == "crashed":  # the worker died; its record may not be written yet
                return {"id": run_id, "status": "error", "plan": None, "conflict": None,
                        "scenario_yaml": self._scenario_text(run_id),
                        "messages": ["error: the worker process stopped"]}
            return None
        if row.id != run_id:
            return None
        data = run_json(row, full=True)
        data["conflict"] = self._conflict(run_id) if row.status == "infeasible" else None
        return data

    def runs(self, limit: int | None = None) -> list[dict]:
        """Recorded runs, newest first, then the ones still in the pool."""
        return [run_json(row) for row in self.registry.runs(limit)]

    def adopt(self, run_id: str, note: str) -> dict:
        """Adopt a run (RegistryError when it has no plan, RunNotFound when unknown)."""
        row, _ = self.registry.adopt(run_id, note)
        return run_json(row, full=True)

    def _scenario_text(self, run_id: str) -> str | None:
        folder = self.run_dir(run_id)
        return (folder / SCENARIO_FILE).read_text(encoding="utf-8") if folder else None

    def _conflict(self, run_id: str) -> dict | None:
        folder = self.run_dir(run_id)
        path = folder / CONFLICT_FILE if folder else None
        return json.loads(path.read_text(encoding="utf-8")) if path and path.is_file() else None

    def _record_crash(self, job: Job, error: BaseException) -> None:
        """A worker that died mid-run: the run is recorded as an error, not lost."""
        from optimiser.registry.record import dataset_sha256, optimiser_version

        record = RunRecord(
            id=job.run_id, created_at=job.created_at, user=current_user(),
            scenario=job.run_dir.name, scenario_yaml=self._scenario_text(job.run_id),
            dataset=str(job.data_dir), dataset_sha256=dataset_sha256(job.data_dir),
            parameters={}, status="error",
            messages=[f"error: the worker process stopped ({type(error).__name__}: {error})"],
            optimiser_version=optimiser_version())
        try:
            self.registry.add(record)
        except Exception:  # noqa: BLE001, S110 - already recorded by the worker, or no database
            pass


__all__ = ["InputIssue", "Service", "UnknownDataset", "public_issues"]
