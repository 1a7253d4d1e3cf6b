"""Reading and writing runs through SQLAlchemy: list, show, record, adopt.

Every write is one short transaction (BEGIN IMMEDIATE on SQLite), retried on a busy database:
a run is in the registry whole or not at all, and concurrent writers never lose one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session, selectinload, undefer

from optimiser.registry import database
from optimiser.registry.migrate import ensure_schema
from optimiser.registry.models import DecisionRow, RunRow
from optimiser.registry.record import RunRecord, current_user, now_utc
from optimiser.registry.retry import retrying
from optimiser.registry.url import RegistryError, redact, resolve

T = TypeVar("T")
PLANNED = ("optimal", "feasible")


class RunNotFound(RegistryError):
    """No run (or more than one) matches the ID given (exit status 2)."""


class Registry:
    """The runs of one database (opened, and migrated if needed, by `Registry.open`)."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine

    @classmethod
    def open(cls, db: str | None = None) -> Registry:
        """The registry at `--db`, `$OPTIMISER_DATABASE_URL` or the default SQLite file.

        Raises RegistryError (one line, password hidden) when it cannot be reached, refuses
        the credentials, or has a schema newer than this code.
        """
        url = resolve(db)
        registry = cls(url, database.create(url))
        ensure_schema(registry.engine, url)
        return registry

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()

    @property
    def shown_url(self) -> str:
        """The URL without its password."""
        return redact(self.url)

    def _write(self, work: Callable[[Session], T]) -> T:
        """`work` in one write transaction, retried while the database is busy."""
        def attempt() -> T:
            with self.engine.connect().execution_options(immediate=True) as connection:
                with Session(connection, expire_on_commit=False) as session, session.begin():
                    return work(session)

        with database.translated(self.url):
            return retrying(attempt, database.transient)

    def _read(self, work: Callable[[Session], T]) -> T:
        with database.translated(self.url), Session(self.engine,
                                                    expire_on_commit=False) as session:
            return work(session)

    def add(self, record: RunRecord) -> None:
        """Record one run (one transaction)."""
        self._write(lambda session: session.execute(insert(RunRow).values(record.row())))

    def runs(self, limit: int | None = None) -> list[RunRow]:
        """Runs, newest first, without their plans (cheap to list)."""
        query = select(RunRow).order_by(RunRow.created_at.desc(), RunRow.id.desc())
        return self._read(lambda session: list(session.scalars(query.limit(limit))))

    def get(self, run_id: str) -> RunRow:
        """The run with this ID (or the only one starting with it), plan and history loaded."""
        return self._read(lambda session: self._find(session, run_id))

    def _find(self, session: Session, run_id: str) -> RunRow:
        query = select(RunRow).options(undefer("*"), selectinload(RunRow.history))
        run = session.scalars(query.where(RunRow.id == run_id)).one_or_none()
        if run is not None:
            return run
        pattern = run_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        found = list(session.scalars(query.where(RunRow.id.like(pattern, escape="\\"))
                                     .order_by(RunRow.id).limit(2)))
        if len(found) == 1:
            return found[0]
        what = "no run" if not found else "more than one run"
        raise RunNotFound(f"{what} with ID {run_id!r} in the registry {self.shown_url} "
                          "(`optimiser runs list` shows the IDs)")

    def adopt(self, run_id: str, note: str,
              user: str | None = None) -> tuple[RunRow, list[str]]:
        """Adopt a run with a plan; the plan adopted before it (if any) becomes archived.

        One plan is the adopted one at a time: adopting another archives the previous one,
        and both decisions stay in the runs' history with who, when and the note. Returns the
        run and the IDs of the runs archived.
        """
        user = user or current_user()

        def work(session: Session) -> tuple[str, list[str]]:
            run = self._find(session, run_id)
            if run.status not in PLANNED:
                raise RegistryError(f"run {run.id} has no plan (status {run.status}): only an "
                                    "optimal or feasible run can be adopted")
            now = now_utc()
            previous = list(session.scalars(select(RunRow).where(
                RunRow.decision == "adopted", RunRow.id != run.id)))
            for old in previous:
                _decide(session, old, "archived", user, now, f"superseded by {run.id}")
            _decide(session, run, "adopted", user, now, note)
            return run.id, [old.id for old in previous]

        adopted, archived = self._write(work)
        return self.get(adopted), archived


def _decide(session: Session, run: RunRow, decision: str, user: str, when: datetime,
            note: str | None) -> None:
    """Set a run's decision and append it to the history."""
    run.decision, run.decided_by, run.decided_at, run.decision_note = decision, user, when, note
    session.add(DecisionRow(run_id=run.id, decision=decision, decided_by=user, decided_at=when,
                            note=note))
