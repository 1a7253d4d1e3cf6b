"""`optimiser assign PLAN_DIR --graduates FILE`: named graduates for a plan's posts (UPTAKE.md).

Thin, like the other commands: read the plan folder and the files, generate preferences when
none are given, match, write the folder, print a summary. Exit status: 0 an assignment was
written; 2 bad input (every error of both files, with file, line, column and value; an --out
the tool may not replace); 1 anything else; 130/143 interrupted (nothing half-written).
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from optimiser.cli_support import errors_file_option, exit_statuses

TOP_UNFILLED = 10
"""Delegations listed on the terminal with their unfilled posts (all are in the files)."""


@click.command("assign")
@click.argument("plan_dir", type=click.Path(path_type=Path))
@click.option("--graduates", "graduates_path", type=click.Path(path_type=Path), required=True,
              help="graduates.csv: graduate_id, specialty_code, promotion, rank "
                   "(1 = best), origin_region.")
@click.option("--preferences", "preferences_path", type=click.Path(path_type=Path),
              help="preferences.csv: graduate_id, delegation_code, order (1 = first choice; "
                   "unlisted delegations are unacceptable). Default: generated from the "
                   "seeded model of docs/assign.md, and written with the result.")
@click.option("--method", type=click.Choice(["serial", "deferred-acceptance"]),
              default="serial", show_default=True,
              help="serial: graduates choose in rank order (the ministry's procedure); "
                   "deferred-acceptance: graduate-proposing, delegations rank graduates of "
                   "their own region first, then by rank.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the generated preferences (unused with --preferences).")
@click.option("--allow-refusals", is_flag=True,
              help="Generated lists leave out the delegations far below a graduate's best "
                   "(docs/assign.md), so some posts may stay empty. Default: every delegation "
                   "with a post of the graduate's specialty and promotion is listed, as in the "
                   "ministry's procedure (whether the doctor then comes is uptake.csv's "
                   "matter).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path),
              help="Folder to write (default: reports/assign-<plan folder>-<method>/).")
@click.option("--quiet", is_flag=True, help="Print nothing on success.")
@errors_file_option
@exit_statuses
def assign_command(plan_dir: Path, graduates_path: Path, preferences_path: Path | None,
                   method: str, seed: int, allow_refusals: bool, out_dir: Path | None,
                   quiet: bool, errors_file: Path | None) -> int:
    """Assign graduates to the posts of a solved plan; write assignments.csv and
    assignment.json (and the generated preferences.csv)."""
    if allow_refusals and preferences_path is not None:
        raise click.UsageError("--allow-refusals shapes generated preferences: it cannot be "
                               "used with --preferences")
    written, summary = _run(plan_dir, graduates_path, preferences_path, method, seed,
                            allow_refusals, out_dir)
    if not quiet:
        console = Console(highlight=False)
        print_summary(summary, console)
        console.print(f"assignment written to {escape(str(written))}")
    return 0


def _run(plan_dir: Path, graduates_path: Path, preferences_path: Path | None, method: str,
         seed: int, allow_refusals: bool, out_dir: Path | None) -> tuple[Path, dict]:
    """Read, check --out, generate or read preferences, match, write."""
    from optimiser.assign.engine import assign
    from optimiser.assign.market import load_market
    from optimiser.assign.output import default_out, document, write_assignment
    from optimiser.assign.preferences import PreferenceModel, generate
    from optimiser.assign.readers import read_inputs
    from optimiser.folders import check_out

    market = load_market(plan_dir)
    inputs = [p for p in (graduates_path, preferences_path) if p is not None]
    protected = [Path(plan_dir), *(Path(p).resolve().parent for p in inputs)]
    out = out_dir or default_out(plan_dir, method)
    check_out(out, protected)  # before any work: a refused --out costs nothing
    graduates, preferences = read_inputs(graduates_path, preferences_path, market)
    generated = None
    if preferences is None:
        model = PreferenceModel() if allow_refusals else PreferenceModel(cutoff=None)
        preferences = generated = generate(graduates, market, seed, model)
        source = {"source": "generated", "file": "preferences.csv", "model": model.to_json()}
    else:
        source = {"source": "file", "file": Path(preferences_path).name}
    assignment = assign(graduates, preferences, market, method)
    summary = document(assignment, market.scenario, plan_dir,
                       seed if generated is not None else None, source)
    return write_assignment(out, assignment, summary, generated, protected), summary


def print_summary(summary: dict, console: Console) -> None:
    """The counts, and the delegations with the most unfilled posts."""
    share = summary["first_choice_share"]
    preferences = summary["preferences"]
    given = (f"generated, seed {summary['seed']}" if preferences["source"] == "generated"
             else escape(preferences["file"]))
    console.print(f"[bold]Assignment[/bold] of plan {escape(summary['plan']['scenario'])}: "
                  f"{summary['method']}, preferences {given}")
    table = Table()
    table.add_column("figure")
    table.add_column("value", justify="right")
    for label, value in (
            ("graduates", summary["graduates"]), ("posts", summary["posts"]),
            ("assigned", summary["assigned"]), ("unassigned graduates", summary["unassigned"]),
            ("unfilled posts", summary["unfilled_posts"]),
            ("assigned in their home region", summary["assigned_in_home_region"]),
            ("first choice", "-" if share is None else f"{share:.1%}"),
            ("mean choice", "-" if summary["mean_choice"] is None
             else f"{summary['mean_choice']:.2f}")):
        table.add_row(label, str(value))
    console.print(table)
    unfilled = sorted(summary["unfilled_by_delegation"].items(), key=lambda kv: (-kv[1], kv[0]))
    if unfilled:
        shown = ", ".join(f"{escape(d)} {n}" for d, n in unfilled[:TOP_UNFILLED])
        more = (f" and {len(unfilled) - TOP_UNFILLED} more delegations"
                if len(unfilled) > TOP_UNFILLED else "")
        console.print(f"unfilled posts: {shown}{more}")
