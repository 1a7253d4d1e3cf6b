"""What the web tests share: a service on a private root, a dataset zip, waiting for a run."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from optimiser.web.app import create_app
from optimiser.web.settings import Settings

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example"
SCENARIO = "name: web-test\ndescription: a web run\n"
INFEASIBLE = ("name: too-much\ndescription: impossible\nconstraints:\n"
              "  - {name: too-much, min: 100000}\n")


def make_client(tmp_path_factory: pytest.TempPathFactory):
    """A started service (registry, pool) on a private folder; yields its TestClient."""
    root = tmp_path_factory.mktemp("web")
    db = f"sqlite:///{root / 'registry.sqlite3'}"
    settings = Settings(db_url=db, root=root / "srv", workers=2, queue=4)
    with TestClient(create_app(settings)) as test_client:
        test_client.app_settings = settings
        yield test_client


def make_zip(files: dict[str, bytes], symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = 0o120777 << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def example_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in EXAMPLE.glob("*.csv")}


def upload_example(client) -> str:
    """Upload data/example as a zip; its dataset id."""
    answer = client.post("/api/datasets", files={"file": ("d.zip", make_zip(example_files()))},
                         data={"name": "example"})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def wait_run(client, run_id: str, timeout: float = 60) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        state = client.get(f"/api/runs/{run_id}").json()
        if state["status"] not in ("queued", "running"):
            return state
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish")
