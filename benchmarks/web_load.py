"""The web service under load: many planners submitting runs at once (`optimiser serve`).

    python -m benchmarks.web_load                        # 100 runs, 20 clients
    python -m benchmarks.web_load --runs 20 --clients 5  # a smaller load
    python -m benchmarks.web_load --workers 2 --retries 8

`optimiser serve` is started as its own process on a free port, with a private data folder
(XDG_DATA_HOME) and its own SQLite registry. Each client is a thread with its own HTTP
connection that takes the next run to do, submits it (POST /api/runs on the embedded
`default` dataset, `absence_penalty` varied so no two neighbouring runs are the same), and on
503 or 429 waits Retry-After and tries again, at most --retries times before giving that run
up. An accepted run is followed (GET /api/runs/{id} every --poll seconds, as the run page
does) until it finishes; then the client takes the next run. Printed: runs accepted, refused
answers and runs given up, completed runs by status, runs lost (accepted but never finished:
must be 0, else the exit status is 1), wall time and runs/s, the latency of the polls (the
pages must not wait for the solves), and the server's resident memory with its worker
processes (sampled from /proc every 0.2 s) at its peak against idle, as ratios.
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from optimiser.web.live import live_service

ROOT = Path(__file__).resolve().parents[1]
FINISHED = ("optimal", "feasible", "infeasible", "error", "cancelled")
PAGE = os.sysconf("SC_PAGE_SIZE")


def scenario(index: int) -> str:
    return (f"name: load-{index:03d}\ndescription: web load benchmark run {index}\n"
            f"parameters:\n  absence_penalty: {2 + index % 5}\n")


def tree_rss(pid: int) -> tuple[int, int, int]:
    """Resident bytes of the process and of it with all its descendants; the number of
    worker processes among them (not counting multiprocessing's resource tracker)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
            pages = int(Path(f"/proc/{entry.name}/statm").read_text().split()[1])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        rss[int(entry.name)] = pages * PAGE
    family, todo = set(), [pid]
    while todo:
        current = todo.pop()
        family.add(current)
        todo.extend(child for child, parent in parents.items() if parent == current)
    return rss.get(pid, 0), sum(rss.get(p, 0) for p in family), sum(map(_worker, family))


def _worker(pid: int) -> bool:
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return False


@dataclass
class Memory:
    """Samples of the server's memory, every 0.2 s, in a thread."""

    pid: int
    peak_server: int = 0
    peak_total: int = 0
    peak_children: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def sample(self) -> None:
        while not self.stop.wait(0.2):
            server, total, children = tree_rss(self.pid)
            self.peak_server = max(self.peak_server, server)
            self.peak_total = max(self.peak_total, total)
            self.peak_children = max(self.peak_children, children)


@dataclass
class Tally:
    """What the clients saw (one lock for all of them)."""

    accepted: int = 0
    refused: int = 0
    given_up: int = 0
    other: int = 0
    lost: list[str] = field(default_factory=list)
    statuses: collections.Counter = field(default_factory=collections.Counter)
    polls: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def client(base: str, todo: collections.deque, tally: Tally, args: argparse.Namespace) -> None:
    """Take runs until none is left: submit (retrying on 503/429), follow it to its end."""
    with httpx.Client(base_url=base, timeout=60) as http:
        while True:
            try:
                index = todo.popleft()
            except IndexError:
                return
            run_id = submit(http, index, tally, args.retries)
            if run_id is not None:
                follow(http, run_id, tally, args)


def submit(http: httpx.Client, index: int, tally: Tally, retries: int) -> str | None:
    body = {"dataset": "default", "scenario_yaml": scenario(index)}
    for attempt in range(retries + 1):
        answer = http.post("/api/runs", json=body)
        if answer.status_code == 202:
            with tally.lock:
                tally.accepted += 1
            return answer.json()["id"]
        if answer.status_code not in (429, 503):
            with tally.lock:
                tally.other += 1
            print(f"run {index}: unexpected {answer.status_code} {answer.text[:200]}",
                  file=sys.stderr)
            return None
        with tally.lock:
            tally.refused += 1
        if attempt < retries:
            time.sleep(float(answer.headers.get("retry-after", "5")))
    with tally.lock:
        tally.given_up += 1
    return None


def follow(http: httpx.Client, run_id: str, tally: Tally, args: argparse.Namespace) -> None:
    end = time.monotonic() + args.run_timeout
    while time.monotonic() < end:
        start = time.perf_counter()
        answer = http.get(f"/api/runs/{run_id}")
        elapsed = time.perf_counter() - start
        status = answer.json().get("status") if answer.status_code == 200 else None
        with tally.lock:
            tally.polls.append(elapsed)
        if status in FINISHED:
            with tally.lock:
                tally.statuses[status] += 1
            return
        time.sleep(args.poll)
    with tally.lock:
        tally.lost.append(run_id)


def idle_rss(pid: int) -> int:
    """The idle server's resident bytes (median of 5 samples over a second)."""
    samples = []
    for _ in range(5):
        samples.append(tree_rss(pid)[1])
        time.sleep(0.2)
    return int(statistics.median(samples))


def run_load(args: argparse.Namespace, home: Path) -> int:
    with live_service(home, workers=args.workers) as service:
        idle = idle_rss(service.pid)
        memory = Memory(service.pid)
        sampler = threading.Thread(target=memory.sample, daemon=True)
        sampler.start()
        tally, todo = Tally(), collections.deque(range(args.runs))
        start = time.perf_counter()
        threads = [threading.Thread(target=client, args=(service.url, todo, tally, args))
                   for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - start
        memory.stop.set()
        sampler.join()
        left = tree_rss(service.pid)[2]
    report(args, tally, wall, idle, memory, left)
    return 1 if tally.lost or tally.other else 0


def report(args: argparse.Namespace, tally: Tally, wall: float, idle: int, memory: Memory,
           left: int) -> None:
    completed = sum(tally.statuses.values())
    mb = 1024 * 1024
    polls = sorted(tally.polls)
    p95 = polls[int(0.95 * (len(polls) - 1))] if polls else 0.0
    print(f"runs {args.runs}, clients {args.clients}, workers {args.workers} "
          f"(queue 8, the serve default), retries {args.retries}")
    print(f"accepted {tally.accepted}; refused answers (429/503) {tally.refused}; runs given "
          f"up after {args.retries} retries {tally.given_up}; other answers {tally.other}")
    print(f"completed {completed}: " + ", ".join(f"{status} {count}" for status, count
                                                  in sorted(tally.statuses.items())))
    print(f"lost (accepted, never finished) {len(tally.lost)}")
    print(f"wall {wall:.1f} s; {completed / wall:.2f} completed runs/s")
    if polls:
        print(f"GET /api/runs/{{id}} while solving: {len(polls)} polls, median "
              f"{1000 * statistics.median(polls):.1f} ms, p95 {1000 * p95:.1f} ms, "
              f"max {1000 * polls[-1]:.1f} ms")
    print(f"memory: idle {idle / mb:.0f} MB; peak server {memory.peak_server / mb:.0f} MB "
          f"({memory.peak_server / idle:.2f}x idle); peak with workers "
          f"{memory.peak_total / mb:.0f} MB ({memory.peak_total / idle:.2f}x idle, at most "
          f"{memory.peak_children} worker processes); worker processes left at the end {left}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--retries", type=int, default=5,
                        help="tries again after 503/429 at most this many times per run")
    parser.add_argument("--poll", type=float, default=0.5, help="seconds between polls")
    parser.add_argument("--run-timeout", type=float, default=900,
                        help="an accepted run not finished after this many seconds is lost")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-web-") as folder:
        status = run_load(args, Path(folder))
    sys.exit(status)


if __name__ == "__main__":
    main()
