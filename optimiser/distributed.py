"""Run `simulate` draw blocks and `sweep` chunks on a Dask distributed cluster.

`--scheduler ADDRESS` connects to a running cluster (`dask scheduler` + `dask worker`s);
`--jobs N` of `simulate` (or `--jobs N --processes` of `sweep`) starts a LocalCluster of N
single-threaded worker processes on this machine and closes it afterwards. Either way the work
is cut exactly as in the in-process run (blocks of 1,000 seeded draws; chunks of grid
neighbours), so the files written are the same: only where the pieces run changes.

Dask is imported here, lazily: the commands that do not use a cluster never pay its import.
An address that cannot be reached within `OPTIMISER_SCHEDULER_TIMEOUT` seconds (10 by
default) is an InputError naming `--scheduler` and the address (exit 2, nothing written),
not a traceback.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from optimiser.errors import InputError, InputIssue

TIMEOUT_VARIABLE = "OPTIMISER_SCHEDULER_TIMEOUT"
DEFAULT_TIMEOUT = 10.0
"""Seconds to wait for a scheduler to answer: long enough for a busy one, short enough that a
mistyped address fails quickly."""


def connect_timeout() -> float:
    """The connection timeout in seconds (OPTIMISER_SCHEDULER_TIMEOUT, else 10)."""
    text = os.environ.get(TIMEOUT_VARIABLE)
    try:
        value = float(text) if text else DEFAULT_TIMEOUT
    except ValueError:
        raise InputError([InputIssue(TIMEOUT_VARIABLE, None, None, text,
                                     "must be a number of seconds")]) from None
    if not value > 0:
        raise InputError([InputIssue(TIMEOUT_VARIABLE, None, None, text, "must be above 0")])
    return value


def connect(address: str) -> Any:  # noqa: ANN401 - a distributed.Client (imported lazily)
    """A Client of the scheduler at `address`; InputError when it does not answer in time."""
    from distributed import Client

    timeout = connect_timeout()
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError([InputIssue(
            "--scheduler", None, None, address,
            f"cannot reach a Dask scheduler there within {timeout:g} s ({exc}); check the "
            f"address (tcp://HOST:PORT) or raise {TIMEOUT_VARIABLE}")]) from None


@contextmanager
def cluster(scheduler: str | None, processes: int) -> Iterator[Any]:
    """A Client of `scheduler`, else of a LocalCluster of `processes` single-threaded workers;
    closed (the local cluster shut down) on leaving, also on an interruption."""
    if scheduler is not None:
        client = connect(scheduler)
        try:
            yield client
        finally:
            client.close()
        return
    from distributed import Client, LocalCluster

    # dashboard_address ":0": its HTTP server (health checks) takes a free port, not 8787,
    # so that two runs on one machine do not collide.

    with LocalCluster(n_workers=processes, processes=True, threads_per_worker=1,
                      dashboard_address=":0", silence_logs=logging.ERROR) as local, \
            Client(local, set_as_default=False) as client:
        yield client


def run_tasks(client: Any, function: Callable[[Any, Any], Any], shared: Any,  # noqa: ANN401
              items: list[Any], on_result: Callable[[Any], None]) -> None:
    """`function(shared, item)` for every item on the cluster, `shared` sent once to each
    worker; `on_result` gets each result as it finishes (completion order). On any exception
    or interruption the tasks not finished are cancelled and it is re-raised."""
    from distributed import as_completed

    if not items:
        return
    shared_future = client.scatter([shared], broadcast=True, hash=False)[0]
    futures = [client.submit(function, shared_future, item, pure=False) for item in items]
    try:
        for future in as_completed(futures, loop=client.loop):
            on_result(future.result())
    except BaseException:
        client.cancel(futures)
        raise
