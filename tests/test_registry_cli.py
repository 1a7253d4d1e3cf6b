"""`optimiser solve` records every run; `optimiser runs list|show|diff|adopt|export`; a
database that cannot be used is one line and exit 2. On SQLite and PostgreSQL (`db_url`)."""

from __future__ import annotations

import getpass
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from optimiser.cli import main
from optimiser.registry.record import dataset_sha256
from optimiser.registry.url import password_of, redact

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"
TATA_25 = "name: tata-25\nconstraints:\n  - {name: sm-floor, region: SM, min: 25}\n"


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def solve(db: str, out: Path, *extra: str) -> tuple[int, str, str]:
    return cli("solve", "--data", EXAMPLE, "--out", out, "--quiet", "--db", db, *extra)


def runs(db: str, *args: str) -> tuple[int, str, str]:
    return cli("runs", *args, "--db", db)


def listed(db: str) -> list[dict]:
    code, out, err = runs(db, "list", "--json")
    assert code == 0, err
    return json.loads(out)


def test_solve_records_the_run_with_its_plan(db_url, tmp_path):
    code, _, err = solve(db_url, tmp_path / "plan", "--no-timestamp", "--no-report")
    assert code == 0, err
    [run] = listed(db_url)
    plan_text = (tmp_path / "plan" / "plan.json").read_text(encoding="utf-8")
    plan = json.loads(plan_text)
    assert run["status"] == "optimal" and run["decision"] == "draft"
    assert run["scenario"] == "baseline" and run["user"] == getpass.getuser()
    assert run["objective"] == plan["objective"] and run["solver"] == plan["solver"]
    assert run["dataset"] == str(EXAMPLE) and run["dataset_sha256"] == dataset_sha256(EXAMPLE)
    assert run["parameters"]["absence_penalty"] == plan["parameters"]["absence_penalty"]
    assert run["parameters"]["options"] == {"no_timestamp": True, "report": False,
                                            "check_monotone": False, "forbid_paradox": False}
    assert run["optimiser_version"] and run["created_at"].endswith("Z")
    code, out, _ = runs(db_url, "show", run["id"], "--json")
    shown = json.loads(out)
    assert shown["plan"] == plan and shown["scenario_yaml"].startswith("name: baseline")
    code, out, _ = runs(db_url, "list")
    assert code == 0 and run["id"] in out and "optimal" in out and "draft" in out
    code, out, _ = runs(db_url, "show", run["id"][:17])
    assert code == 0 and f"run          {run['id']}" in out and "36 of 36 posts" in out


def test_an_empty_registry_says_so(db_url):
    code, out, _ = runs(db_url, "list")
    assert code == 0 and out == "no runs recorded yet: `optimiser solve` records each run\n"
    assert listed(db_url) == []


def test_runs_list_is_newest_first_and_no_record_records_nothing(db_url, tmp_path):
    for name in ("a", "b"):
        assert solve(db_url, tmp_path / name, "--no-report")[0] == 0
    assert solve(db_url, tmp_path / "c", "--no-report", "--no-record")[0] == 0
    found = listed(db_url)
    assert len(found) == 2
    assert found[0]["created_at"] > found[1]["created_at"]
    code, out, _ = runs(db_url, "list", "--limit", "1")
    assert out.splitlines()[1].startswith(found[0]["id"]) and len(out.splitlines()) == 2


def test_infeasible_and_bad_input_runs_are_recorded_with_their_messages(db_url, tmp_path):
    (tmp_path / "tata.yaml").write_text(TATA_25)
    (tmp_path / "bad.yaml").write_text("name: bad\nparameters: {absence_penalty: -1}\n")
    code, _, _ = solve(db_url, tmp_path / "o1", "--scenario", tmp_path / "tata.yaml")
    assert code == 3
    code, _, err = solve(db_url, tmp_path / "o2", "--scenario", tmp_path / "bad.yaml")
    assert code == 2 and "absence_penalty" in err
    code, _, _ = cli("solve", "--data", tmp_path / "nowhere", "--db", db_url)
    assert code == 2
    missing, bad, infeasible = listed(db_url)
    assert infeasible["status"] == "infeasible" and infeasible["scenario"] == "tata-25"
    assert any("sm-floor" in m for m in infeasible["messages"])
    assert infeasible["objective"] is None
    assert bad["status"] == "error" and bad["scenario"] == "bad"
    assert any("absence_penalty" in m for m in bad["messages"])
    assert missing["status"] == "error" and missing["dataset_sha256"] is None
    assert any("dataset folder not found" in m for m in missing["messages"])
    code, out, _ = runs(db_url, "show", bad["id"], "--json")
    assert json.loads(out)["plan"] is None
    assert json.loads(out)["scenario_yaml"] == (tmp_path / "bad.yaml").read_text()
    code, _, err = runs(db_url, "export", infeasible["id"], "--out", str(tmp_path / "x"))
    assert code == 2 and "has no plan" in err


