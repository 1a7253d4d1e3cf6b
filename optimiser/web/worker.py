"""One run, in a worker process: the pipeline of `optimiser solve`, recorded in the registry.

Runs in a process of the pool (spawned, so nothing of the server's state leaks in), calling
the same functions as the CLI: `load_inputs`, `run_scenario`, `plan_document` with the
sensitivity table, `write_plan_folder` with the French report. The plan folder and the
registry row are therefore those `optimiser solve --data D --scenario S` writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

SCENARIO_FILE = "scenario.yaml"
PLAN_DIR = "plan"
RUNNING_MARK = "running"
CONFLICT_FILE = "conflict.json"
EXIT_OK, EXIT_OTHER, EXIT_INPUT, EXIT_INFEASIBLE = 0, 1, 2, 3


@dataclass(frozen=True)
class Job:
    """What a worker needs to run one scenario (picklable: it crosses the process boundary)."""

    run_id: str
    created_at: datetime
    db_url: str
    data_dir: Path
    run_dir: Path
    timestamp: bool = True
    user: str | None = None
    """Who submitted it (the logged-in user); None: the account the server runs under."""

    def execute(self) -> str:
        """What the pool calls in the worker process (every task kind has this method)."""
        return execute(self)


def execute(job: Job) -> str:
    """Solve, write the plan folder, record the run; returns the recorded status."""
    from optimiser.registry.recorder import Recording, open_sink

    (job.run_dir / RUNNING_MARK).touch()
    flags = {"no_timestamp": not job.timestamp, "report": True, "check_monotone": False,
             "forbid_paradox": False}
    sink, url = open_sink(job.db_url)
    recording = Recording(sink, url, job.data_dir, job.run_dir / SCENARIO_FILE, flags)
    recording.created_at = job.created_at
    exit_code = _solve(job, recording)
    record = replace(recording.run_record(exit_code), id=job.run_id)
    if job.user:  # the logged-in user who submitted it, not the server's account
        record = replace(record, user=job.user)
    try:
        sink.add(record)
    finally:
        sink.close()
    return record.status


def _solve(job: Job, recording: object) -> int:
    """The CLI's `_solve_and_write` without a terminal: the exit status it would give."""
    from optimiser.errors import InputError
    from optimiser.horizon.output import horizon_document
    from optimiser.horizon.run import run_horizon
    from optimiser.output import plan_document, write_plan_folder
    from optimiser.pipeline import load_inputs, run_scenario
    from optimiser.report import write_reports
    from optimiser.solve import SolveStatus
    from optimiser.whatif.sensitivity import compute_sensitivity

    scenario_path = job.run_dir / SCENARIO_FILE
    try:
        inputs = load_inputs(job.data_dir, scenario_path)
        recording.inputs = inputs
        run = run_horizon(inputs) if inputs.horizon is not None else run_scenario(inputs)
        status = run.result.status
        if status is SolveStatus.INFEASIBLE:
            if inputs.horizon is None:
                _explain(job, inputs, recording)
            else:  # several years: explain works on one year (docs/horizon.md)
                recording.note("infeasible: no plan meets every year's rules; plan the years "
                               "one at a time to find the first that fails")
            return EXIT_INFEASIBLE
        if not status.has_plan:
            recording.note(f"no plan: solver status {status.value} after "
                           f"{run.result.solve_seconds:.1f} s")
            return EXIT_OTHER
        if inputs.horizon is not None:
            document = horizon_document(run, timestamp=job.timestamp)
        else:
            document = plan_document(inputs, run.result, run.plan, run.build_seconds,
                                     timestamp=job.timestamp)
            document["sensitivity"] = compute_sensitivity(inputs, run)
        report = lambda folder: write_reports(folder, lang="fr",  # noqa: E731
                                              timestamp=job.timestamp)
        write_plan_folder(job.run_dir / PLAN_DIR, document, run.plan,
                          extra=recording.capturing(document, report),
                          protected=(job.data_dir,))
        return EXIT_OK
    except InputError as exc:
        recording.note_issues(exc)
        return EXIT_INPUT
    except Exception as exc:  # noqa: BLE001 - recorded as the run's error, stated plainly
        recording.note(f"error: {type(exc).__name__}: {exc}")
        return EXIT_OTHER


def _explain(job: Job, inputs: object, recording: object) -> None:
    """The conflicting rules (as `optimiser explain`), kept beside the run and in its record."""
    from optimiser.whatif.explain import explain_infeasible
    from optimiser.whatif.paths import read_document

    document = read_document(job.run_dir / SCENARIO_FILE)
    explanation = explain_infeasible(inputs, document, verify=False).to_json()
    (job.run_dir / CONFLICT_FILE).write_text(json.dumps(explanation, ensure_ascii=False),
                                             encoding="utf-8")
    conflict = explanation.get("conflict") or {}
    recording.note("infeasible: the conflicting rules are")
    for rule in conflict.get("rules", []):
        recording.note(f"  {rule}")
