"""A real `optimiser serve` in a child process, on a free local port, with private folders.

The browser tests, the README screenshots and the load benchmark all need the service as a
planner runs it (uvicorn, worker processes, a registry file), not the in-process test client,
and none of them may touch the user's own registry or data folder: the child gets its own
XDG_DATA_HOME and database. Stopping it stops its workers too (they are its children).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

START_TIMEOUT_S = 60.0


class ServiceDidNotStart(RuntimeError):
    """The child exited or never answered /api/health; the message holds its output."""


@dataclass(frozen=True)
class LiveService:
    """A running service: where it answers, its process, and the folder it writes in."""

    url: str
    process: subprocess.Popen
    home: Path

    @property
    def pid(self) -> int:
        """The server's process id (its workers are its children)."""
        return self.process.pid


def free_port() -> int:
    """A port nothing listens on now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceDidNotStart(f"optimiser serve exited ({process.returncode}):\n"
                                     f"{log.read_text(errors='replace')[-4000:]}")
        try:
            if httpx.get(f"{url}/api/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise ServiceDidNotStart(f"optimiser serve did not answer within {START_TIMEOUT_S:.0f} s:\n"
                             f"{log.read_text(errors='replace')[-4000:]}")


@contextmanager
def live_service(home: Path, workers: int = 2, extra: tuple[str, ...] = ()
                 ) -> Iterator[LiveService]:
    """`optimiser serve` on 127.0.0.1 with XDG_DATA_HOME=`home`; stopped on exit."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, "XDG_DATA_HOME": str(home),
           "OPTIMISER_DATABASE_URL": f"sqlite:///{home / 'registry.sqlite3'}"}
    log = home / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "optimiser", "serve", "--port", str(port),
             "--workers", str(workers), *extra],
            env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, log)
        yield LiveService(url, process, home)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # uvicorn's graceful stop: workers shut down
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
