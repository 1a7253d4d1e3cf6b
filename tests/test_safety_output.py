"""No user file is ever lost: what --out may replace, signals, stale temp folders, concurrent
writers, interrupted sweeps, byte-stable folders (issue 10, "Data loss" and "Reproducibility")."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from tiny import solve

from optimiser.cli import main
from optimiser.cli_support import Interrupted
from optimiser.folders import MARKER, OutputBusy, write_folder

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"


def _user_folder(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "notes.txt").write_text("keep me", encoding="utf-8")
    return path


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".optimiser-"))


def _sweep_scenario(tmp_path: Path) -> Path:
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump({"name": "sw", "constraints": [
        {"name": "floor", "region": "TTAH", "min": 0}]}), encoding="utf-8")
    return path


# --- what --out may replace --------------------------------------------------------------

@pytest.mark.parametrize("command", ["solve", "sweep", "compare"])
def test_a_folder_of_user_files_is_never_replaced(tmp_path, command):
    out = _user_folder(tmp_path / "mine")
    scenario = _sweep_scenario(tmp_path)
    args = {
        "solve": ["solve", "--data", str(EXAMPLE), "--out", str(out)],
        "sweep": ["sweep", str(scenario), "--data", str(EXAMPLE), "--vary",
                  "constraints.floor.min=0,1", "--out", str(out)],
        "compare": ["compare", str(scenario), str(scenario), "--data", str(EXAMPLE),
                    "--out", str(out)],
    }[command]
    code, output = _invoke(*args)
    assert code == 2, output
    assert str(out) in output and "notes.txt" in output
    assert sorted(os.listdir(out)) == ["notes.txt"]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert _leftovers(tmp_path) == []


def test_files_added_to_a_plan_folder_protect_it(tmp_path):
    out = tmp_path / "plan"
    assert solve(EXAMPLE, None, out)[0] == 0
    (out / "minutes.docx").write_text("the planners' notes", encoding="utf-8")
    code, output, _ = solve(EXAMPLE, None, out)
    assert code == 2 and "minutes.docx" in output
    assert (out / "minutes.docx").exists()


def test_current_folder_dataset_and_their_parents_are_refused(tmp_path, monkeypatch):
    data = tmp_path / "work" / "data"
    data.parent.mkdir()
    import shutil

    shutil.copytree(EXAMPLE, data)
    monkeypatch.chdir(data.parent)
    for out in (".", str(data), str(tmp_path), "/", ".."):
        before = sorted(os.listdir(data))
        code, output = _invoke("solve", "--data", str(data), "--out", out, "--no-report")
        assert code == 2, (out, output)
        assert "choose a new folder for --out" in output
        assert sorted(os.listdir(data)) == before


def test_a_file_or_a_symlink_is_not_an_out_folder(tmp_path):
    a_file = tmp_path / "plan.txt"
    a_file.write_text("mine", encoding="utf-8")
    code, output, _ = solve(EXAMPLE, None, a_file)
    assert code == 2 and "is a file" in output
    assert a_file.read_text(encoding="utf-8") == "mine"
    target = tmp_path / "target"
    assert solve(EXAMPLE, None, target)[0] == 0  # even a folder optimiser wrote
    link = tmp_path / "link"
    link.symlink_to(target)
    code, output, _ = solve(EXAMPLE, None, link)
    assert code == 2 and "symbolic link" in output
    assert link.is_symlink()


def test_an_empty_folder_and_a_long_name_are_fine(tmp_path):
    out = tmp_path / ("p" * 250)  # the temp folder beside it must not be longer than 255
    out.mkdir()
    code, output, plan = solve(EXAMPLE, None, out)
    assert code == 0, output
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert marker["tool"] == "optimiser" and marker["kind"] == "plan"
    assert set(marker["files"]) == set(os.listdir(out)) - {MARKER}
    assert _leftovers(tmp_path) == []


def test_report_command_writes_only_into_plan_folders(tmp_path):
    mine = _user_folder(tmp_path / "mine")
    (mine / "plan.json").write_text("{}", encoding="utf-8")
    code, output = _invoke("report", str(mine))
    assert code == 2 and "notes.txt" in output
    assert sorted(os.listdir(mine)) == ["notes.txt", "plan.json"]


def test_explain_json_never_replaces_a_user_file(tmp_path):
    scenario = _sweep_scenario(tmp_path)
    target = tmp_path / "explain.json"
    target.write_text("my own notes", encoding="utf-8")
    code, output = _invoke("explain", str(scenario), "--data", str(EXAMPLE), "--json",
                           str(target))
    assert code == 2 and "not written by optimiser" in output
    assert target.read_text(encoding="utf-8") == "my own notes"
    target.unlink()
    assert _invoke("explain", str(scenario), "--data", str(EXAMPLE), "--json",
                   str(target))[0] == 0
    assert _invoke("explain", str(scenario), "--data", str(EXAMPLE), "--json",
                   str(target))[0] == 0  # its own file is replaced


# --- signals and killed runs ---------------------------------------------------------------

def _start_solve(out: Path) -> subprocess.Popen:
    """`optimiser solve` on the embedded dataset with the report (a second or more of writing)."""
    return subprocess.Popen([sys.executable, "-m", "optimiser", "solve", "--out", str(out),
                             "--quiet", "--no-record"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for_temp(parent: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if any(".tmp-" in name for name in _leftovers(parent)):
            return
        time.sleep(0.002)
    pytest.fail("the run never started writing its temp folder")


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_writing_keeps_the_old_plan(tmp_path, signum):
    out = tmp_path / "plan"
    assert solve(EXAMPLE, None, out)[0] == 0
    for attempt in range(3):
        before = {p.name: p.read_bytes() for p in out.iterdir()}
        process = _start_solve(out)
        _wait_for_temp(tmp_path, process)
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=120)
        if process.returncode != 0 or attempt == 2:
            break  # 0: on a loaded machine the run finished before the signal; try again
    assert process.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert _leftovers(tmp_path) == []


@pytest.mark.slow
def test_a_killed_run_leaves_a_temp_folder_that_the_next_run_removes(tmp_path):
    out = tmp_path / "plan"
    process = _start_solve(out)
    _wait_for_temp(tmp_path, process)
    process.kill()
    process.communicate(timeout=60)
    assert not out.exists()
    assert any(".tmp-" in name for name in _leftovers(tmp_path))  # SIGKILL cannot clean up
    code, output, _ = solve(EXAMPLE, None, out)
    assert code == 0, output
    assert _leftovers(tmp_path) == []


def test_temp_folders_of_the_previous_version_are_cleaned(tmp_path):
    out = tmp_path / "plan"
    old = tmp_path / ".plan.ab12cd_3"
    old.mkdir()
    (old / "plan.json").write_text("{}", encoding="utf-8")
    backup = tmp_path / ".plan.old.zz99yy00" / "plan"
    backup.mkdir(parents=True)
    (backup / "allocations.csv").write_text("", encoding="utf-8")
    mine = tmp_path / ".plan.notes123"  # same shape, but not output files: kept
    mine.mkdir()
    (mine / "thesis.tex").write_text("", encoding="utf-8")
    assert solve(EXAMPLE, None, out)[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".plan.notes123", "plan"]


# --- concurrent writers ----------------------------------------------------------------------

def _writer(out: str, rounds: int, results: multiprocessing.Queue) -> None:
    busy = 0

    def fill(folder: Path) -> None:
        (folder / "plan.json").write_text(json.dumps({"pid": os.getpid()}), encoding="utf-8")
        (folder / "allocations.csv").write_text("x\n" * 100, encoding="utf-8")

    for _ in range(rounds):
        try:
            write_folder(Path(out), fill, "plan")
        except OutputBusy:
            busy += 1
    results.put(busy)


def test_concurrent_writers_never_leave_the_folder_absent_or_litter(tmp_path):
    out = tmp_path / "plan"
    write_folder(out, lambda f: (f / "plan.json").write_text("{}"), "plan")
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    writers = [context.Process(target=_writer, args=(str(out), 60, results)) for _ in range(5)]
    missing: list[str] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set() and len(missing) < 10:
            try:
                json.loads((out / "plan.json").read_text(encoding="utf-8"))
            except (FileNotFoundError, ValueError) as exc:
                missing.append(repr(exc))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        for process in writers:
            process.start()
        for process in writers:
            process.join(timeout=300)
    finally:
        stop.set()
        reader.join()
    assert all(p.exitcode == 0 for p in writers)
    busy = sum(results.get(timeout=5) for _ in writers)
    assert busy < 5 * 60  # some writes won; the others failed cleanly with OutputBusy
    assert missing == []  # a reader never saw the folder absent or a half-written plan.json
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]
    assert sorted(os.listdir(out)) == [MARKER, "allocations.csv", "plan.json"]


# --- interrupted sweeps ----------------------------------------------------------------------

def test_an_interrupted_sweep_keeps_its_points_and_resumes(tmp_path, monkeypatch):
    import optimiser.whatif.sweep as sweep

    scenario = _sweep_scenario(tmp_path)
    args = ["sweep", str(scenario), "--data", str(EXAMPLE), "--vary",
            "constraints.floor.min=0:11:1", "--quiet"]
    full = tmp_path / "full"
    assert _invoke(*args, "--out", str(full))[0] == 0

    out = tmp_path / "cut"
    real, calls = sweep.PointSolver.row, []

    def interrupted_after_five(self, point, inputs=None):
        calls.append(point)
        if len(calls) == 6:
            raise Interrupted(signal.SIGINT)
        return real(self, point, inputs)

    monkeypatch.setattr(sweep.PointSolver, "row", interrupted_after_five)
    with pytest.raises(Interrupted):
        CliRunner().invoke(main, [*args, "--out", str(out)],
                                           catch_exceptions=False)
    monkeypatch.setattr(sweep.PointSolver, "row", real)
    partial = (out / "sweep.csv").read_text(encoding="utf-8").splitlines()
    assert len(partial) == 1 + 5
    assert json.loads((out / MARKER).read_text(encoding="utf-8"))["complete"] is False

    code, output = _invoke(*args, "--out", str(out), "--resume")
    assert code == 0, output

    def solved(folder: Path) -> list[list[str]]:
        import csv

        rows = list(csv.reader((folder / "sweep.csv").open(encoding="utf-8")))
        keep = [i for i, c in enumerate(rows[0]) if c not in ("model", "seconds")]
        return [[row[i] for i in keep] for row in rows]

    assert solved(out) == solved(full)
    assert not (out / "sweep.partial.json").exists()
    code, output = _invoke(*args, "--out", str(out), "--resume")
    assert code == 0 and "nothing to resume" in output


def test_resume_refuses_another_sweep(tmp_path, monkeypatch):
    import optimiser.whatif.sweep as sweep

    scenario = _sweep_scenario(tmp_path)
    out = tmp_path / "cut"
    real = sweep.PointSolver.row
    calls = []

    def interrupted(self, point, inputs=None):
        calls.append(point)
        if len(calls) == 3:
            raise Interrupted(signal.SIGTERM)
        return real(self, point, inputs)

    monkeypatch.setattr(sweep.PointSolver, "row", interrupted)
    base = ["sweep", str(scenario), "--data", str(EXAMPLE), "--quiet", "--out", str(out)]
    with pytest.raises(Interrupted):
        CliRunner().invoke(main, [*base, "--vary", "constraints.floor.min=0:9:1"],
                           catch_exceptions=False)
    monkeypatch.setattr(sweep.PointSolver, "row", real)
    code, output = _invoke(*base, "--vary", "constraints.floor.min=0:19:1", "--resume")
    assert code == 2 and "another scenario file, dataset, grid" in output


def test_sweep_grid_beyond_the_limit_is_refused_before_anything(tmp_path):
    scenario = _sweep_scenario(tmp_path)
    code, output = _invoke("sweep", str(scenario), "--data", str(EXAMPLE), "--vary",
                           "constraints.floor.min=0:1000:1", "--vary",
                           "parameters.absence_penalty=0:1000:1", "--out", str(tmp_path / "o"))
    assert code == 2 and "OPTIMISER_MAX_SWEEP_POINTS" in output
    assert not (tmp_path / "o").exists()


# --- reproducible folders, strict JSON, error files ------------------------------------------

def test_no_timestamp_gives_byte_identical_plan_folders(tmp_path):
    folders = []
    for name in ("one", "two"):
        out = tmp_path / name
        code, output = _invoke("solve", "--data", str(EXAMPLE), "--out", str(out),
                               "--no-timestamp", "--quiet")
        assert code == 0, output
        folders.append({p.name: p.read_bytes() for p in out.iterdir()})
    assert folders[0].keys() == folders[1].keys()
    assert "report.html" in folders[0] and "plan.xlsx" in folders[0]
    for name in folders[0]:
        assert folders[0][name] == folders[1][name], name
    plan = json.loads(folders[0]["plan.json"])
    assert plan["build_seconds"] is None and plan["solve_seconds"] is None


def test_plan_json_is_strict_json():
    from optimiser.output import plan_json_text

    with pytest.raises(ValueError):
        plan_json_text({"objective": float("inf")})


def test_forbid_paradox_implies_the_monotone_check(tmp_path):
    out = tmp_path / "o"
    code, output = _invoke("solve", "--data", str(EXAMPLE), "--out", str(out), "--quiet",
                           "--no-report", "--forbid-paradox")
    assert code == 0, output
    assert "monotone" in json.loads((out / "plan.json").read_text(encoding="utf-8"))


def test_errors_are_capped_on_the_terminal_and_complete_in_the_errors_file(tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(EXAMPLE, data)
    with (data / "posts.csv").open("a", encoding="utf-8") as handle:
        handle.writelines(f"2024,NOPE{i},1\n" for i in range(120))
    errors = tmp_path / "errors.txt"
    code, output = _invoke("solve", "--data", str(data), "--out", str(tmp_path / "o"),
                           "--errors-file", str(errors))
    assert code == 2
    assert output.count("posts.csv:") == 50
    assert "and 70 more error(s) in posts.csv" in output and str(errors) in output
    assert errors.read_text(encoding="utf-8").count("posts.csv:") == 120
    mine = tmp_path / "mine.txt"
    mine.write_text("my file", encoding="utf-8")
    code, output = _invoke("solve", "--data", str(data), "--out", str(tmp_path / "o"),
                           "--errors-file", str(mine))
    assert code == 2 and mine.read_text(encoding="utf-8") == "my file"
