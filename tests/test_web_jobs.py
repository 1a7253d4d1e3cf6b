"""The run-time of the web service: worker processes, queue bound, cancel, crashes, progress.

The tasks below are test doubles of worker.Job (they sleep, ignore SIGTERM, start a child of
their own, or die): the pool runs them in spawned processes, which import this module by name
(pytest puts tests/ on sys.path, and spawn passes sys.path to the children).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_support import SCENARIO, upload_example, wait_run

from optimiser.registry.record import new_run_id, now_utc
from optimiser.web.app import create_app
from optimiser.web.jobs import RunPool, WorkerStopped
from optimiser.web.settings import Settings
from optimiser.web.worker import RUNNING_MARK, SCENARIO_FILE, Job

CSRF = "optimiser_csrf"


@dataclass(frozen=True)
class SleepingJob(Job):
    """Holds a worker until cancelled (says it started by touching the running mark)."""

    seconds: float = 60.0

    def execute(self) -> str:
        (self.run_dir / RUNNING_MARK).write_text(str(os.getpid()))
        time.sleep(self.seconds)
        return "slept"


@dataclass(frozen=True)
class StubbornJob(SleepingJob):
    """Ignores SIGTERM and starts a process of its own: only SIGKILL of its group ends both."""

    def execute(self) -> str:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        child = subprocess.Popen(["sleep", "60"])
        (self.run_dir / "grandchild").write_text(str(child.pid))
        return super().execute()


@dataclass(frozen=True)
class CrashingJob(Job):
    """Dies without a word, as a worker killed for memory would."""

    def execute(self) -> str:
        os._exit(3)


@dataclass(frozen=True)
class Note:
    """Not a Job (as a sweep task): appends its id to a file, so the order of starts shows."""

    run_id: str
    run_dir: Path
    fail: bool = False

    def execute(self) -> str:
        with (self.run_dir / "order.txt").open("a") as out:
            out.write(self.run_id + "\n")
        if self.fail:
            raise ValueError("no good")
        return f"noted {self.run_id}"


def wait_for(condition: Callable[[], object], timeout: float = 20) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.05)


def gone(pid: int) -> bool:
    """No such process, or only a zombie (for processes not ours to reap)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One worker, one place in the queue: the smallest pool that can queue and refuse."""
    root = tmp_path_factory.mktemp("web-jobs")
    settings = Settings(db_url=f"sqlite:///{root / 'registry.sqlite3'}", root=root / "srv",
                        workers=1, queue=1)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def idle_pool(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts and leaves the shared pool with nothing queued or running."""
    yield
    if "client" in request.fixturenames:
        pool = request.getfixturevalue("client").app.state.service.pool
        for run_id in pool.active():
            pool.cancel(run_id)
        wait_for(lambda: pool.unfinished() == 0)


def submit_job(client: TestClient, kind: type[Job] = SleepingJob, **fields: object) -> Job:
    """Queue a test job on the embedded dataset, as Service.submit queues a real one."""
    service = client.app.state.service
    created = now_utc()
    run_id = new_run_id(created)
    run_dir = service.settings.runs_dir / run_id
    run_dir.mkdir(parents=True)
    (run_dir / SCENARIO_FILE).write_text(f"name: {kind.__name__}\n", encoding="utf-8")
    job = kind(run_id, created, service.settings.db_url, service.datasets.folder("default"),
               run_dir, user="amina", **fields)
    service.pool.submit(job)
    return job


def started(job: Job) -> int:
    """Wait until the job runs in its process; that process's pid."""
    wait_for(lambda: (job.run_dir / RUNNING_MARK).is_file()
             and (job.run_dir / RUNNING_MARK).read_text())
    return int((job.run_dir / RUNNING_MARK).read_text())


def submit_run(client: TestClient, dataset: str = "default", scenario: str = SCENARIO) -> str:
    answer = client.post("/api/runs", json={"dataset": dataset, "scenario_yaml": scenario})
    assert answer.status_code == 202, answer.text
    return answer.json()["id"]


