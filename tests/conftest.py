"""Shared fixtures: a private plan registry for every test, and registry databases to test on.

Every `optimiser solve` records its run (optimiser/registry). Tests call it in-process and as
subprocesses, so `XDG_DATA_HOME` and `OPTIMISER_DATABASE_URL` point at a temp folder for every
test: no test ever writes to the real user's registry or to a team's database.

Registry tests take `db_url`, parametrized over SQLite and PostgreSQL. PostgreSQL is the server
at `$OPTIMISER_TEST_POSTGRES_URL` (.ci/run starts one and exports it), else a local default;
each test gets a database of its own, dropped afterwards. The PostgreSQL cases are skipped,
with the reason shown (`-ra`), only when no server can be reached.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTGRES_ENV = "OPTIMISER_TEST_POSTGRES_URL"
DEFAULT_POSTGRES = ("postgresql+psycopg://optimiser:registry-test-secret@127.0.0.1:5432/"
                    "optimiser")
"""What .ci/run sets up (role `optimiser`, database `optimiser`, on the local cluster)."""


@pytest.fixture(scope="session")
def registry_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty registry at the current schema, made once: every test starts from a copy, as a
    planner's second solve does (the first creates it; tests of that use their own path)."""
    from optimiser.registry.store import Registry

    path = tmp_path_factory.mktemp("registry-template") / "registry.sqlite3"
    Registry.open(f"sqlite:///{path}").engine.dispose()
    return path


@pytest.fixture(autouse=True)
def private_registry(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
                     registry_template: Path) -> Path:
    """The default registry of this test: a file in a temp data folder (not in tmp_path, whose
    listing some tests check)."""
    home = tmp_path_factory.mktemp("xdg-data")
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    path = home / "optimiser" / "registry.sqlite3"
    path.parent.mkdir()
    shutil.copyfile(registry_template, path)
    monkeypatch.setenv("OPTIMISER_DATABASE_URL", f"sqlite:///{path}")
    return path


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as a libpq connection URI (for psycopg directly)."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A PostgreSQL server the tests may create databases on, or a skip saying why not."""
    import psycopg

    from optimiser.registry.url import redact, resolve

    url = resolve(os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES)
    try:
        with psycopg.connect(_libpq(url), connect_timeout=5) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        reason = " ".join(str(error).split())
        pytest.skip(f"no PostgreSQL server reachable at {redact(url)} ({reason}); set "
                    f"{POSTGRES_ENV} (.ci/run starts one)")
    return url


@pytest.fixture()
def postgres_database(postgres_url: str) -> Iterator[str]:
    """A new, empty database on the test server (dropped after the test)."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"optimiser_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq(postgres_url), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(postgres_url), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A new, empty registry database URL: an SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('registry') / 'registry.sqlite3'}"
    return request.getfixturevalue("postgres_database")
