"""What `optimiser solve` calls: open the registry before solving, record the run at the end.

The registry is opened first so that a bad --db (unreachable, wrong password, newer schema)
costs no solve: one line, exit 2. The facts of the run are gathered as the solve goes (its
inputs, the plan folder's files as written, the messages shown) and recorded once, in one
transaction, whatever the outcome: a plan, infeasible, bad input or an error. An interrupted
solve (Ctrl-C) is not a run and is not recorded.

This module and the modules it imports at the top stay free of SQLAlchemy and Alembic: with
an SQLite registry already at the current schema the row is written by `quick`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from optimiser.registry import record as facts
from optimiser.registry.quick import QuickSqlite
from optimiser.registry.url import RegistryError, redact, resolve, sqlite_path

if TYPE_CHECKING:
    from rich.console import Console

    from optimiser.errors import InputError
    from optimiser.inputs import ModelInputs

EXIT_OK, EXIT_INFEASIBLE = 0, 3


class Sink(Protocol):
    """Where runs go: `quick.QuickSqlite` or `store.Registry`."""

    def add(self, record: facts.RunRecord) -> None:
        """Insert one run."""

    def close(self) -> None:
        """Release the connection(s)."""


def open_sink(db: str | None) -> tuple[Sink, str]:
    """The registry to record into, and its URL; RegistryError when it cannot be used."""
    url = resolve(db)
    path = sqlite_path(url)
    if path is not None:
        quick = QuickSqlite.open(path)
        if quick is not None:
            return quick, url
    from optimiser.registry.store import Registry  # SQLAlchemy: a new, old or remote database

    return Registry.open(url), url


class Recording:
    """One `optimiser solve` being recorded: facts gathered as it runs, written by `finish`."""

    def __init__(self, sink: Sink, url: str, data_dir: Path | None,
                 scenario_path: Path | None, options: dict[str, bool],
                 messages_from: Console | None = None) -> None:
        self.sink, self.url = sink, url
        self.data_dir, self.scenario_path, self.options = data_dir, scenario_path, options
        self.messages_from = messages_from
        self.created_at = facts.now_utc()
        self.inputs: ModelInputs | None = None
        self.messages: list[str] = []
        self.document: dict | None = None
        self.plan_json: str | None = None
        self.tables: dict[str, str] | None = None

    @classmethod
    def start(cls, db: str | None, data_dir: Path | None, scenario_path: Path | None,
              options: dict[str, bool], messages_from: Console | None = None) -> Recording:
        """Open the registry (RegistryError if it cannot be used) and start a run."""
        sink, url = open_sink(db)
        return cls(sink, url, data_dir, scenario_path, options, messages_from)

    def note_issues(self, error: InputError) -> None:
        """Bad input: every issue is a message of the run (capped)."""
        self.messages += [str(issue) for issue in error.issues]

    def note(self, message: str) -> None:
        """A message of the run (an error printed by the command)."""
        self.messages.append(message)

    def capturing(self, document: dict,
                  then: Callable[[Path], object] | None) -> Callable[[Path], None]:
        """A plan-folder `extra` step: keep plan.json and the tables exactly as written (from
        the temp folder, before the swap), then run `then` (the report)."""
        def capture(folder: Path) -> None:
            self.document = document
            self.plan_json, self.tables = facts.read_plan_files(folder)
            if then is not None:
                then(folder)
        return capture

    def finish(self, exit_code: int | str | None) -> facts.RunRecord:
        """Record the run, with the status that `exit_code` and the plan imply."""
        record = self.run_record(exit_code)
        try:
            self.sink.add(record)
        except RegistryError:
            raise
        except Exception as error:  # noqa: BLE001 - said in one line, as at start
            raise RegistryError(f"registry database {redact(self.url)}: "
                                f"{type(error).__name__}: {error}") from None
        finally:
            self.sink.close()
        return record

    def run_record(self, exit_code: int | str | None) -> facts.RunRecord:
        """The run as recorded (no database involved)."""
        document = self.document if exit_code in (EXIT_OK, None) else None
        status = (document["status"] if document is not None
                  else "infeasible" if exit_code == EXIT_INFEASIBLE else "error")
        messages = self.messages
        if self.messages_from is not None:
            messages = [*messages, *self._console_lines()]
        inputs = self.inputs
        data_dir = self.data_dir or _default_data_dir()
        scenario = (inputs.scenario_name if inputs is not None
                    else self.scenario_path.stem if self.scenario_path else "baseline")
        parameters: dict = dict(document["parameters"]) if document else (
            _parameters(inputs) if inputs is not None else {})
        parameters["options"] = dict(self.options)
        return facts.RunRecord(
            id=facts.new_run_id(self.created_at), created_at=self.created_at,
            user=facts.current_user(), scenario=scenario,
            scenario_yaml=facts.scenario_text(self.scenario_path, self.data_dir),
            dataset=os.path.abspath(data_dir), dataset_sha256=facts.dataset_sha256(data_dir),
            parameters=parameters, status=status, messages=facts.capped(messages),
            objective=document["objective"] if document else None,
            optimiser_version=facts.optimiser_version(),
            solver=document["solver"] if document else (inputs.solver if inputs else None),
            plan_json=self.plan_json if document else None,
            plan_tables=self.tables if document else None)

    def _console_lines(self) -> list[str]:
        text = self.messages_from.export_text(clear=False) if self.messages_from else ""
        return [line.rstrip() for line in text.splitlines() if line.strip()]


def _default_data_dir() -> Path:
    from optimiser.pipeline import default_data_dir

    return default_data_dir()


def _parameters(inputs: ModelInputs) -> dict:
    """The scenario's parameters, as plan.json states them (for runs without a plan)."""
    from optimiser.output import json_ready

    return json_ready({
        "absence_penalty": inputs.absence_penalty, "allocate_all": inputs.allocate_all,
        "budget": inputs.budget, "time_limit_s": inputs.time_limit_s,
        "mip_gap": inputs.mip_gap, "solver": inputs.solver,
        "eps_over": inputs.eps_over, "eps_foreign": inputs.eps_foreign,
    })
