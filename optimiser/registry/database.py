"""Engines for the registry, and database errors turned into one readable line.

SQLite (the default, one file per user) runs in WAL mode with a busy timeout, and every write
transaction starts with BEGIN IMMEDIATE, so that eight processes recording at once queue for
the write lock instead of failing half-way; `retry.retrying` covers what still slips through.
PostgreSQL (a team's registry) needs nothing special: its transactions already serialise.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from optimiser.registry.url import RegistryError, one_line, redact, sqlite_path

BUSY_TIMEOUT_S = 30.0
"""How long an SQLite writer waits for the lock before giving up (then `retrying`)."""
CONNECT_TIMEOUT_S = 10
"""How long to wait for a PostgreSQL server that does not answer."""


def create(url: str) -> Engine:
    """An engine for `url` (sqlite:///FILE or postgresql+psycopg://...); RegistryError if the
    URL is not one, or the folder of an SQLite file cannot be made."""
    try:
        parsed = make_url(url)
    except exc.ArgumentError:
        raise RegistryError(f"registry database {redact(url)}: not a database URL (use "
                            "sqlite:///FILE or postgresql+psycopg://USER:PASSWORD@HOST/DB)"
                            ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url)
    if backend == "postgresql":
        with translated(url):
            return create_engine(url, poolclass=NullPool,
                                 connect_args={"connect_timeout": CONNECT_TIMEOUT_S})
    raise RegistryError(f"registry database {redact(url)}: {backend} is not supported "
                        "(use sqlite:///FILE or postgresql+psycopg://...)")


def _sqlite_engine(url: str) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise RegistryError(f"registry database {redact(url)}: cannot create its folder "
                                f"({error.strerror or error})") from None
    with translated(url):
        engine = create_engine(url, poolclass=NullPool,
                               connect_args={"timeout": BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: object, _record: object) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            cursor.execute("PRAGMA journal_mode = WAL")  # persistent: set once per file
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: object) -> None:
        immediate = connection.get_execution_options().get("immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextlib.contextmanager
def translated(url: str) -> Iterator[None]:
    """Database and driver errors as one RegistryError line naming the URL (password hidden)."""
    try:
        yield
    except exc.DBAPIError as error:
        raise RegistryError(f"registry database {redact(url)}: "
                            f"{one_line(url, _reason(error))}") from None
    except (exc.SQLAlchemyError, ImportError, OSError) as error:
        raise RegistryError(f"registry database {redact(url)}: "
                            f"{one_line(url, str(error))}") from None


def _reason(error: exc.DBAPIError) -> str:
    """The driver's own words, without SQLAlchemy's statement and link lines."""
    text = str(error.orig) if error.orig is not None else str(error)
    return text.removeprefix("connection failed: ")


def transient(error: BaseException) -> bool:
    """A lock or serialisation conflict that the same transaction may pass on a retry."""
    if not isinstance(error, exc.DBAPIError):
        return False
    text = str(error.orig).lower()
    return ("database is locked" in text or "database is busy" in text
            or "could not serialize" in text or "deadlock detected" in text)
