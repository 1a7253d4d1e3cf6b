"""The registry's database layer: URLs, migrations (old schemas with rows in them), both
writers, decisions. Runs on SQLite and on a real PostgreSQL server (`db_url`)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from optimiser.registry import url as urls
from optimiser.registry.database import create
from optimiser.registry.migrate import MIGRATIONS, current_revision, ensure_schema, upgrade
from optimiser.registry.quick import QuickSqlite
from optimiser.registry.record import RunRecord, dataset_sha256, new_run_id
from optimiser.registry.schema import HEAD
from optimiser.registry.store import Registry, RunNotFound
from optimiser.registry.url import RegistryError

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example"


def _record(status: str = "optimal", when: datetime | None = None, **changes) -> RunRecord:
    when = when or datetime.now(UTC)
    plan = None if status in ("infeasible", "error") else '{\n "scenario": "s"\n}\n'
    fields = dict(
        id=new_run_id(when), created_at=when, user="planner", scenario="s",
        scenario_yaml="name: s\n", dataset="/data", dataset_sha256="ab" * 32,
        parameters={"absence_penalty": 4.0, "options": {"no_timestamp": True}}, status=status,
        messages=[] if plan else ["it failed"], objective=1.5 if plan else None,
        optimiser_version="0.1.0", solver="HiGHS 1.16.0" if plan else None, plan_json=plan,
        plan_tables={"allocations.csv": "a,b\n1,2\n"} if plan else None)
    return RunRecord(**{**fields, **changes})


# --- which database, named without its password --------------------------------------------

def test_default_registry_is_in_the_users_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv(urls.ENV_VAR)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert urls.resolve(None) == f"sqlite:///{tmp_path}/optimiser/registry.sqlite3"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert urls.resolve(None) == f"sqlite:///{tmp_path}/home/.local/share/optimiser/registry.sqlite3"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")  # the XDG spec: absolute only
    assert urls.resolve(None).startswith(f"sqlite:///{tmp_path}/home/.local/share/")


def test_db_option_beats_the_environment_and_postgres_means_psycopg(monkeypatch):
    monkeypatch.setenv(urls.ENV_VAR, "sqlite:///env.sqlite3")
    assert urls.resolve(None) == "sqlite:///env.sqlite3"
    assert urls.resolve("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert urls.resolve("postgres://u@h/db") == "postgresql+psycopg://u@h/db"


def test_passwords_are_never_shown():
    shown = urls.redact("postgresql+psycopg://ana:s3cr:et@db.example:5432/plans")
    assert shown == "postgresql+psycopg://ana:***@db.example:5432/plans"
    assert urls.redact("sqlite:////tmp/r.sqlite3") == "sqlite:////tmp/r.sqlite3"
    url = "postgresql+psycopg://ana:hunter22@h/db"
    assert "hunter22" not in urls.one_line(url, "failed for hunter22\n  retry")


def test_dataset_fingerprint_is_sha256sum_of_the_sorted_files(tmp_path):
    listing = subprocess.run("LC_ALL=C sha256sum *", shell=True, cwd=EXAMPLE, check=True,
                             capture_output=True).stdout
    assert dataset_sha256(EXAMPLE) == hashlib.sha256(listing).hexdigest()
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "posts.csv").write_text("a\n")
    before = dataset_sha256(folder)
    (folder / ".optimiser-output.json").write_text("{}")  # tooling, not data
    os.mkfifo(folder / "pipe.csv")  # never opened: would block
    assert dataset_sha256(folder) == before
    (folder / "posts.csv").write_text("b\n")
    assert dataset_sha256(folder) != before
    assert dataset_sha256(tmp_path / "missing") is None


# --- migrations ------------------------------------------------------------------------------

def test_head_is_the_last_migration():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    assert script.get_current_head() == HEAD
    assert [r.revision for r in script.walk_revisions()] == ["0002", "0001"]


def test_models_match_the_migrations(db_url):
    """The SQLAlchemy models and the migrated schema agree (Alembic finds nothing to add)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from optimiser.registry.models import Base

    engine = create(db_url)
    ensure_schema(engine, db_url)
    with engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diffs == []


def test_an_old_schema_with_rows_is_upgraded_on_start(db_url):
    engine = create(db_url)
    upgrade(engine, db_url, "0001")  # what an earlier optimiser created
    with engine.begin() as connection:
        assert "decision" not in {c["name"] for c in inspect(connection).get_columns("runs")}
        for number in range(3):
            connection.execute(text(
                "INSERT INTO runs (id, created_at, created_by, scenario, parameters, status, "
                "messages, optimiser_version, plan_json) VALUES (:id, :at, 'old', 'baseline', "
                "'{}', 'optimal', '[]', '0.0.9', '{}')"),
                {"id": f"old-{number}", "at": datetime(2025, 1, 2, 3, 4, number)})
    registry = Registry.open(db_url)  # migrations applied on start
    with registry.engine.connect() as connection:
        assert current_revision(connection) == HEAD
    runs = registry.runs()
    assert [r.id for r in runs] == ["old-2", "old-1", "old-0"]
    assert {r.decision for r in runs} == {"draft"}
    assert runs[0].created_at == datetime(2025, 1, 2, 3, 4, 2, tzinfo=UTC)
    run, archived = registry.adopt("old-1", "chosen in 2025")  # the new columns work on old rows
    assert (run.decision, archived) == ("adopted", [])
    registry.add(_record())
    assert len(registry.runs()) == 4


