"""Record a run in an SQLite registry with the standard library alone.

Why a second writer: importing SQLAlchemy takes 150 to 250 ms on the CI machine class, and
recording may add at most 50 ms to `optimiser solve`. So when the registry is a plain SQLite
file already at the schema this code writes (`schema.HEAD`), `solve` inserts the row with
`sqlite3` (a few milliseconds). Everything else (a new file, an older or newer schema,
PostgreSQL, any query string) goes through `store.Registry`, which migrates or refuses.
Both insert `RunRecord.row()`, encoded the way SQLAlchemy encodes it (JSON text, UTC times as
`YYYY-MM-DD HH:MM:SS.ffffff`); a test reads rows written here back through SQLAlchemy.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from optimiser.registry.record import RunRecord
from optimiser.registry.retry import retrying
from optimiser.registry.schema import HEAD

BUSY_TIMEOUT_S = 30.0
JSON_COLUMNS = frozenset({"parameters", "messages", "plan_tables"})


class QuickSqlite:
    """An open SQLite registry known to be at HEAD; `record` inserts one run."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    @classmethod
    def open(cls, path: Path) -> QuickSqlite | None:
        """The registry file if it exists in WAL mode at HEAD, else None (use `store`)."""
        if not path.is_file():
            return None
        try:
            connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error:
            return None
        try:
            mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
            version = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        except sqlite3.Error:
            version, mode = [], ""
        if version != [(HEAD,)] or str(mode).lower() != "wal":
            connection.close()
            return None
        return cls(connection)

    def add(self, record: RunRecord) -> None:
        """Insert the run in one IMMEDIATE transaction, retried while the file is busy."""
        row = {k: _encoded(k, v) for k, v in record.row().items()}
        columns = ", ".join(f'"{name}"' for name in row)
        marks = ", ".join("?" for _ in row)
        sql = f"INSERT INTO runs ({columns}) VALUES ({marks})"

        def attempt() -> None:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                self.connection.execute(sql, list(row.values()))
                self.connection.execute("COMMIT")
            except BaseException:
                if self.connection.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self.connection.execute("ROLLBACK")
                raise

        retrying(attempt, _busy)

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


def _encoded(column: str, value: object) -> object:
    """The value as SQLAlchemy stores it in SQLite (JSON type: json.dumps; UTCDateTime)."""
    if column in JSON_COLUMNS:
        return None if value is None else json.dumps(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _busy(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError) and (
        "locked" in str(error).lower() or "busy" in str(error).lower())
