"""The short terminal summary of a solve (rich): what a planner checks before opening the report."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from optimiser.output import delegations_reached
from optimiser.pipeline import Run
from optimiser.results import CATEGORIES, posts_by_region
from optimiser.solve import SolveResult

PUBLISHED_2024_SPLIT = {"creation": 47, "compensation": 18, "reinforcement": 33}
"""Ministry announcement for the 695 posts of 2024 (percent; 2% unexplained in the release)."""


def status_line(scenario: str, r: SolveResult, build_seconds: float) -> str:
    """`name: status with solver, gap; build and solve seconds` (one year or a horizon)."""
    gap = "" if r.gap is None else f", gap {r.gap:.2%}"
    return (f"[bold]{scenario}[/bold]: [green]{r.status.value}[/green] with {r.solver} "
            f"{r.solver_version}{gap}; build {build_seconds:.2f} s, solve {r.solve_seconds:.2f} s")


def print_summary(run: Run, console: Console) -> None:
    """Status, objective, posts by region and category, unmet need before and after."""
    r, plan = run.result, run.plan
    assert plan is not None
    console.print(status_line(run.inputs.scenario_name, r, run.build_seconds))
    console.print(f"objective {plan.objective:,.4f}; weighted unmet need "
                  f"{plan.unmet_before:,.2f} -> {plan.unmet_after:,.2f}")
    if plan.expected_unmet is not None:  # UPTAKE.md: not every appointed doctor comes
        console.print(f"expected with uptake.csv's acceptance rates: "
                      f"{plan.expected_unmet:,.2f}")
    console.print(f"delegations reached (at least one national post): "
                  f"{delegations_reached(plan)}")
    for line in run.inputs.change_log:
        console.print(f"  override {escape(line)}")

    regions = posts_by_region(plan, run.inputs.absence_penalty)
    table = Table(title="Posts by region", show_footer=True)
    table.add_column("region", footer="total")
    for column, title in (("posts", "posts"), ("foreign", "foreign doctors"),
                          ("unmet_before", "weighted unmet need before"),
                          ("unmet_after", "after")):
        is_int = column in ("posts", "foreign")
        total = regions[column].sum()
        table.add_column(title, justify="right",
                         footer=f"{total:,.0f}" if is_int else f"{total:,.1f}")
    for region, row in regions.iterrows():
        table.add_row(str(region), f"{row['posts']:,.0f}", f"{row['foreign']:,.0f}",
                      f"{row['unmet_before']:,.1f}", f"{row['unmet_after']:,.1f}")
    console.print(table)

    total = sum(plan.posts_by_category.values()) or 1
    cats = Table(title="National posts by category")
    for title in ("category", "posts", "share", "published 2024"):
        cats.add_column(title, justify="left" if title == "category" else "right")
    for name in CATEGORIES:
        n = plan.posts_by_category[name]
        cats.add_row(name, str(n), f"{n / total:.0%}", f"{PUBLISHED_2024_SPLIT[name]}%")
    console.print(cats)
