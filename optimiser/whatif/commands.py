"""Click commands `compare`, `sweep` and `explain`, registered on the `optimiser` group by the CLI.

Thin, like optimiser/cli.py: parse, call the what-if module, print, map the outcome to the exit
status (0 results, 2 bad input with every error or an --out the tool may not replace,
3 infeasible, 1 anything else, 130/143 interrupted).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from optimiser.cli_support import (
    EXIT_INFEASIBLE,
    EXIT_OK,
    EXIT_OTHER,
    errors_file_option,
    exit_statuses,
)
from optimiser.errors import InputError

EXPLAIN_SIGNATURE = "optimiser explain"
"""First key of `explain --json` files: an existing file is replaced only if it has it."""
DATA_OPTION = click.option("--data", "data_dir", type=click.Path(path_type=Path),
                           help="Dataset folder (default: the embedded dataset).")


def _consoles() -> tuple[Console, Console]:
    return Console(highlight=False), Console(stderr=True, highlight=False, soft_wrap=True)


def _protected(data_dir: Path | None) -> tuple[Path, ...]:
    """Folders an --out may not be nor contain: the dataset."""
    from optimiser.pipeline import default_data_dir

    return (data_dir or default_data_dir(),)


@click.command("compare")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@DATA_OPTION
@click.option("--out", "out_dir", type=click.Path(path_type=Path),
              help="Folder for comparison.csv and comparison.json "
                   "(default: reports/compare-<names>/).")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
@errors_file_option
@exit_statuses
def compare_command(sources: tuple[Path, ...], data_dir: Path | None, out_dir: Path | None,
                    quiet: bool, errors_file: Path | None) -> int:
    """Compare scenarios (YAML, solved now) or plan folders side by side; the first is the base."""
    from optimiser.whatif.compare import compare, default_out, load_sides, write_comparison
    from optimiser.whatif.terminal import print_comparison

    console, errors = _consoles()
    missing = [s for s in sources if not s.exists()]
    if missing:
        from optimiser.errors import InputIssue

        raise InputError([InputIssue(str(s), None, None, None, "no such file or folder")
                          for s in missing])
    from optimiser.folders import check_out

    if out_dir is not None:
        check_out(out_dir, _protected(data_dir))  # before solving anything
    sides = load_sides(list(sources), data_dir)
    comparison = compare(sides)
    written = write_comparison(out_dir or default_out(comparison.names), comparison,
                               _protected(data_dir))
    if not quiet:
        print_comparison(comparison, console)
        console.print(f"comparison written to {written}")
    statuses = {s.status for s in sides}
    if "infeasible" in statuses:
        errors.print("at least one scenario is infeasible: `optimiser explain` says why")
        return EXIT_INFEASIBLE
    return EXIT_OK if all(s.has_plan for s in sides) else EXIT_OTHER


@click.command("sweep")
@click.argument("scenario", type=click.Path(path_type=Path))
@DATA_OPTION
@click.option("--vary", "varies", multiple=True, required=True, metavar="PATH=VALUES",
              help="A scenario number and its values: v1,v2,... or a:b:step (inclusive of b). "
                   "Once or twice.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Threads solving chunks of points in parallel (HiGHS solves outside the GIL).")
@click.option("--processes", is_flag=True,
              help="Make --jobs worker processes of a local Dask cluster instead of threads.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Solve the chunks on the Dask cluster of this scheduler (tcp://HOST:PORT).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path),
              help="Folder for sweep.csv and the plot (default: reports/sweep-<scenario>/).")
@click.option("--plot", "plot_format", type=click.Choice(["png", "svg"]), default="png",
              show_default=True)
@click.option("--rebuild", is_flag=True,
              help="Build and solve every point independently (no model re-use).")
@click.option("--resume", is_flag=True,
              help="Finish an interrupted sweep in --out: solve only the points it lacks.")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
@errors_file_option
@exit_statuses
def sweep_command(scenario: Path, data_dir: Path | None, varies: tuple[str, ...], jobs: int,
                  processes: bool, scheduler: str | None, out_dir: Path | None,
                  plot_format: str, rebuild: bool, resume: bool, quiet: bool,
                  errors_file: Path | None) -> int:
    """Solve a scenario over a grid of one or two varied parameters; write sweep.csv and a plot.

    Interrupted (Ctrl-C), it writes the points it finished, marked incomplete; run the same
    command with --resume to solve the rest.
    """
    from optimiser.folders import check_out
    from optimiser.pipeline import default_data_dir
    from optimiser.scenario import read_scenario
    from optimiser.whatif.paths import PathError, grid_size, parse_vary
    from optimiser.whatif.sweep import SweepSpec
    from optimiser.whatif.sweep_output import fingerprint, read_partial

    if scheduler is not None and (processes or jobs > 1):
        raise click.UsageError("--scheduler excludes --jobs and --processes: the cluster's "
                               "workers solve the points")
    console, errors = _consoles()
    try:
        parsed = tuple(parse_vary(v) for v in varies)
    except PathError as exc:
        raise click.BadParameter(str(exc), param_hint="--vary") from exc
    if len(parsed) > 2:
        raise click.BadParameter("at most two --vary", param_hint="--vary")
    if len({v.path for v in parsed}) < len(parsed):
        raise click.BadParameter("the same PATH is varied twice", param_hint="--vary")
    try:
        total = grid_size(parsed)  # refuses a grid beyond limits.SWEEP_POINTS before building it
    except PathError as exc:
        raise click.BadParameter(str(exc), param_hint="--vary") from exc
    name = read_scenario(scenario).scenario.name
    spec = SweepSpec(data_dir, scenario, parsed, reuse=not rebuild)
    out = out_dir or Path("reports") / f"sweep-{name}"
    protected = _protected(data_dir)
    check_out(out, protected)  # before solving anything
    key = fingerprint(spec, data_dir or default_data_dir())
    done: dict = {}
    if resume:
        previous = read_partial(out, key)
        if previous is None:
            console.print(f"the sweep in {out} is complete: nothing to resume")
            return EXIT_OK
        done = previous
    sweep = _SweepRun(spec, out, protected, key, total, name, quiet)
    table, seconds = sweep.solve(jobs, done, errors, scheduler, processes)
    written = sweep.write(table, plot_format)
    if not quiet:
        from optimiser.whatif.terminal import print_sweep

        print_sweep(table, [v.path for v in parsed], console)
        counts = table["model"].value_counts().to_dict()
        where = _where(jobs, processes, scheduler)
        console.print(f"{sweep.solved} points in {seconds:.1f} s "
                      f"({sweep.solved / max(seconds, 1e-9):.2f} points/s, {where})"
                      f"{sweep.resumed_note}; models: {counts}")
        console.print(f"sweep written to {written}")
    has_plan = table["status"].isin(["optimal", "feasible"])
    if has_plan.any():
        return EXIT_OK
    return EXIT_INFEASIBLE if (table["status"] == "infeasible").all() else EXIT_OTHER


def _where(jobs: int, processes: bool, scheduler: str | None) -> str:
    """`--jobs 4`, `--jobs 4 --processes` or `--scheduler tcp://...` for the summary line."""
    if scheduler is not None:
        return f"--scheduler {scheduler}"
    return f"--jobs {jobs}" + (" --processes" if processes else "")


class _SweepRun:
    """One `optimiser sweep` run: solve with a progress bar, keep the finished points when
    interrupted, write the folder."""

    def __init__(self, spec: Any, out: Path, protected: tuple[Path, ...], key: str,  # noqa: ANN401
                 total: int, name: str, quiet: bool) -> None:
        self.spec, self.out, self.protected, self.key = spec, out, protected, key
        self.total, self.name, self.quiet = total, name, quiet
        self.solved = 0
        self.resumed = 0

    @property
    def resumed_note(self) -> str:
        """`, 312 resumed from the interrupted run` when --resume found points."""
        return f", {self.resumed} kept from the interrupted run" if self.resumed else ""

    def solve(self, jobs: int, done: dict, errors: Console, scheduler: str | None = None,
              processes: bool = False) -> tuple[Any, float]:  # noqa: ANN401
        """(table, seconds); on Ctrl-C or SIGTERM, write the finished points and re-raise.
        With --scheduler or --processes the chunks go to a Dask cluster, connected (or
        started) before the progress bar: an address that does not answer is exit 2."""
        import time
        from contextlib import nullcontext

        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        from optimiser.cli_support import Interrupted
        from optimiser.distributed import cluster
        from optimiser.whatif.sweep import run_sweep
        from optimiser.whatif.sweep_output import write_partial

        self.resumed = len(done)
        start = time.perf_counter()
        remote = scheduler is not None or processes
        try:
            with (cluster(scheduler, jobs) if remote else nullcontext()) as client, \
                    Progress("[progress.description]{task.description}", BarColumn(),
                             MofNCompleteColumn(), TimeElapsedColumn(), console=errors,
                             transient=True, disable=self.quiet) as progress:
                task = progress.add_task(f"sweep {self.name}", total=self.total,
                                         completed=len(done))
                table = run_sweep(self.spec, jobs, lambda i, row: progress.advance(task), done,
                                  client)
        except Interrupted:
            if len(done) > self.resumed:
                write_partial(self.out, self.spec, done, self.total, self.key, self.protected)
                errors.print(f"interrupted: {len(done):,} of {self.total:,} points are written to "
                             f"{self.out} (incomplete: sweep.csv has the finished points); run "
                             f"the same command with --resume to solve the other "
                             f"{self.total - len(done):,}")
            else:
                errors.print("interrupted before a new point was solved: nothing written")
            raise
        self.solved = len(done) - self.resumed
        return table, time.perf_counter() - start

    def write(self, table: Any, plot_format: str) -> Path:  # noqa: ANN401
        """sweep.csv and the plot, replacing the partial folder of an interrupted run."""
        from optimiser.whatif.sweep_output import write_sweep

        return write_sweep(self.out, table, self.spec.varies,
                           f"{self.name}: weighted unmet need", plot_format, self.protected)


@click.command("explain")
@click.argument("scenario", type=click.Path(path_type=Path))
@DATA_OPTION
@click.option("--json", "json_path", type=click.Path(path_type=Path),
              help="Also write the explanation as JSON to this file.")
@click.option("--time-budget", type=click.FloatRange(min=1), default=None,
              help="Seconds for the conflict search and relaxations (default: the scenario's "
                   "time limit, at least 30).")
@click.option("--no-verify", is_flag=True,
              help="Do not re-solve the relaxed scenarios to prove they are feasible.")
@errors_file_option
@exit_statuses
def explain_command(scenario: Path, data_dir: Path | None, json_path: Path | None,
                    time_budget: float | None, no_verify: bool, errors_file: Path | None) -> int:
    """Why a scenario is infeasible and the least change that fixes it (exit 3), or what each
    of its constraints costs (exit 0)."""
    from optimiser.folders import check_file_out, write_file
    from optimiser.horizon.years import refuse_horizon
    from optimiser.output import json_ready
    from optimiser.pipeline import load_inputs
    from optimiser.whatif.explain import explain
    from optimiser.whatif.paths import read_document
    from optimiser.whatif.terminal import print_explanation

    console = Console(highlight=False, soft_wrap=True)  # long sentences stay on one line
    if json_path is not None:
        check_file_out(json_path, EXPLAIN_SIGNATURE)  # before solving anything
    inputs = load_inputs(data_dir, scenario)
    refuse_horizon(inputs, "explain", scenario)
    result = explain(inputs, read_document(scenario), time_budget, verify=not no_verify)
    print_explanation(result, console)
    if json_path is not None:
        document = {"written_by": EXPLAIN_SIGNATURE, **json_ready(result.to_json())}
        text = json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False)
        write_file(json_path, text + "\n", EXPLAIN_SIGNATURE)
    if result.status == "infeasible":
        return EXIT_INFEASIBLE
    return EXIT_OK if result.feasible else EXIT_OTHER
