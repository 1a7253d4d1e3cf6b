"""`optimiser pareto`: the equity trade-off folder (pareto.csv, its plot, one plan per point).

The folder is written atomically through `folders.write_folder` (never replacing what optimiser
did not write); each point's plan folder is `point-NN/` inside it, a plan folder like `solve`
writes, whose plan.json also carries the curve (`pareto`: every point, and which one it is),
which its report shows as "Trade-off with equity".
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from optimiser.cli_support import exit_statuses
from optimiser.whatif.commands import DATA_OPTION, _consoles, _protected

if TYPE_CHECKING:  # pandas and the equity model load when the command runs, not with the CLI
    import pandas as pd

    from optimiser.whatif.pareto import ParetoPoint

EXIT_INFEASIBLE = 3
"""As `optimiser solve`: the scenario has no plan."""

COLUMNS = ["point", "total_unmet_need", "max_per_capita_unmet_need", "worst_delegation",
           "delegations_reached"]


def pareto_table(points: list[ParetoPoint]) -> pd.DataFrame:
    """pareto.csv: one row per point, from the plain optimum (point 1) to the most equal."""
    import pandas as pd

    return pd.DataFrame([{
        "point": i, "total_unmet_need": p.total_unmet_need,
        "max_per_capita_unmet_need": p.max_per_capita_unmet_need,
        "worst_delegation": p.worst_delegation, "delegations_reached": p.delegations_reached,
    } for i, p in enumerate(points, start=1)], columns=COLUMNS)


def plot_pareto(table: pd.DataFrame, path: Path, title: str) -> None:
    """Total unmet need against the worst-off delegation's, the plain optimum marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.plot(table["max_per_capita_unmet_need"], table["total_unmet_need"], marker="o",
            drawstyle="default")
    first = table.iloc[0]
    ax.scatter([first["max_per_capita_unmet_need"]], [first["total_unmet_need"]], s=90,
               facecolors="none", edgecolors="black", zorder=3, label="plain optimum (point 1)")
    for _, row in table.iterrows():
        ax.annotate(str(int(row["point"])), (row["max_per_capita_unmet_need"],
                                             row["total_unmet_need"]),
                    textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.set_xlabel("worst-off delegation: weighted unmet need per 100,000")
    ax.set_ylabel("total weighted unmet need")
    ax.set_title(title, fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120, metadata={"Date": None} if path.suffix == ".svg" else None)
    plt.close(fig)


def write_pareto(out: Path, points: list[ParetoPoint], title: str, plot_format: str = "png",
                 timestamp: bool = True, report: bool = True,
                 protected: tuple[Path, ...] = ()) -> Path:
    """pareto.csv, pareto.<png|svg> and point-NN/ plan folders, written atomically."""
    from optimiser.folders import write_folder
    from optimiser.output import plan_document, write_plan_folder

    table = pareto_table(points)
    rows = table.to_dict("records")

    def fill(tmp: Path) -> None:
        table.to_csv(tmp / "pareto.csv", index=False, lineterminator="\n", float_format="%.9g")
        plot_pareto(table, tmp / f"pareto.{plot_format}", title)
        for i, p in enumerate(points, start=1):
            run = p.run
            document = plan_document(run.inputs, run.result, run.plan, run.build_seconds,
                                     timestamp=timestamp)
            document["pareto"] = {"point": i, "epsilon": p.epsilon, "points": rows}
            extra = None
            if report:
                from optimiser.report import write_reports

                def extra(folder: Path) -> object:
                    return write_reports(folder, lang="fr", timestamp=timestamp)
            write_plan_folder(tmp / f"point-{i:02d}", document, run.plan, extra=extra)

    return write_folder(out, fill, "pareto", protected, {"complete": True})


@click.command("pareto")
@click.argument("scenario", type=click.Path(path_type=Path))
@DATA_OPTION
@click.option("--points", type=click.IntRange(min=2, max=101), default=11, show_default=True,
              help="Plans on the curve, from the plain optimum to the most equal plan.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path),
              help="Folder for pareto.csv, the plot and the plans "
                   "(default: reports/pareto-<scenario>/).")
@click.option("--plot", "plot_format", type=click.Choice(["png", "svg"]), default="png",
              show_default=True)
@click.option("--no-timestamp", is_flag=True, help="Byte-stable output.")
@click.option("--no-report", is_flag=True, help="Plan files only, no report per point.")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
@exit_statuses
def pareto_command(scenario: Path, data_dir: Path | None, points: int, out_dir: Path | None,
                   plot_format: str, no_timestamp: bool, no_report: bool, quiet: bool) -> int:
    """The exact trade-off between total unmet need and the worst-off delegation (NEED.md).

    Each point minimises MODEL.md's objective with the worst-off delegation's per-capita
    unmet need bounded (epsilon-constraint); point 1 is the plain optimum.
    """
    from optimiser.folders import check_out
    from optimiser.horizon.years import refuse_horizon
    from optimiser.pipeline import load_inputs
    from optimiser.whatif.pareto import ScenarioInfeasible, pareto_points

    console, _ = _consoles()
    inputs = load_inputs(data_dir, scenario)
    refuse_horizon(inputs, "pareto", scenario)
    out = out_dir or Path("reports") / f"pareto-{inputs.scenario_name}"
    protected = _protected(data_dir)
    check_out(out, protected)
    start = time.perf_counter()
    try:
        curve, stats = pareto_points(inputs, points)
    except ScenarioInfeasible as exc:
        click.echo(f"infeasible: {exc}", err=True)
        return EXIT_INFEASIBLE
    seconds = time.perf_counter() - start
    written = write_pareto(out, curve, f"{inputs.scenario_name}: unmet need vs equity",
                           plot_format, not no_timestamp, not no_report, protected)
    if not quiet:
        console.print(pareto_table(curve).to_string(index=False))
        note = "" if len(curve) >= points else " (the whole curve: no further plan exists)"
        console.print(f"{len(curve)} points{note}, {stats['solves']} solves on one model "
                      f"in {seconds:.1f} s")
        if stats.get("not_proven"):
            console.print("warning: some points stopped at the time limit (not proven optimal: "
                          "the curve may not be exact there); raise parameters.time_limit_s")
        console.print(f"pareto written to {written}")
    return 0
