"""Terminal views of what-if results (rich). They format the tables; they never recompute."""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from optimiser.whatif.compare import Comparison
from optimiser.whatif.explain import Explanation, group_label
from optimiser.whatif.monotone import MonotoneReport

MAX_ROWS = 40


def _num(value: Any, digits: int = 2) -> str:  # noqa: ANN401 - table cells
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "-"
    if isinstance(value, str):
        return value
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def _delta(base: Any, other: Any, digits: int = 2) -> str:  # noqa: ANN401
    try:
        change = float(other) - float(base)
    except (TypeError, ValueError):
        return ""
    if pd.isna(change) or abs(change) < 10 ** -(digits + 2):
        return ""
    return f" ({'+' if change > 0 else ''}{_num(change, digits)})"


def _path(values: list[Any]) -> str:  # noqa: ANN401
    return " → ".join(_num(v) for v in values)


def _years(frame: pd.DataFrame) -> list[str]:
    """["year"] when the comparison is per year (a side plans several years), else []."""
    return ["year"] if "year" in frame.columns and frame["year"].notna().any() else []


def print_comparison(c: Comparison, console: Console, max_rows: int = MAX_ROWS) -> None:
    """Summary, regions, specialties, changed delegations, foreign changes, override logs."""
    names = c.names
    base = names[0]
    console.print(f"[bold]Comparison[/bold]: {' vs '.join(escape(n) for n in names)} "
                  f"(base: {escape(base)})")
    summary = Table(title="Headline figures")
    summary.add_column("metric")
    for name in names:
        summary.add_column(escape(name), justify="right")
    for _, row in c.summary.iterrows():
        cells = [_num(row[base])] + [_num(row[n]) + _delta(row[base], row[n]) for n in names[1:]]
        summary.add_row(row["metric"].replace("_", " "), *cells)
    console.print(summary)

    for frame, key, title in ((c.by_region, "region", "By region"),
                              (c.by_specialty, "specialty", "By specialty")):
        if frame.empty:
            continue
        table = Table(title=f"{title}: national posts, foreign doctors, weighted unmet need")
        keys = [*_years(frame), key]
        for column in keys:
            table.add_column(column)
        for metric in ("posts", "foreign", "unmet_need"):
            table.add_column(metric.replace("_", " "), justify="right")
        wide = frame.set_index([*keys, "metric"])[names].apply(pd.to_numeric, errors="coerce")
        categories = key == "region"
        if categories:
            table.add_column("creation/compensation/reinforcement", justify="right")
        for k in wide.index.droplevel("metric").unique():
            k = k if isinstance(k, tuple) else (k,)
            cells = [_path(list(wide.loc[(*k, m)])) for m in ("posts", "foreign", "unmet_need")]
            if categories:
                cells.append(" → ".join(
                    "/".join(_num(wide.loc[(*k, m), n]) for m in
                             ("creation", "compensation", "reinforcement")) for n in names))
            table.add_row(*(str(v) for v in k), *cells)
        console.print(table)

    changes = c.delegation_changes
    shown = [n for n in names if n in changes.columns]
    if changes.empty:
        console.print("No delegation's allocation changes.")
    else:
        keys = [*_years(changes), "delegation", "region", "specialty"]
        wide = changes.pivot_table(index=keys, columns="metric", values=shown, aggfunc="first")
        table = Table(title=f"Delegations whose allocation changes ({len(wide)} pairs)")
        for col in (*keys, "posts", "foreign doctors"):
            table.add_column(col, justify="right" if col in ("posts", "foreign doctors")
                             else "left")
        for labels, row in list(wide.iterrows())[:max_rows]:
            cells = []
            for metric in ("posts", "foreign"):
                values = [row.get((n, metric)) for n in shown]
                cells.append("" if all(pd.isna(v) for v in values) else
                              _path([0 if pd.isna(v) else v for v in values]))
            table.add_row(*(str(v) for v in labels), *cells)
        console.print(table)
        if len(wide) > max_rows:
            console.print(f"... and {len(wide) - max_rows} more pairs in comparison.csv")
    if not c.foreign_changes.empty:
        table = Table(title="Foreign deployment changes")
        for col in ("contingent", "region", "delegation", "specialty", "doctors"):
            table.add_column(col, justify="right" if col == "doctors" else "left")
        for _, row in c.foreign_changes.head(max_rows).iterrows():
            table.add_row(row["contingent"], row["region"], row["delegation"], row["specialty"],
                          _path([row[n] for n in shown if n in row]))
        console.print(table)
    for side in c.sides:
        log = side.document.get("overrides_log") or []
        constraints = side.document.get("scenario_constraints") or []
        console.print(f"[bold]{escape(side.name)}[/bold] ({side.status}, {escape(side.source)}):"
                      + ("" if log or constraints else " no override, no constraint"))
        for line in log:
            console.print(f"  override {escape(line)}")
        for con in constraints:
            console.print(f"  constraint {escape(str(con.get('name')))}: "
                          f"{escape(str(con.get('description')))} (value {con.get('value')})")


