"""The registry's tables as SQLAlchemy declarations (the boundary: plain data inside).

`runs` holds one row per solve: the facts of `record.RunRecord` and the current decision;
`decisions` keeps every decision taken on a run (who, when, note), so adopting a new plan
archives the previous one without losing who had adopted it. Times are stored as UTC without
a zone (`UTCDateTime`) so SQLite and PostgreSQL hold and return the same values.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in Python, UTC without a zone in the database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store UTC, naive (SQLite has no zone; PostgreSQL then holds the same value)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("registry times must be timezone-aware (UTC)")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None,
                             dialect: Dialect) -> datetime | None:
        """Read back as aware UTC."""
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base of the registry tables."""


class RunRow(Base):
    """One solve: inputs (scenario text, dataset fingerprint), outcome, plan, decision."""

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    """The OS user who ran the solve (`user` in `runs show --json`)."""
    scenario: Mapped[str] = mapped_column(String(200))
    scenario_yaml: Mapped[str | None] = mapped_column(Text, deferred=True)
    dataset: Mapped[str | None] = mapped_column(Text)
    """The dataset folder as given (informative; the fingerprint is what identifies it)."""
    dataset_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    parameters: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    messages: Mapped[list] = mapped_column(JSON)
    objective: Mapped[float | None] = mapped_column(Float)
    optimiser_version: Mapped[str] = mapped_column(String(40))
    solver: Mapped[str | None] = mapped_column(String(200))
    plan_json: Mapped[str | None] = mapped_column(Text, deferred=True)
    """plan.json exactly as written to the plan folder."""
    plan_tables: Mapped[dict | None] = mapped_column(JSON(none_as_null=True), deferred=True)
    """The folder's CSV tables by file name (exact text: floats are not re-derivable)."""
    decision: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft")
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    history: Mapped[list[DecisionRow]] = relationship(
        back_populates="run", order_by="DecisionRow.id", lazy="raise_on_sql")


class DecisionRow(Base):
    """A decision taken on a run: adopted (by a planner) or archived (superseded)."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)

    run: Mapped[RunRow] = relationship(back_populates="history")