def test_a_newer_schema_is_refused_naming_the_database(db_url):
    Registry.open(db_url)
    engine = create(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(RegistryError) as caught:
        Registry.open(db_url)
    message = str(caught.value)
    assert "0099" in message and "newer than this optimiser" in message
    assert urls.redact(db_url) in message and "\n" not in message
    if ":" in db_url.split("@")[0].split("//")[1]:
        assert urls.password_of(db_url) not in message


def test_registry_creates_its_folder_and_uses_wal(tmp_path):
    url = f"sqlite:///{tmp_path}/a/b/registry.sqlite3"
    Registry.open(url)
    with create_engine(url).connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


# --- writing and reading runs ----------------------------------------------------------------

def test_runs_are_listed_newest_first_and_found_by_prefix(db_url):
    registry = Registry.open(db_url)
    old = _record(when=datetime(2026, 1, 1, tzinfo=UTC))
    new = _record(status="infeasible", when=datetime(2026, 2, 1, tzinfo=UTC))
    registry.add(old)
    registry.add(new)
    assert [r.id for r in registry.runs()] == [new.id, old.id]
    assert [r.id for r in registry.runs(limit=1)] == [new.id]
    run = registry.get(old.id[:12])
    assert (run.id, run.plan_json, run.plan_tables) == (old.id, old.plan_json, old.plan_tables)
    assert run.created_at == old.created_at and run.parameters == old.parameters
    with pytest.raises(RunNotFound, match="more than one run"):
        registry.get("2026")
    with pytest.raises(RunNotFound, match="no run"):
        registry.get("1999")
    with pytest.raises(RunNotFound, match="no run"):
        registry.get("2026%")  # LIKE wildcards are literal


def test_adopting_archives_the_previously_adopted_plan(db_url):
    registry = Registry.open(db_url)
    first, second, failed = _record(), _record(), _record(status="error")
    for record in (first, second, failed):
        registry.add(record)
    registry.adopt(first.id, "committee, 1 March", user="ana")
    run, archived = registry.adopt(second.id, "revised data", user="omar")
    assert (run.decision, run.decided_by, run.decision_note) == ("adopted", "omar",
                                                                 "revised data")
    assert archived == [first.id]
    old = registry.get(first.id)
    assert old.decision == "archived" and old.decision_note == f"superseded by {second.id}"
    assert [(d.decision, d.decided_by, d.note) for d in old.history] == [
        ("adopted", "ana", "committee, 1 March"),
        ("archived", "omar", f"superseded by {second.id}")]
    with pytest.raises(RegistryError, match="has no plan"):
        registry.adopt(failed.id, "no")
    assert registry.get(failed.id).decision == "draft"


def test_the_quick_writer_writes_what_sqlalchemy_reads(tmp_path):
    """The stdlib writer (`solve`'s fast path) and the SQLAlchemy one store the same row."""
    url = f"sqlite:///{tmp_path}/registry.sqlite3"
    assert QuickSqlite.open(tmp_path / "registry.sqlite3") is None  # no file yet
    registry = Registry.open(url)
    quick = QuickSqlite.open(tmp_path / "registry.sqlite3")
    assert quick is not None
    by_quick, by_store = _record(), _record(status="error")
    quick.add(by_quick)
    registry.add(by_store)
    for record in (by_quick, by_store):
        run = registry.get(record.id)
        row = {k: getattr(run, k) for k in record.row() if k != "created_by"}
        assert row == {k: v for k, v in record.row().items() if k != "created_by"}
        assert run.created_by == record.user
    with create_engine(url).connect() as connection:
        raw = connection.exec_driver_sql(
            "SELECT id, typeof(plan_tables), created_at FROM runs ORDER BY id").all()
    assert {r[1] for r in raw} == {"text", "null"}
    assert all(len(r[2]) == 26 for r in raw)  # YYYY-MM-DD HH:MM:SS.ffffff, as SQLAlchemy


def test_the_quick_writer_leaves_old_or_newer_files_to_migrate(tmp_path):
    path = tmp_path / "registry.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(create(url), url, "0001")
    assert QuickSqlite.open(path) is None  # older: the store migrates it
    Registry.open(url)
    assert QuickSqlite.open(path) is not None
    path.with_name("junk.sqlite3").write_text("not a database")
    assert QuickSqlite.open(path.with_name("junk.sqlite3")) is None


def test_records_are_json_plain(db_url):
    registry = Registry.open(db_url)
    record = _record(messages=["é ü ال"], plan_tables={"foreign.csv": "x\r\ny\n"})
    registry.add(record)
    run = registry.get(record.id)
    assert run.messages == ["é ü ال"] and run.plan_tables == {"foreign.csv": "x\r\ny\n"}
    assert json.loads(run.plan_json) == {"scenario": "s"}