def print_sweep(table: pd.DataFrame, paths: list[str], console: Console,
                max_rows: int = 60) -> None:
    """One line per point: the varied values, status, objective, unmet need, how solved."""
    view = Table(title=f"Sweep ({len(table)} points)")
    for col in [*(p.split(".", 1)[-1] for p in paths), "status", "objective", "unmet need",
                "posts", "model"]:
        view.add_column(col, justify="left" if col in ("status", "model") else "right")
    for _, row in table.head(max_rows).iterrows():
        view.add_row(*[_num(row[p]) if not isinstance(row[p], bool) else str(row[p])
                       for p in paths], str(row["status"]), _num(row["objective"], 4),
                     _num(row["unmet_need"], 4), _num(row.get("posts_allocated")),
                     str(row["model"]))
    console.print(view)
    if len(table) > max_rows:
        console.print(f"... {len(table) - max_rows} more rows in sweep.csv")


def print_explanation(e: Explanation, console: Console) -> None:
    """Conflict and the changes that restore feasibility, or the cost of each constraint."""
    if e.status == "infeasible":
        console.print("[bold red]infeasible[/bold red]: these rules cannot all hold together:")
        for line in e.conflict.lines if e.conflict else []:
            console.print(f"  - {escape(line)}")
        if e.conflict is not None and not e.conflict.complete:
            console.print("  (time budget reached: the set may not be minimal)")
        if e.alternatives:
            console.print("Each of these changes alone restores feasibility (least change of "
                          "that rule):")
            for i, relax in enumerate(e.alternatives, 1):
                mark = {True: " (verified: the relaxed scenario solves)",
                        False: " (NOT verified: the relaxed scenario still fails)",
                        None: ""}[relax.verified]
                for line in relax.lines:
                    console.print(f"  {i}. {escape(line)}{mark}")
        if e.not_enough:
            names = ", ".join(group_label(g) for g in e.not_enough)
            which = names if len(e.not_enough) == 1 else f"any one of {names}"
            console.print(f"  Relaxing {escape(which)} alone is not enough: other conflicts "
                          "remain.")
        if e.least is not None:
            console.print("Least total change (scenario constraints, capacities and post totals "
                          "relaxable together):")
            for line in e.least.lines:
                console.print(f"  - {escape(line)}")
        return
    if not e.feasible:
        console.print(f"no plan: solver status {e.status}")
        return
    console.print(f"[green]{e.status}[/green]: the scenario has a plan.")
    if not e.binding:
        console.print("It has no scenario constraint and no budget: nothing to explain.")
        return
    table = Table(title="Scenario constraints: what each costs (re-solved without it)")
    for col in ("constraint", "rule", "value", "binding", "objective cost", "unmet need cost"):
        table.add_column(col, justify="right" if "cost" in col or col == "value" else "left")
    for b in e.binding:
        table.add_row(escape(str(b["name"])), escape(str(b["description"])), _num(b["value"]),
                      "yes" if b["binding"] else "no", _num(b["cost"], 4),
                      _num(b["unmet_need_cost"], 4))
    console.print(table)


def print_sensitivity(sensitivity: dict, console: Console, rows: int = 5) -> None:
    """The few specialties where one more post would buy the most."""
    if not sensitivity.get("available"):
        return
    table = Table(title="One more post: marginal value (LP dual) and where it would go")
    for col in ("specialty", "promotion", "marginal value", "receiver", "receiver gain",
                "integer re-solve gain"):
        table.add_column(col, justify="left" if col in ("specialty", "receiver") else "right")
    for r in sensitivity["posts"][:rows]:
        table.add_row(escape(str(r["specialty"])), str(r["promotion"]),
                      _num(r["marginal_value"], 4), escape(str(r["receiver"] or "–")),
                      _num(r["receiver_gain"], 4), _num(r.get("integer_gain"), 4))
    console.print(table)
    for c in sensitivity.get("scenario_constraints", []):
        if c["shadow_cost"] not in (None, 0.0):
            console.print(f"  shadow cost of {escape(str(c['name']))} ({c['bound']}): "
                          f"{_num(c['shadow_cost'], 4)} per unit")


def print_monotone(report: MonotoneReport, console: Console) -> None:
    """Alabama-paradox check: which +1 post would take a post away from someone."""
    verdict = "no paradox" if report.monotone else f"{len(report.paradoxes)} paradox(es)"
    console.print(f"monotonicity (+1 post per specialty and promotion, {len(report.cases)} "
                  f"checked): {verdict}" + ("" if report.complete else " (time budget reached)"))
    for case in report.paradoxes:
        losses = ", ".join(f"{loss.get('delegation')} {loss.get('specialty')}"
                           for loss in case.losses)
        console.print(f"  +1 {escape(case.specialty)} {case.promotion}: loses a post: "
                      f"{escape(losses)}; a plan that keeps every base post costs "
                      f"{_num(case.cost, 4)} more")
