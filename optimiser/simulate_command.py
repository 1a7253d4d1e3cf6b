"""`optimiser simulate PLAN_DIR`: draw which of a plan's posts are taken up (UPTAKE.md).

Thin, like the other commands: read and check (optimiser.simulate_inputs), draw
(optimiser.simulate), write simulation.json and simulation.csv atomically, print a short
summary. Exit status 0 written; 2 bad input (a folder without a plan, a bad uptake file,
--draws over its limit, an --out the tool may not replace, a --scheduler that does not
answer); 1 anything else; 130/143 interrupted (nothing half-written).

By default the output goes to PLAN_DIR/simulation/, which is added to the plan folder's list
of files optimiser wrote: `optimiser report PLAN_DIR` then finds it, and a later solve into
the same folder replaces it with the rest of the plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from optimiser.cli_support import errors_file_option, exit_statuses

if TYPE_CHECKING:
    from optimiser.simulate import Simulation
    from optimiser.simulate_inputs import SimulationInputs

SIMULATION_FOLDER = "simulation"
EMPTY_ROWS_SHOWN = 10
BLOCKS_PER_TASK = 10
"""Blocks of draws per cluster task: one block's per-row counts are as large as ten blocks'
summed, so fewer tasks send less (the draws do not depend on it)."""


@click.command("simulate")
@click.argument("plan_dir", type=click.Path(path_type=Path))
@click.option("--draws", type=int, default=10_000, show_default=True,
              help="Number of draws (at most 1,000,000; OPTIMISER_MAX_DRAWS raises it).")
@click.option("--seed", type=click.IntRange(0, 2**64 - 1), default=0, show_default=True,
              help="Seed of the draws: the same seed gives the same files, byte for byte.")
@click.option("--uptake", "uptake_file", type=click.Path(path_type=Path),
              help="uptake.csv with the probability that a post is taken up "
                   "(default: the plan's own p_accept, else 1 everywhere).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path),
              help="Folder for simulation.json and simulation.csv "
                   "(default: PLAN_DIR/simulation/).")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Draw in N worker processes (a local Dask cluster); same files as N = 1.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Draw on the Dask cluster of this scheduler (tcp://HOST:PORT); same files.")
@click.option("--quiet", is_flag=True, help="Print nothing on success.")
@errors_file_option
@exit_statuses
def simulate_command(plan_dir: Path, draws: int, seed: int, uptake_file: Path | None,
                     out_dir: Path | None, jobs: int, scheduler: str | None, quiet: bool,
                     errors_file: Path | None) -> int:
    """Simulate which posts of a solved plan are taken up: the spread of the weighted unmet
    need and the posts most likely to stay empty."""
    from optimiser.folders import add_to_marker, check_out, read_marker
    from optimiser.simulate import check_draws, write_simulation
    from optimiser.simulate_inputs import load_inputs

    if scheduler is not None and jobs > 1:
        raise click.UsageError("--jobs and --scheduler exclude each other: the cluster's "
                               "workers do the drawing")
    console = Console(highlight=False)
    out = out_dir or Path(plan_dir) / SIMULATION_FOLDER
    protected = (Path(plan_dir),)  # --out may not be the plan folder nor a parent of it
    check_draws(draws)
    check_out(out, protected)  # before drawing: a refused --out costs no work
    inputs = load_inputs(plan_dir, uptake_file)
    result = _draw(inputs, draws, seed, scheduler, jobs)
    written = write_simulation(out, result, inputs, protected)
    if written.parent.resolve() == Path(plan_dir).resolve() and read_marker(written.parent):
        add_to_marker(written.parent, [written.name])  # `report` may still write there
    if not quiet:
        print_simulation(result, inputs, console)
        console.print(f"simulation written to {written}")
    return 0


def _draw(inputs: SimulationInputs, draws: int, seed: int, scheduler: str | None,
          jobs: int) -> Simulation:
    """In this process, or block by block on a Dask cluster (optimiser.distributed): the
    blocks and their seeds are the same, so the draws are too."""
    from optimiser.simulate import draw_blocks, simulate

    if scheduler is None and jobs == 1:
        return simulate(inputs, draws, seed)
    from optimiser.distributed import cluster, run_tasks

    def tasks(blocks: list[int]) -> list[list[int]]:
        """Runs of BLOCKS_PER_TASK consecutive blocks: a task of 10,000 draws or so."""
        return [blocks[k:k + BLOCKS_PER_TASK] for k in range(0, len(blocks), BLOCKS_PER_TASK)]

    with cluster(scheduler, jobs) as client:
        return simulate(inputs, draws, seed, run_blocks=lambda rows, blocks, add: run_tasks(
            client, draw_blocks, rows, tasks(blocks), add))


def print_simulation(result: Simulation, inputs: SimulationInputs, console: Console) -> None:
    """Where p_accept came from, the unmet need's mean and range, posts taken up, and the
    rows most likely to stay empty."""
    from optimiser.simulate import likely_empty
    from optimiser.simulate_inputs import SOURCE_NONE, SOURCE_PLAN

    if inputs.p_source == SOURCE_NONE:
        console.print("[yellow]no acceptance probabilities[/yellow]: the plan has no p_accept "
                      "and no --uptake file was given, so every post is taken up (p = 1) and "
                      "the simulation only reproduces the plan")
    elif inputs.p_source == SOURCE_PLAN:
        console.print("p_accept: from the plan (plan.json)")
    else:
        console.print(f"p_accept: from {escape(inputs.p_source)}")
    q05, q95 = (float(v) for v in _quantiles(result.unmet))
    se = result.std_error
    spread = f" ± {se:,.2f} (std error)" if se is not None else ""
    console.print(f"[bold]weighted unmet need[/bold] over {result.draws:,} draws (seed "
                  f"{result.seed}): mean {result.mean:,.2f}{spread}; 5-95%: "
                  f"{q05:,.2f} to {q95:,.2f}")
    exact = result.exact_mean
    shown = se is not None and se > 1e-9 * max(1.0, abs(exact))  # 0 when nothing is random
    note = f" ({abs(result.mean - exact) / se:.1f} std errors away)" if shown else ""
    console.print(f"  exact expectation {exact:,.2f}{note}; if every post is taken up: "
                  f"{inputs.unmet_after:,.2f}")
    if inputs.expected_unmet_need is not None:
        own = "" if inputs.p_source == SOURCE_PLAN else " (with its own p_accept)"
        console.print(f"  the plan's expected_unmet_need{own}: {inputs.expected_unmet_need:,.2f}")
    t05, t95 = (float(v) for v in _quantiles(result.taken))
    posts = int(inputs.rows["posts"].sum())
    console.print(f"[bold]posts taken up[/bold]: mean {float(result.taken.mean()):,.1f} of "
                  f"{posts:,}; 5-95%: {t05:,.0f} to {t95:,.0f}")
    rows = likely_empty(result, EMPTY_ROWS_SHOWN)
    rows = rows[rows["p_accept"] < 1]
    if rows.empty:
        return
    table = Table(title="Posts most likely to stay empty")
    for title in ("delegation", "specialty", "posts", "p_accept", "P(none arrives)",
                  "exact", "expected empty"):
        table.add_column(title, justify="left" if title in ("delegation", "specialty")
                         else "right")
    for row in rows.itertuples(index=False):
        table.add_row(escape(str(row.delegation)), escape(str(row.specialty)),
                      f"{row.posts:,}", f"{row.p_accept:.2f}", f"{row.p_none_arrive:.1%}",
                      f"{row.exact_p_none:.1%}", f"{row.expected_empty:,.1f}")
    console.print(table)


def _quantiles(values: np.ndarray) -> tuple[float, float]:
    """The 5% and 95% quantiles, as in simulation.json."""
    low, high = np.quantile(values, [0.05, 0.95])
    return float(low), float(high)
