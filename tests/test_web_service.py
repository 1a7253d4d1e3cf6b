"""The web service end to end: API, worker pool, pages, security (SERVICE.md "Web service")."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from web_support import (
    EXAMPLE,
    INFEASIBLE,
    SCENARIO,
    example_files,
    make_client,
    make_zip,
    upload_example,
    wait_run,
)

from optimiser.web.app import create_app
from optimiser.web.settings import Settings

client = pytest.fixture(scope="module")(make_client)


@pytest.fixture(scope="module")
def example_id(client) -> str:
    return upload_example(client)


def test_health_and_openapi(client):
    assert client.get("/api/health").json() == {"status": "ok"}
    assert "/api/runs" in client.get("/openapi.json").json()["paths"]


def test_datasets_list_has_default(client, example_id, tmp_path):
    listed = {d["id"]: d for d in client.get("/api/datasets").json()}
    assert {"default", example_id} <= set(listed)
    from optimiser.registry.record import dataset_sha256

    csv_only = tmp_path / "csv"
    csv_only.mkdir()
    for name, data in example_files().items():
        (csv_only / name).write_bytes(data)
    assert listed[example_id]["sha256"] == dataset_sha256(csv_only)  # the zip held the CSVs
    assert listed[example_id]["delegations"] == 8 and listed[example_id]["posts"] > 0


def test_upload_bad_csv_names_file_and_line(client):
    files = example_files()
    lines = files["delegations.csv"].decode().splitlines()
    lines[2] = "XX" + lines[2][lines[2].index(","):]
    files["delegations.csv"] = ("\n".join(lines) + "\n").encode()
    answer = client.post("/api/datasets", files={"file": ("d.zip", make_zip(files))})
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert errors and all(set(e) == {"file", "line", "column", "value", "message"}
                          for e in errors)
    assert any(e["file"].endswith(".csv") and e["line"] for e in errors)
    assert not any("/" in e["file"] for e in errors)  # never a server path


@pytest.mark.parametrize("bad", ["../evil.csv", "/etc/posts.csv", "symlink"])
def test_upload_escaping_member_refused(client, bad):
    files = example_files()
    data = make_zip(files, symlink="posts2.csv") if bad == "symlink" else make_zip(
        {**files, bad: b"x"})
    answer = client.post("/api/datasets", files={"file": ("d.zip", data)})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["message"].endswith("refused")


def test_upload_oversize_refused(client):
    big = b"0" * (client.app_settings.upload_bytes + 1)
    answer = client.post("/api/datasets", files={"file": ("d.zip", big)})
    assert answer.status_code == 413


def test_run_optimal_matches_cli(client, example_id, tmp_path):
    answer = client.post("/api/runs", json={"dataset": example_id, "scenario_yaml": SCENARIO,
                                            "timestamp": False})
    assert answer.status_code == 202, answer.text
    run_id = answer.json()["id"]
    state = wait_run(client, run_id)
    assert state["status"] == "optimal", state
    scenario = tmp_path / "s.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    out = tmp_path / "plan"
    subprocess.run([sys.executable, "-m", "optimiser", "solve", "--data", str(EXAMPLE),
                    "--scenario", str(scenario), "--out", str(out), "--no-timestamp",
                    "--quiet", "--no-record"], check=True)
    cli_plan = (out / "plan.json").read_text(encoding="utf-8")
    assert state["plan"]["objective"] == json.loads(cli_plan)["objective"]
    web_dir = client.app_settings.runs_dir / run_id / "plan"
    assert (web_dir / "plan.json").read_text(encoding="utf-8") == cli_plan
    assert (web_dir / "report.html").read_bytes() == (out / "report.html").read_bytes()
    listed = {r["id"]: r for r in client.get("/api/runs").json()}
    assert listed[run_id]["dataset"] == "example" and listed[run_id]["dataset_id"] == example_id
    assert state["dataset"] == "example"  # the dataset's name, never the server's folder
    assert str(client.app_settings.root) not in json.dumps([state, listed[run_id]])
    report = client.get(f"/runs/{run_id}/report.html")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    assert client.get(f"/runs/{run_id}/plan.xlsx").status_code == 200
    adopted = client.post(f"/api/runs/{run_id}/adopt", json={"note": "approved"})
    assert adopted.status_code == 200
    assert adopted.json()["decision"] == "adopted"
    assert adopted.json()["decision_note"] == "approved"


def test_bad_scenario_is_422(client):
    answer = client.post("/api/runs", json={"dataset": "default",
                                            "scenario_yaml": "name: x\nparameters: {nope: 1}\n"})
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert errors[0]["file"] == "scenario.yaml" and errors[0]["line"] == 2


def test_infeasible_run_has_conflict(client, example_id):
    run_id = client.post("/api/runs", json={"dataset": example_id,
                                            "scenario_yaml": INFEASIBLE}).json()["id"]
    state = wait_run(client, run_id)
    assert state["status"] == "infeasible"
    assert state["conflict"]["conflict"]["rules"]
    assert client.post(f"/api/runs/{run_id}/adopt", json={"note": "x"}).status_code == 409


def test_pages_csrf_and_escaping(client, example_id):
    form = client.get("/runs/new?lang=ar")
    assert form.status_code == 200 and 'dir="rtl"' in form.text
    evil = 'name: evil\ndescription: "<script>alert(1)</script>"\n'
    refused = client.post("/runs/new", data={"dataset": example_id, "scenario_yaml": evil},
                          cookies={"optimiser_csrf": "abc"})
    assert refused.status_code == 403
    token = client.cookies.get("optimiser_csrf")
    sent = client.post("/runs/new", data={"dataset": example_id, "scenario_yaml": evil,
                                          "csrf_token": token}, follow_redirects=False)
    assert sent.status_code == 303
    run_id = sent.headers["location"].split("/")[2].split("?")[0]
    wait_run(client, run_id)
    page = client.get(f"/runs/{run_id}")
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    assert "lang=\"fr\"" in page.text
    assert run_id in client.get("/").text


def test_token_required_when_auth_on(tmp_path):
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'r.sqlite3'}", root=tmp_path / "srv",
                        workers=1, tokens=("s3cret-token",))
    with TestClient(create_app(settings)) as test_client:
        assert test_client.get("/api/health").status_code == 200
        assert test_client.get("/api/runs").status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        assert test_client.get("/api/runs", headers=wrong).status_code == 401
        right = {"Authorization": "Bearer s3cret-token"}
        assert test_client.get("/api/runs", headers=right).status_code == 200


def test_non_local_host_refused_without_auth():
    from click.testing import CliRunner

    from optimiser.cli import main

    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "--auth" in result.output


def test_full_queue_answers_503_with_retry_after(tmp_path):
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'r.sqlite3'}", root=tmp_path / "srv",
                        workers=1, queue=0)
    with TestClient(create_app(settings)) as test_client:
        body = {"dataset": "default", "scenario_yaml": SCENARIO}
        first = test_client.post("/api/runs", json=body)
        assert first.status_code == 202
        second = test_client.post("/api/runs", json=body)
        assert second.status_code == 503 and second.headers["retry-after"]
        assert wait_run(test_client, first.json()["id"])["status"] == "optimal"


HORIZON_SCENARIO = """\
name: two-years
parameters:
  horizon: {start: 2024, end: 2025, mode: rolling}
"""


def test_run_over_several_years_matches_cli(client, tmp_path):
    """A scenario with parameters.horizon is planned over its years, as `optimiser solve`
    does (the embedded dataset has cohorts.csv), never silently as one year."""
    answer = client.post("/api/runs", json={"dataset": "default",
                                            "scenario_yaml": HORIZON_SCENARIO,
                                            "timestamp": False})
    assert answer.status_code == 202, answer.text
    state = wait_run(client, answer.json()["id"], timeout=120)
    assert state["status"] == "optimal", state
    scenario = tmp_path / "s.yaml"
    scenario.write_text(HORIZON_SCENARIO, encoding="utf-8")
    out = tmp_path / "plan"
    subprocess.run([sys.executable, "-m", "optimiser", "solve", "--scenario", str(scenario),
                    "--out", str(out), "--no-timestamp", "--quiet", "--no-record",
                    "--no-report"], check=True)
    cli_plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert [y["year"] for y in cli_plan["years"]] == [2024, 2025]
    assert state["plan"]["objective"] == cli_plan["objective"]
    web_plan = client.app_settings.runs_dir / answer.json()["id"] / "plan" / "plan.json"
    assert json.loads(web_plan.read_text(encoding="utf-8"))["years"] == cli_plan["years"]
