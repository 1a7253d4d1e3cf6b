"""A recorded run is reproducible: its scenario text solved again on the dataset with the
recorded fingerprint gives the plan bytes that `runs export` writes back."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from optimiser.cli import main
from optimiser.registry.record import dataset_sha256

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"
DATA_FILES = ("plan.json", "allocations.csv", "foreign.csv", "delegations.csv")


def cli(*args: object) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _reproduce(db: str, tmp_path: Path, data: Path | None, scenario: Path | None,
               files: tuple[str, ...]) -> None:
    where = ["--data", data] if data else []
    chosen = ["--scenario", scenario] if scenario else []
    cli("solve", *where, *chosen, "--out", tmp_path / "original", "--no-timestamp", "--quiet",
        "--db", db)
    [run] = json.loads(cli("runs", "list", "--json", "--db", db))
    run = json.loads(cli("runs", "show", run["id"], "--json", "--db", db))
    cli("runs", "export", run["id"], "--out", tmp_path / "exported", "--db", db)

    # Someone else, later: the recorded scenario text, the dataset with the same fingerprint.
    assert dataset_sha256(Path(run["dataset"])) == run["dataset_sha256"]
    again = tmp_path / "again.yaml"
    again.write_text(run["scenario_yaml"], encoding="utf-8")
    cli("solve", "--data", run["dataset"], "--scenario", again, "--out", tmp_path / "again",
        "--no-timestamp", "--quiet", "--no-record")
    for name in files:
        exported = (tmp_path / "exported" / name).read_bytes()
        assert exported == (tmp_path / "again" / name).read_bytes(), name
        assert exported == (tmp_path / "original" / name).read_bytes(), name


def test_a_scenario_file_run_is_reproduced_byte_for_byte(db_url, tmp_path):
    scenario = tmp_path / "no-foreign.yaml"
    scenario.write_text((ROOT / "scenarios" / "no-foreign.yaml").read_text())
    files = DATA_FILES + ("report.html", "summary.md", "plan.xlsx")
    _reproduce(db_url, tmp_path, EXAMPLE, scenario, files)


def test_the_default_scenario_is_recorded_as_yaml_that_solves_the_same(tmp_path):
    _reproduce(os.environ["OPTIMISER_DATABASE_URL"], tmp_path, EXAMPLE, None, DATA_FILES)


@pytest.mark.slow
def test_the_embedded_dataset_and_its_baseline(tmp_path):
    _reproduce(os.environ["OPTIMISER_DATABASE_URL"], tmp_path, None, None, DATA_FILES)