def test_adopt_and_unknown_ids(db_url, tmp_path):
    assert solve(db_url, tmp_path / "a", "--no-report")[0] == 0
    [run] = listed(db_url)
    code, out, _ = runs(db_url, "adopt", run["id"], "--note", "Validated on 3 March")
    assert code == 0 and "adopted" in out
    [run] = listed(db_url)
    assert (run["decision"], run["decision_note"]) == ("adopted", "Validated on 3 March")
    assert run["decided_by"] == getpass.getuser()
    code, _, err = runs(db_url, "show", "nope")
    assert code == 2 and "no run with ID 'nope'" in err and err.count("\n") == 1
    assert runs(db_url, "adopt", run["id"])[0] == 2  # --note is required


def test_runs_diff_prints_what_compare_prints(db_url, tmp_path):
    scenario = tmp_path / "no-foreign.yaml"
    scenario.write_text((ROOT / "scenarios" / "no-foreign.yaml").read_text())
    assert solve(db_url, tmp_path / "base", "--no-report")[0] == 0
    assert solve(db_url, tmp_path / "other", "--no-report", "--scenario", scenario)[0] == 0
    other, base = listed(db_url)
    code, diff, _ = runs(db_url, "diff", base["id"], other["id"])
    assert code == 0
    code, compared, _ = cli("compare", tmp_path / "base", tmp_path / "other", "--out",
                            tmp_path / "cmp")
    assert code == 0
    header = diff.splitlines()[:2]
    assert header[0].startswith(f"baseline = run {base['id']} (optimal")
    assert header[1].startswith(f"no-foreign = run {other['id']} (optimal")
    # Identical but for where each plan came from: a run ID, or a folder.
    diff_lines = diff.split("baseline (optimal, ")[0].splitlines()[2:]
    assert diff_lines == compared.split("baseline (optimal, ")[0].splitlines()
    assert len(diff_lines) > 40 and f"baseline (optimal, {base['id']})" in diff


def test_export_writes_the_plan_folder_and_refuses_a_user_folder(db_url, tmp_path):
    """The exported folder is the solved one, byte for byte, timestamps and report included."""
    assert solve(db_url, tmp_path / "solved")[0] == 0
    [run] = listed(db_url)
    code, out, err = runs(db_url, "export", run["id"], "--out", str(tmp_path / "exported"))
    assert code == 0, err
    solved, exported = tmp_path / "solved", tmp_path / "exported"
    names = sorted(os.listdir(solved))
    assert "report.html" in names and sorted(os.listdir(exported)) == names
    for name in names:
        if name != ".optimiser-output.json":
            assert (exported / name).read_bytes() == (solved / name).read_bytes(), name
    marker = json.loads((exported / ".optimiser-output.json").read_text())
    assert marker["registry_run"] == run["id"]
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my notes")
    code, _, err = runs(db_url, "export", run["id"], "--out", str(mine))
    assert code == 2 and "optimiser did not write" in err
    assert os.listdir(mine) == ["notes.txt"]
    code, _, _ = runs(db_url, "export", run["id"], "--out", str(exported))  # ours: replaced
    assert code == 0


# --- a database that cannot be used ------------------------------------------------------------