def test_cancel_queued_run_never_starts(client):
    holder = submit_job(client)
    queued = submit_run(client)
    state = client.get(f"/api/runs/{queued}").json()
    assert state["status"] == "queued" and state["position"] == 1
    assert state["started_at"] is None and state["queued_at"]
    answer = client.post(f"/api/runs/{queued}/cancel")
    assert answer.status_code == 200
    assert answer.json()["status"] == "cancelled"
    row = client.app.state.service.registry.get(queued)
    assert row.status == "cancelled" and row.id == queued
    assert row.messages[0].startswith("cancelled by ") and row.messages[0].endswith("queued")
    client.post(f"/api/runs/{holder.run_id}/cancel")  # the worker is free: still never starts
    pool = client.app.state.service.pool
    wait_for(lambda: pool.unfinished() == 0)
    time.sleep(0.5)
    assert pool.info(queued)["started_at"] is None
    assert not (client.app.state.service.settings.runs_dir / queued / RUNNING_MARK).exists()
    assert client.post(f"/api/runs/{queued}/cancel").status_code == 409
    assert client.post("/api/runs/20990101-000000-abcdef/cancel").status_code == 404


@pytest.mark.parametrize("kind", [SleepingJob, StubbornJob])
def test_cancel_running_run_ends_its_processes(client, kind):
    job = submit_job(client, kind)
    pid = started(job)
    assert client.app.state.service.pool.info(job.run_id)["pid"] == pid
    grandchild = None
    if kind is StubbornJob:
        wait_for(lambda: (job.run_dir / "grandchild").is_file())
        grandchild = int((job.run_dir / "grandchild").read_text())
    answer = client.post(f"/api/runs/{job.run_id}/cancel")
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
    wait_for(lambda: not Path(f"/proc/{pid}").exists(), timeout=10)  # ended and reaped
    if grandchild is not None:
        wait_for(lambda: gone(grandchild), timeout=5)
    row = client.app.state.service.registry.get(job.run_id)
    assert row.status == "cancelled" and row.created_by == "amina"
    assert "while running" in row.messages[0]


@pytest.mark.parametrize("how", ["exit", "sigkill"])
def test_worker_crash_is_recorded_and_next_run_completes(client, how):
    if how == "exit":
        job = submit_job(client, CrashingJob)
        expected = "exited with code 3"
    else:
        job = submit_job(client)
        os.kill(started(job), signal.SIGKILL)
        expected = "killed by SIGKILL"
    state = wait_run(client, job.run_id, timeout=30)
    assert state["status"] == "error", state
    assert client.get("/api/health").json() == {"status": "ok"}
    row = client.app.state.service.registry.get(job.run_id)
    assert row.status == "error" and expected in row.messages[0]
    assert row.created_by == "amina" and row.scenario == job.__class__.__name__
    dataset = upload_example(client)
    run_id = submit_run(client, dataset)
    solved = wait_run(client, run_id)
    assert solved["status"] == "optimal"
    plan = client.app.state.service.settings.runs_dir / run_id / "plan" / "plan.json"
    assert solved["plan"]["objective"] == json.loads(plan.read_text())["objective"]


def test_full_queue_answers_503_until_a_place_frees(client):
    holder = submit_job(client)
    queued = submit_run(client)
    folders = set(client.app.state.service.settings.runs_dir.iterdir())
    refused = client.post("/api/runs", json={"dataset": "default", "scenario_yaml": SCENARIO})
    assert refused.status_code == 503 and int(refused.headers["retry-after"]) > 0
    assert set(client.app.state.service.settings.runs_dir.iterdir()) == folders  # no leftover
    client.post(f"/api/runs/{queued}/cancel")
    again = client.post("/api/runs", json={"dataset": "default", "scenario_yaml": SCENARIO})
    assert again.status_code == 202
    assert client.app.state.service.pool.active() == [holder.run_id, again.json()["id"]]


