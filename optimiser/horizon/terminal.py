"""What `optimiser solve` prints for a horizon plan: the headline and one line per year."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from optimiser.horizon.run import HorizonRun, year_rows
from optimiser.terminal import status_line


def print_horizon_summary(run: HorizonRun, console: Console) -> None:
    """Status, discounted objective, then posts, foreign doctors and unmet need per year."""
    r, plan, h = run.result, run.plan, run.inputs.horizon
    assert plan is not None
    console.print(status_line(run.inputs.scenario_name, r, run.build_seconds))
    console.print(f"horizon {h.start}-{h.end} ({h.mode}, discount {h.discount:g}): objective "
                  f"{plan.objective:,.4f}; weighted unmet need {plan.unmet_before:,.2f} before "
                  f"{h.start} -> {plan.unmet_after:,.2f} after {h.end}")
    table = Table(title="Years")
    for title in ("year", "posts", "foreign doctors", "staff after", "weighted unmet need before",
                  "after", "delegations reached"):
        table.add_column(title, justify="right")
    for row in year_rows(run):
        table.add_row(str(row["year"]), f"{row['posts_allocated']:,}",
                      f"{row['foreign_deployed']:,}", f"{row['staff_after']:,.1f}",
                      f"{row['unmet_need_before']:,.1f}", f"{row['unmet_need_after']:,.1f}",
                      f"{row['delegations_reached']:,}")
    console.print(table)