def _one_line_exit_2(args: list[str], url: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("error: registry database ")
    assert redact(url) in result.stderr
    password = password_of(url)
    assert password is None or password not in result.stderr


def _bad_database_cases(url: str, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    _one_line_exit_2(["solve", "--data", str(EXAMPLE), "--out", str(out), "--db", url], url)
    assert not out.exists()  # refused before solving
    _one_line_exit_2(["runs", "list", "--db", url], url)
    _one_line_exit_2(["runs", "--db", url, "show", "x"], url)
    code, _, err = cli("solve", "--data", EXAMPLE, "--out", out, "--quiet", "--no-report",
                       "--db", url, "--no-record")
    assert code == 0 and err == ""
    shutil.rmtree(out)


def test_unreachable_database(tmp_path):
    url = "postgresql+psycopg://planner:n0t-shown-pw@127.0.0.1:1/plans"
    _bad_database_cases(url, tmp_path)


def test_wrong_password(postgres_url, tmp_path):
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url).set(password="wrong-Pa55word").render_as_string(False)
    _bad_database_cases(url, tmp_path)


def test_database_newer_than_the_code(db_url, tmp_path):
    from sqlalchemy import create_engine, text

    from optimiser.registry.store import Registry

    Registry.open(db_url)
    with create_engine(db_url).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    _bad_database_cases(db_url, tmp_path)


def test_not_a_database_url(tmp_path):
    _bad_database_cases("mysql://root:s3cret-pw@localhost/plans", tmp_path)
    _bad_database_cases("no-such-scheme", tmp_path)


# --- the default registry, imports, crashes ------------------------------------------------

def _optimiser(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "optimiser", *map(str, args)], env=env,
                          cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def test_solve_then_runs_list_on_a_fresh_machine(tmp_path):
    """No configuration at all: the registry is created in the user's data folder."""
    env = {k: v for k, v in os.environ.items() if k != "OPTIMISER_DATABASE_URL"}
    env["XDG_DATA_HOME"] = str(tmp_path / "data-home")
    done = _optimiser("solve", "--data", EXAMPLE, "--no-report", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    done = _optimiser("runs", "list", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["id", "created", "(UTC)", "user", "scenario", "status",
                                "objective", "decision"]
    assert len(lines) == 2 and " baseline  optimal " in lines[1]
    assert (tmp_path / "data-home" / "optimiser" / "registry.sqlite3").is_file()


IMPORTS = """
import sys
from optimiser.cli import main
try:
    main(sys.argv[1:])
except SystemExit as done:
    assert done.code == 0, done.code
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"sqlalchemy", "alembic", "psycopg"})
print(",".join(heavy))
"""


def test_solve_imports_no_sqlalchemy_without_recording_nor_on_a_ready_sqlite_file(tmp_path):
    db = f"sqlite:///{tmp_path}/new/registry.sqlite3"

    def heavy(*extra: str) -> str:
        done = subprocess.run([sys.executable, "-c", IMPORTS, "solve", "--data", str(EXAMPLE),
                               "--out", str(tmp_path / "o"), "--quiet", "--no-report", "--db",
                               db, *extra],
                              capture_output=True, text=True, check=True, cwd=tmp_path)
        return done.stdout.strip()

    assert heavy("--no-record") == ""
    assert heavy() == "alembic,sqlalchemy"  # the first run creates the registry
    assert heavy() == ""  # then the standard library records


CRASH = """
import os, sys
from optimiser.cli import main
from optimiser.registry import quick, store

def crash(*args, **kwargs):
    os._exit(9)  # killed between the insert and its commit

if sys.argv[1] == "quick":
    original = quick.QuickSqlite.add
    def add(self, record):
        execute = self.connection.execute
        class Connection:
            in_transaction = False
            def execute(self, sql, *args):
                return crash() if sql == "COMMIT" else execute(sql, *args)
        self.connection = Connection()
        original(self, record)
    quick.QuickSqlite.add = add
else:
    from sqlalchemy import event
    quick.QuickSqlite.open = classmethod(lambda cls, path: None)  # always through SQLAlchemy
    original_open = store.Registry.open.__func__
    def open_(cls, db=None):
        registry = original_open(cls, db)
        event.listen(registry.engine, "commit", crash)
        return registry
    store.Registry.open = classmethod(open_)
main(sys.argv[2:])
"""


def _crash_then_record(writer: str, db_url: str, tmp_path: Path) -> None:
    from optimiser.registry.store import Registry

    Registry.open(db_url)  # an existing registry: the stdlib writer's case
    done = subprocess.run([sys.executable, "-c", CRASH, writer, "solve", "--data", str(EXAMPLE),
                           "--out", str(tmp_path / "o"), "--quiet", "--no-report",
                           "--db", db_url], capture_output=True, text=True, cwd=tmp_path,
                          check=False)
    assert done.returncode == 9, done.stderr
    assert listed(db_url) == []
    assert solve(db_url, tmp_path / "o2", "--no-report")[0] == 0
    assert len(listed(db_url)) == 1
    if db_url.startswith("sqlite"):
        from sqlalchemy import create_engine

        with create_engine(db_url).connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_a_crash_before_the_commit_leaves_no_half_run(db_url, tmp_path):
    _crash_then_record("store", db_url, tmp_path)


def test_a_crash_before_the_commit_leaves_no_half_run_stdlib_writer(tmp_path):
    _crash_then_record("quick", f"sqlite:///{tmp_path}/registry.sqlite3", tmp_path)