def test_progress_fragment_polls_then_refreshes(client):
    holder = submit_job(client)
    queued = submit_run(client)
    page = client.get(f"/runs/{queued}/progress?lang=en")
    assert page.status_code == 200 and "hx-refresh" not in page.headers
    text = page.text
    assert f'hx-get="/runs/{queued}/progress?lang=en"' in text
    assert 'hx-trigger="every 2s"' in text and 'hx-swap="outerHTML"' in text
    assert f'action="/runs/{queued}/cancel?lang=en"' in text
    assert f'name="csrf_token" value="{client.cookies.get(CSRF)}"' in text
    assert "Queued" in text and '<strong class="queue-position">1</strong>' in text
    started(holder)
    running = client.get(f"/runs/{holder.run_id}/progress?lang=ar").text
    assert "جارٍ الحساب" in running and "إلغاء هذا الحساب" in running
    client.post(f"/api/runs/{holder.run_id}/cancel")
    assert wait_run(client, queued)["status"] == "optimal"
    done = client.get(f"/runs/{queued}/progress")
    assert done.status_code == 200 and done.headers["hx-refresh"] == "true"
    assert "hx-get" not in done.text and "csrf_token" not in done.text
    assert client.get("/runs/20990101-000000-abcdef/progress").status_code == 404
    assert client.get("/runs/..%2Fetc/progress").status_code == 404


def test_cancel_form_requires_csrf(client):
    job = submit_job(client)
    client.get(f"/runs/{job.run_id}/progress")  # sets the CSRF cookie
    token = client.cookies.get(CSRF)
    refused = client.post(f"/runs/{job.run_id}/cancel", data={"csrf_token": "wrong"})
    assert refused.status_code == 403
    assert client.app.state.service.pool.state(job.run_id) in ("queued", "running")
    sent = client.post(f"/runs/{job.run_id}/cancel?lang=en", data={"csrf_token": token},
                       follow_redirects=False)
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/runs/{job.run_id}?lang=en"
    assert client.get(f"/api/runs/{job.run_id}").json()["status"] == "cancelled"


def test_pool_runs_fifo_and_reports_task_errors(tmp_path):
    crashes: list[tuple[str, BaseException]] = []
    pool = RunPool(1, 3, on_crash=lambda task, error: crashes.append((task.run_id, error)))
    try:
        for name, fail in (("a", False), ("b", True), ("c", False)):
            pool.submit(Note(name, tmp_path, fail))
        wait_for(lambda: pool.unfinished() == 0, timeout=60)
        assert (tmp_path / "order.txt").read_text().split() == ["a", "b", "c"]
        assert [pool.state(n) for n in "abc"] == ["done", "crashed", "done"]
        assert pool.info("c")["result"] == "noted c"
        [(run_id, error)] = crashes
        assert run_id == "b" and isinstance(error, WorkerStopped)
        assert "ValueError: no good" in str(error)
    finally:
        assert pool.shutdown() == []


def test_stop_ends_children_and_records_their_runs(tmp_path):
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'r.sqlite3'}", root=tmp_path / "srv",
                        workers=1, queue=1)
    with TestClient(create_app(settings)) as test_client:
        running = submit_job(test_client)
        queued = submit_job(test_client)
        pid = started(running)
        service = test_client.app.state.service
    assert not Path(f"/proc/{pid}").exists()  # terminated and reaped, no zombie
    with TestClient(create_app(settings)) as test_client:
        for job in (running, queued):
            state = test_client.get(f"/api/runs/{job.run_id}").json()
            assert state["status"] == "cancelled"
            assert "the service stopped" in state["messages"][0]
    assert service.pool.active() == []


def test_runs_of_a_killed_service_are_recorded_on_restart(tmp_path):
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'r.sqlite3'}", root=tmp_path / "srv",
                        workers=1, queue=1)
    run_id = new_run_id(now_utc())
    (settings.runs_dir / run_id).mkdir(parents=True)
    (settings.runs_dir / run_id / SCENARIO_FILE).write_text("name: lost\n", encoding="utf-8")
    (settings.runs_dir / "not-a-run").mkdir()
    with TestClient(create_app(settings)) as test_client:
        state = test_client.get(f"/api/runs/{run_id}").json()
        assert state["status"] == "error" and state["scenario"] == "lost"
        assert state["messages"] == ["error: the service stopped before this run finished"]
        assert [r["id"] for r in test_client.get("/api/runs").json()] == [run_id]
