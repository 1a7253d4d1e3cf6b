"""Parametric study: solve a scenario over a grid of one or two varied numbers.

Every point is checked before anything is solved (a bad value is exit 2 with every error, not a
crash at point 37). Points are solved in chunks of grid neighbours, in parallel threads when
asked (HiGHS releases the GIL), or as tasks of a Dask cluster (`--scheduler`, `--processes`:
optimiser/distributed.py). A chunk re-solves each point on a model it keeps when the point
is compatible with it (optimiser/whatif/reuse_hull.py and reuse.py: only bounds, costs and
right-hand sides change); otherwise it builds a new one. A point whose feasible set lies inside
that of an optimum found earlier in the chunk, and contains it, is not even solved
("unchanged": that optimum is still optimal). `reuse=False` solves every point independently
through the core pipeline, which is what the tests compare against.

A sweep can be interrupted (Ctrl-C, SIGTERM): the points finished so far are kept in the
caller's `done` table (sweep_output.py writes them, marked incomplete) and a later run given
that table solves only the rest (`--resume`).
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimiser.data import Dataset, load_dataset
from optimiser.errors import InputError, InputIssue
from optimiser.inputs import ModelInputs, build_inputs
from optimiser.pipeline import default_data_dir, plan_build_options, run_scenario
from optimiser.results import headline
from optimiser.scenario import read_scenario
from optimiser.solve import SolveResult
from optimiser.whatif.paths import (
    PathError,
    Vary,
    apply_point,
    point_label,
    read_document,
    scenario_file,
)
from optimiser.whatif.reuse import IncompatibleVariant, InPlaceModel, ReusableModel, same_build
from optimiser.whatif.reuse_hull import HullReusable

Row = dict[str, Any]
Emit = Callable[[int, Row], None]

KEEP_MODELS = 4
"""Built models a point solver keeps within a chunk (a sweep rarely needs more than two)."""


@dataclass(frozen=True)
class SweepSpec:
    """What to sweep: a dataset, a base scenario and one or two varied PATHs."""

    data_dir: Path | None
    scenario_path: Path
    varies: tuple[Vary, ...]
    reuse: bool = True
    threads: int | None = None
    """HiGHS threads per solve (None: HiGHS's default); parallel sweeps use 1."""


def grid(varies: tuple[Vary, ...]) -> list[dict[str, Any]]:
    """Every combination of values, the first PATH varying slowest."""
    return [dict(zip([v.path for v in varies], combo, strict=True))
            for combo in itertools.product(*(v.values for v in varies))]


class PointSolver:
    """Per-process state: the dataset, the base scenario document and the models built so far."""

    def __init__(self, spec: SweepSpec, dataset: Dataset | None = None,
                 document: dict | None = None) -> None:
        self.spec = spec
        self.dataset = dataset or load_dataset(spec.data_dir or default_data_dir())
        self.document = read_document(spec.scenario_path) if document is None else document
        self.models: list[InPlaceModel] = []

    def inputs(self, point: dict[str, Any]) -> ModelInputs:
        """The point's model inputs; raises InputError (or PathError) when the point is bad."""
        doc = apply_point(self.document, point)
        source = f"{self.spec.scenario_path} [{point_label(point)}]"
        return build_inputs(self.dataset, scenario_file(doc, source))

    def rows(self, chunk: list[tuple[int, dict[str, Any]]], inputs: list[ModelInputs],
             emit: Emit, stop: threading.Event | None = None) -> None:
        """Emit the rows of a chunk of neighbouring points, solved as if this solver were new;
        stop between two points when `stop` is set.

        Within a chunk each point starts from its neighbour's plan and may be answered by an
        optimum found earlier in the chunk; nothing carries over between chunks except a model
        that the chunk's first point would build identically. A chunk's rows therefore do not
        depend on which thread solved it or what it solved before: the same command gives
        the same sweep.csv, whatever --jobs and the scheduling.
        """
        if inputs:
            self.models = [rm for rm in self.models if same_build(rm.inputs, inputs[0])][:1]
            for rm in self.models:
                rm.forget()
        for (i, point), v in zip(chunk, inputs, strict=True):
            if stop is not None and stop.is_set():
                return
            emit(i, self.row(point, v))

    def _solve(self, inputs: ModelInputs) -> tuple[Any, SolveResult, str]:
        """(model, result, how) with a re-used model when one is compatible."""
        if not self.spec.reuse or inputs.solver != "highs":
            run = run_scenario(inputs)
            return run.model, run.result, "independent"
        for rm in self.models:
            try:
                result = rm.solve(inputs)
            except IncompatibleVariant:
                continue
            return rm.model, result, "unchanged" if rm.last_skipped else "reused"
        rm: InPlaceModel
        if plan_build_options(inputs).formulation == "hull":
            rm = HullReusable(inputs, threads=self.spec.threads)
        else:
            rm = ReusableModel(inputs, threads=self.spec.threads)
        self.models = [rm, *self.models][:KEEP_MODELS]
        return rm.model, rm.solve(inputs), "built"

    def row(self, point: dict[str, Any], inputs: ModelInputs | None = None) -> dict[str, Any]:
        """One sweep.csv row: the point, the status and the plan's headline figures."""
        start = time.perf_counter()
        inputs = inputs or self.inputs(point)
        if inputs.horizon is not None:
            return {**point, **horizon_row(inputs, sorted(self.dataset.regions.index)),
                    "seconds": round(time.perf_counter() - start, 4)}
        model, result, how = self._solve(inputs)
        row: dict[str, Any] = {**point, "status": result.status.value, "objective": None,
                               "unmet_need": None, "unmet_before": None}
        regions = sorted(self.dataset.regions.index)
        if result.status.has_plan:
            figures = headline(inputs, model, result)
            row.update(objective=figures.objective, unmet_need=figures.unmet_after,
                       unmet_before=figures.unmet_before, posts_allocated=figures.posts,
                       foreign_deployed=figures.foreign, gap=result.gap)
            if figures.expected_unmet is not None:  # uptake data: what is likely to remain
                row["expected_unmet_need"] = figures.expected_unmet
            row.update({f"posts_{r}": figures.posts_by_region.get(r, 0) for r in regions})
        row.update(model=how, seconds=round(time.perf_counter() - start, 4))
        return row


def horizon_row(inputs: ModelInputs, regions: list[str]) -> dict[str, Any]:
    """A several-year point (NEED.md): solved by optimiser/horizon (no model re-use); the
    figures of the whole horizon: discounted objective, unmet need after the last year, posts
    and foreign doctors over every year, posts by region over every year."""
    from optimiser.horizon.run import run_horizon

    run = run_horizon(inputs)
    row: dict[str, Any] = {"status": run.result.status.value, "objective": None,
                           "unmet_need": None, "unmet_before": None}
    if run.plan is not None:
        plan = run.plan
        by_region = plan.allocations.groupby("region")["posts"].sum()
        row.update(objective=plan.objective, unmet_need=plan.unmet_after,
                   unmet_before=plan.unmet_before,
                   posts_allocated=int(plan.allocations["posts"].sum()),
                   foreign_deployed=int(plan.foreign["doctors"].sum()), gap=run.result.gap)
        row.update({f"posts_{r}": int(by_region.get(r, 0)) for r in regions})
    row["model"] = "horizon"
    return row


def check_points(spec: SweepSpec, solver: PointSolver | None = None) -> list[ModelInputs]:
    """Inputs of every grid point; raises InputError listing the problems of all points."""
    solver = solver or PointSolver(spec)
    read_scenario(spec.scenario_path)  # line-numbered errors in the base scenario come first
    issues: list[InputIssue] = []
    out = []
    for point in grid(spec.varies):
        try:
            out.append(solver.inputs(point))
        except InputError as exc:
            issues += [i for i in exc.issues if i not in issues]
        except PathError as exc:
            issue = InputIssue(str(spec.scenario_path), None, None, None,
                               f"{point_label(point)}: {exc}")
            if issue not in issues:
                issues.append(issue)
    if issues:
        raise InputError(issues)
    return out


CHUNKS = 16
"""Points are solved in about this many chunks of grid neighbours, 8 to 64 points each (the
same chunks whatever --jobs): within a chunk a point starts from its neighbour's plan and is
often proven unchanged by an earlier optimum; more chunks balance the threads better."""


def chunks(n: int) -> list[range]:
    """Consecutive grid positions in chunks of 8 to 64, about CHUNKS of them."""
    size = min(64, max(8, -(-n // CHUNKS)))
    return [range(k, min(k + size, n)) for k in range(0, n, size)]


def _run_parallel(spec: SweepSpec, jobs: int, points: list[dict[str, Any]],
                  todo: list[list[int]], all_inputs: list[ModelInputs], main: PointSolver,
                  emit: Emit) -> None:
    """Chunks in `jobs` threads, each with its own HiGHS models.

    HiGHS releases the GIL while it solves (two threads solve twice as fast as one), so
    threads parallelise the 85% of a point spent in HiGHS without the second or so it takes
    to start a process and import the package in it; the dataset is loaded once. The last
    chunks go first: sweeps usually tighten along the grid, so late chunks are the slow ones,
    and starting them first balances the threads. Chunks are independent
    (PointSolver.rows), so which thread solves which does not change the rows. On an
    interruption the queued chunks are cancelled and running ones stop after their point.
    """
    solvers = [main] + [PointSolver(main.spec, main.dataset) for _ in range(jobs - 1)]
    free: queue.SimpleQueue[PointSolver] = queue.SimpleQueue()
    for solver in solvers:
        free.put(solver)
    stop = threading.Event()

    def solve(part: list[int]) -> None:
        solver = free.get()  # a thread holds one solver (its models) while it runs a chunk
        try:
            solver.rows([(i, points[i]) for i in part], [all_inputs[i] for i in part], emit,
                        stop)
        finally:
            free.put(solver)

    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        futures = [pool.submit(solve, part) for part in reversed(todo)]
        for future in as_completed(futures):
            future.result()
    except BaseException:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()


@dataclass(frozen=True)
class ClusterShared:
    """What every worker of a Dask cluster needs, sent once: the loaded dataset and scenario
    document travel with it, so the workers need no access to the files."""

    spec: SweepSpec
    dataset: Dataset
    document: dict


_WORKER = threading.local()
"""A worker thread's PointSolver, kept between chunks (it keeps its models, as a thread of
_run_parallel does: PointSolver.rows makes that harmless)."""


def solve_chunk(shared: ClusterShared, part: list[tuple[int, dict[str, Any]]]
                ) -> list[tuple[int, Row]]:
    """A chunk's rows, on a worker of a cluster (see run_sweep)."""
    cached = getattr(_WORKER, "solver", None)
    if cached is None or cached[0] is not shared:
        cached = (shared, PointSolver(shared.spec, shared.dataset, shared.document))
        _WORKER.solver = cached
    solver = cached[1]
    rows: list[tuple[int, Row]] = []
    solver.rows(part, [solver.inputs(point) for _, point in part],
                lambda i, row: rows.append((i, row)))
    return rows


def _run_on_cluster(client: Any, points: list[dict[str, Any]], todo: list[list[int]],  # noqa: ANN401
                    main: PointSolver, emit: Emit) -> None:
    """Chunks as tasks of a Dask cluster (optimiser.distributed), the last ones first as in
    _run_parallel; the rows of a chunk are emitted when it finishes. A chunk's rows do not
    depend on where it is solved (PointSolver.rows), so they are those of the in-process run."""
    from optimiser.distributed import run_tasks

    def add(rows: list[tuple[int, Row]]) -> None:
        for i, row in rows:
            emit(i, row)

    shared = ClusterShared(main.spec, main.dataset, main.document)
    run_tasks(client, solve_chunk, shared, [[(i, points[i]) for i in part]
                                            for part in reversed(todo)], add)


def run_sweep(spec: SweepSpec, jobs: int = 1, on_point: Emit | None = None,
              done: dict[int, Row] | None = None, client: Any = None) -> pd.DataFrame:  # noqa: ANN401
    """Solve every grid point (chunks in `jobs` threads, or as tasks of the Dask `client`'s
    cluster) and return one row per point, in grid order.

    Raises InputError before solving anything when a point's scenario is invalid. `done`
    holds rows already solved (by grid position): those points are skipped, and every new
    row is added to it as soon as it is solved, so that a caller interrupted midway keeps
    the finished points.
    """
    points = grid(spec.varies)
    done = {} if done is None else done
    lock = threading.Lock()

    def emit(i: int, row: Row) -> None:
        with lock:
            done[i] = row
        if on_point:
            on_point(i, row)

    parallel = client is not None or (jobs > 1 and len(chunks(len(points))) > 1)
    threads = spec.threads if spec.threads is not None or not parallel else 1
    main = PointSolver(SweepSpec(spec.data_dir, spec.scenario_path, spec.varies, spec.reuse,
                                 threads))
    all_inputs = check_points(spec, main)  # raises InputError before anything is solved
    todo = [[i for i in part if i not in done] for part in chunks(len(points))]
    todo = [part for part in todo if part]
    if client is not None:
        _run_on_cluster(client, points, todo, main, emit)
    elif parallel:
        _run_parallel(spec, jobs, points, todo, all_inputs, main, emit)
    else:
        for part in todo:
            main.rows([(i, points[i]) for i in part], [all_inputs[i] for i in part], emit)
    return sweep_table(spec.varies, [done[i] for i in range(len(points))])


def sweep_table(varies: tuple[Vary, ...], rows: list[Row]) -> pd.DataFrame:
    """Rows as sweep.csv's table: the varied PATHs, status, objective, unmet need first."""
    table = pd.DataFrame(rows)
    first = [v.path for v in varies] + ["status", "objective", "unmet_need"]
    return table[first + [c for c in table.columns if c not in first]]


def summary_rows(table: pd.DataFrame, varies: tuple[Vary, ...]) -> list[list[str]]:
    """Rows for the terminal table: the point, status, objective, unmet need."""
    out = []
    for _, row in table.iterrows():
        cells = [str(row[v.path]) for v in varies]
        cells.append(str(row["status"]))
        for key in ("objective", "unmet_need"):
            value = row.get(key)
            cells.append("-" if value is None or (isinstance(value, float) and np.isnan(value))
                         else f"{value:,.4f}")
        cells.append(str(row["model"]))
        out.append(cells)
    return out
