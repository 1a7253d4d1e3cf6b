"""Eight processes solving and recording at once lose no run and corrupt nothing.

Eight real solves on a new registry (all eight also race to create the schema), then eight
writers inserting as fast as they can into an existing one (on SQLite the standard-library
writer and SQLAlchemy side by side: WAL, busy timeout, retries). SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from optimiser.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"
PROCESSES = 8


def _wave(db: str, tmp_path: Path, wave: int) -> None:
    jobs = [subprocess.Popen([sys.executable, "-m", "optimiser", "solve", "--data", str(EXAMPLE),
                              "--out", str(tmp_path / f"plan-{wave}-{i}"), "--quiet",
                              "--no-report", "--no-timestamp", "--db", db], cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for i in range(PROCESSES)]
    for job in jobs:
        out, err = job.communicate(timeout=600)
        assert job.returncode == 0, err


def test_eight_solves_record_at_once_on_a_new_registry(db_url, tmp_path):
    """All eight race to create the schema too (SQLAlchemy and Alembic in each process)."""
    _wave(db_url, tmp_path, 1)
    result = CliRunner().invoke(main, ["runs", "list", "--json", "--db", db_url])
    assert result.exit_code == 0, result.output
    runs = json.loads(result.stdout)
    assert len({r["id"] for r in runs}) == len(runs) == PROCESSES
    assert {r["status"] for r in runs} == {"optimal"}
    expected = json.loads((tmp_path / "plan-1-0" / "plan.json").read_text(encoding="utf-8"))
    for run in runs:
        shown = CliRunner().invoke(main, ["runs", "show", run["id"], "--json", "--db", db_url])
        assert json.loads(shown.stdout)["plan"] == expected
    _check_sqlite(db_url, PROCESSES)


HAMMER = """
import sys, time
from datetime import UTC, datetime
from pathlib import Path
from optimiser.registry.quick import QuickSqlite
from optimiser.registry.record import RunRecord, new_run_id
from optimiser.registry.store import Registry
from optimiser.registry.url import sqlite_path

url, writer, barrier, count = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
sink = QuickSqlite.open(sqlite_path(url)) if writer == "quick" else Registry.open(url)
plan = '{"scenario": "s", "rows": [%s]}' % ", ".join(["1"] * 20000)
(barrier / str(id(sink))).touch()
deadline = time.time() + 120
while len(list(barrier.iterdir())) < 8 and time.time() < deadline:
    time.sleep(0.002)
first = time.time()
for _ in range(count):
    now = datetime.now(UTC)
    sink.add(RunRecord(id=new_run_id(now), created_at=now, user="u", scenario="s",
                       scenario_yaml="name: s\\n", dataset=None, dataset_sha256=None,
                       parameters={}, status="optimal", plan_json=plan))
print(first, time.time())
"""


def test_eight_writers_at_once_lose_nothing(db_url, tmp_path):
    """Eight processes inserting 25 runs each, started together: heavy lock contention (on
    SQLite half of them through the standard-library writer, half through SQLAlchemy)."""
    from optimiser.registry.store import Registry

    Registry.open(db_url)
    barrier, count = tmp_path / "ready", 25
    barrier.mkdir()
    jobs = [subprocess.Popen([sys.executable, "-c", HAMMER, db_url,
                              "quick" if db_url.startswith("sqlite") and i % 2 else "store",
                              str(barrier), str(count)], cwd=tmp_path, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for i in range(PROCESSES)]
    spans = []
    for job in jobs:
        out, err = job.communicate(timeout=600)
        assert job.returncode == 0, err
        spans.append([float(t) for t in out.split()])
    assert max(s[0] for s in spans) < min(s[1] for s in spans)  # all eight wrote at once
    runs = Registry.open(db_url).runs()
    assert len({r.id for r in runs}) == len(runs) == PROCESSES * count
    _check_sqlite(db_url, PROCESSES * count)


def _check_sqlite(db_url: str, rows: int) -> None:
    if db_url.startswith("sqlite"):
        from sqlalchemy import create_engine

        with create_engine(db_url).connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert connection.exec_driver_sql("SELECT count(*) FROM runs").scalar() == rows
