"""Bring a registry database to the schema this code knows, on start, with Alembic.

The migrations ship inside the package (`migrations/versions/`) and run programmatically: no
alembic.ini, no env.py, nothing for a planner to set up. Alembic is imported only when the
database is not already at `schema.HEAD` (a new or an older file), because its import alone
costs more than recording a run. Eight processes starting on a new database at once are
serialised (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock), and the one that comes
second finds the work done. A database whose revision this code does not know was written by
a newer optimiser: it is refused, never "upgraded".
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

from optimiser.registry.database import transient, translated
from optimiser.registry.retry import retrying
from optimiser.registry.schema import HEAD
from optimiser.registry.url import RegistryError, redact

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"
LOCK_KEY = 7_150_452_113_771_203
"""PostgreSQL advisory lock held while migrating (any constant the registry alone uses)."""


def current_revision(connection: Connection) -> str | None:
    """The database's schema revision; None for a database without registry tables."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def ensure_schema(engine: Engine, url: str) -> None:
    """Migrate the database to HEAD if needed; RegistryError (one line) if it cannot be used."""
    with translated(url):
        with engine.connect() as connection:
            revision = current_revision(connection)
        if revision != HEAD:
            retrying(lambda: upgrade(engine, url, HEAD), transient)


def upgrade(engine: Engine, url: str, target: str = HEAD) -> None:
    """Apply the migrations up to `target` in one transaction (all of them or none)."""
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    known = {revision.revision for revision in script.walk_revisions()}
    with engine.connect().execution_options(immediate=True) as connection:
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
            revision = current_revision(connection)
            if revision is not None and revision not in known:
                raise RegistryError(
                    f"registry database {redact(url)}: its schema (revision {revision}) is "
                    f"newer than this optimiser knows (up to {HEAD}): upgrade optimiser "
                    "(`optimiser solve --no-record` still solves)")
            if revision == target:
                return

            def steps(heads: object, _context: object) -> list:
                return script._upgrade_revs(target, heads)  # what `alembic upgrade` runs

            with EnvironmentContext(config, script, fn=steps, destination_rev=target) as env:
                env.configure(connection=connection, transaction_per_migration=False,
                              render_as_batch=True)
                env.run_migrations()
