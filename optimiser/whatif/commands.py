"""Click commands `compare`, `sweep` and `explain`, registered on the `optimiser` group by the CLI.

Thin, like optimiser/cli.py: parse, call the what-if module, print, map the outcome to the exit
status (0 results, 2 bad input with every error, 3 infeasible, 1 anything else).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from optimiser.errors import InputError

EXIT_OK, EXIT_OTHER, EXIT_INPUT, EXIT_INFEASIBLE = 0, 1, 2, 3
DATA_OPTION = click.option("--data", "data_dir", type=click.Path(path_type=Path),
                           help="Dataset folder (default: the embedded dataset).")


def _consoles() -> tuple[Console, Console]:
    return Console(highlight=False), Console(stderr=True, highlight=False, soft_wrap=True)


def _exits(command: Callable[..., int]) -> Callable[..., None]:
    """Bad input is exit 2 with every error; anything unexpected is exit 1, stated plainly."""
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        try:
            code = command(*args, **kwargs)
        except InputError as exc:
            click.echo(exc.render(), err=True)
            sys.exit(EXIT_INPUT)
        except click.ClickException:
            raise  # usage errors: click prints them and exits 2
        except Exception as exc:  # noqa: BLE001
            click.echo(f"error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(EXIT_OTHER)
        sys.exit(code)
    return wrapper


@click.command("compare")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@DATA_OPTION
@click.option("--out", "out_dir", type=click.Path(path_type=Path),
              help="Folder for comparison.csv and comparison.json "
                   "(default: reports/compare-<names>/).")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
@_exits
def compare_command(sources: tuple[Path, ...], data_dir: Path | None, out_dir: Path | None,
                    quiet: bool) -> int:
    """Compare scenarios (YAML, solved now) or plan folders side by side; the first is the base."""
    from optimiser.whatif.compare import compare, default_out, load_sides, write_comparison
    from optimiser.whatif.terminal import print_comparison

    console, errors = _consoles()
    missing = [s for s in sources if not s.exists()]
    if missing:
        from optimiser.errors import InputIssue

        raise InputError([InputIssue(str(s), None, None, None, "no such file or folder")
                          for s in missing])
    sides = load_sides(list(sources), data_dir)
    comparison = compare(sides)
    written = write_comparison(out_dir or default_out(comparison.names), comparison)
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
@click.option("--out", "out_dir", type=click.Path(path_type=Path),
              help="Folder for sweep.csv and the plot (default: reports/sweep-<scenario>/).")
@click.option("--plot", "plot_format", type=click.Choice(["png", "svg"]), default="png",
              show_default=True)
@click.option("--rebuild", is_flag=True,
              help="Build and solve every point independently (no model re-use).")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
@_exits
def sweep_command(scenario: Path, data_dir: Path | None, varies: tuple[str, ...], jobs: int,
                  out_dir: Path | None, plot_format: str, rebuild: bool, quiet: bool) -> int:
    """Solve a scenario over a grid of one or two varied parameters; write sweep.csv and a plot."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from optimiser.scenario import read_scenario
    from optimiser.whatif.paths import PathError, parse_vary
    from optimiser.whatif.sweep import SweepSpec, grid, run_sweep, write_sweep
    from optimiser.whatif.terminal import print_sweep

    console, errors = _consoles()
    try:
        parsed = tuple(parse_vary(v) for v in varies)
    except PathError as exc:
        raise click.BadParameter(str(exc), param_hint="--vary") from exc
    if len(parsed) > 2:
        raise click.BadParameter("at most two --vary", param_hint="--vary")
    if len({v.path for v in parsed}) < len(parsed):
        raise click.BadParameter("the same PATH is varied twice", param_hint="--vary")
    name = read_scenario(scenario).scenario.name
    spec = SweepSpec(data_dir, scenario, parsed, reuse=not rebuild)
    start = time.perf_counter()
    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=errors,
                  transient=True, disable=quiet) as progress:
        task = progress.add_task(f"sweep {name}", total=len(grid(parsed)))
        table = run_sweep(spec, jobs, lambda i, row: progress.advance(task))
    seconds = time.perf_counter() - start
    out = out_dir or Path("reports") / f"sweep-{name}"
    written = write_sweep(out, table, parsed, f"{name}: weighted unmet need", plot_format)
    if not quiet:
        print_sweep(table, [v.path for v in parsed], console)
        counts = table["model"].value_counts().to_dict()
        console.print(f"{len(table)} points in {seconds:.1f} s ({len(table) / seconds:.2f} "
                      f"points/s, --jobs {jobs}); models: {counts}")
        console.print(f"sweep written to {written}")
    has_plan = table["status"].isin(["optimal", "feasible"])
    if has_plan.any():
        return EXIT_OK
    return EXIT_INFEASIBLE if (table["status"] == "infeasible").all() else EXIT_OTHER


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
@_exits
def explain_command(scenario: Path, data_dir: Path | None, json_path: Path | None,
                    time_budget: float | None, no_verify: bool) -> int:
    """Why a scenario is infeasible and the least change that fixes it (exit 3), or what each
    of its constraints costs (exit 0)."""
    from optimiser.output import json_ready
    from optimiser.pipeline import load_inputs
    from optimiser.whatif.explain import explain
    from optimiser.whatif.paths import read_document
    from optimiser.whatif.terminal import print_explanation

    console, _ = _consoles()
    inputs = load_inputs(data_dir, scenario)
    result = explain(inputs, read_document(scenario), time_budget, verify=not no_verify)
    print_explanation(result, console)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(json_ready(result.to_json()), ensure_ascii=False, indent=1)
        json_path.write_text(text + "\n", encoding="utf-8")
    if result.status == "infeasible":
        return EXIT_INFEASIBLE
    return EXIT_OK if result.feasible else EXIT_OTHER
