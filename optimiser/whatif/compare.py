"""Compare scenarios side by side: headline figures, regions, specialties, changed delegations.

Every scenario is turned into its plan.json document first (solved now from a YAML file, or read
from a plan folder written by `optimiser solve`), so a comparison reads exactly what a planner
would forward, and solved and saved plans mix freely. The first scenario is the base: changes are
"base -> other". Tables are long (one row per key and metric, one column per scenario) so the CSV
has a fixed shape whatever the number of scenarios.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from optimiser.errors import InputError, InputIssue
from optimiser.output import plan_document
from optimiser.pipeline import load_inputs, run_scenario

KEYS = ["section", "region", "delegation", "specialty", "contingent", "metric"]
YEAR_KEYS = ["section", "year", "region", "delegation", "specialty", "contingent", "metric"]
"""When a side plans several years (plan.json `horizon`): every table per year too; a
one-year plan's rows count as the horizon's first year (the round decided now)."""
SUMMARY_METRICS = ("objective", "unmet_need_before", "unmet_need_after", "expected_unmet_need",
                   "shortfall_doctors",
                   "posts_allocated", "foreign_deployed", "budget_used", "creation",
                   "compensation", "reinforcement")


@dataclass
class Side:
    """One compared scenario: its plan document (or only its status when it has no plan)."""

    name: str
    source: str
    status: str
    document: dict = field(default_factory=dict)

    @property
    def has_plan(self) -> bool:
        """Plan folders hold plans; solved scenarios have one when optimal or feasible."""
        return self.status in ("optimal", "feasible")


def load_side(source: Path, data_dir: Path | None) -> Side:
    """A plan folder (has plan.json) is read; anything else is a scenario YAML to solve."""
    plan_file = source / "plan.json" if source.is_dir() else None
    if plan_file is not None:
        if not plan_file.exists():
            raise InputError([InputIssue(str(source), None, None, None,
                                         "folder without plan.json (not a plan folder)")])
        try:
            doc = json.loads(plan_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError([InputIssue(str(plan_file), None, None, None,
                                         f"cannot read: {exc}")]) from exc
        return Side(doc.get("scenario", source.name), str(source), doc.get("status", "?"), doc)
    inputs = load_inputs(data_dir, source)
    if inputs.horizon is not None:  # several years (NEED.md): solved by optimiser/horizon
        from optimiser.horizon.output import horizon_document
        from optimiser.horizon.run import run_horizon

        run = run_horizon(inputs)
    else:
        run = run_scenario(inputs)
    if run.plan is None:
        doc = {"scenario": inputs.scenario_name, "status": run.result.status.value,
               "description": inputs.description, "overrides_log": inputs.change_log}
        return Side(inputs.scenario_name, str(source), run.result.status.value, doc)
    doc = horizon_document(run, timestamp=False) if inputs.horizon is not None else \
        plan_document(inputs, run.result, run.plan, run.build_seconds, timestamp=False)
    return Side(inputs.scenario_name, str(source), doc["status"], doc)


def load_sides(sources: list[Path], data_dir: Path | None) -> list[Side]:
    """Every side, with all input errors of all scenarios raised together."""
    sides, issues = [], []
    for source in sources:
        try:
            sides.append(load_side(source, data_dir))
        except InputError as exc:
            issues += exc.issues
    if issues:
        raise InputError(issues)
    seen: dict[str, int] = {}
    for side in sides:  # the same scenario twice gets `name#2`
        seen[side.name] = seen.get(side.name, 0) + 1
        if seen[side.name] > 1:
            side.name = f"{side.name}#{seen[side.name]}"
    return sides


def _first_year(sides: list[Side]) -> int | None:
    """The earliest horizon start among the sides; None when no side plans several years."""
    starts = [int(s.document["horizon"]["start"]) for s in sides
              if isinstance(s.document.get("horizon"), dict)]
    return min(starts) if starts else None


def _with_year(rows: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """Rows of a one-year plan in a several-year comparison belong to the first year."""
    if year is not None and not rows.empty and "year" not in rows.columns:
        rows = rows.assign(year=year)
    return rows


def _pairs(side: Side, year: int | None = None) -> pd.DataFrame:
    """Per (delegation, specialty): posts, foreign, unmet need (weighted), shortfall, categories."""
    rows = _with_year(pd.DataFrame(side.document.get("delegations") or []), year)
    if rows.empty:
        return rows
    a = float((side.document.get("parameters") or {}).get("absence_penalty", 4.0))
    weight = rows["priority_weight"] * rows["specialty_weight"]
    rows["unmet_need"] = weight * (rows["shortfall"] + a * rows["absence_shortfall"])
    rows["unmet_need_before"] = weight * (rows["shortfall_before"]
                                          + a * rows["absence_shortfall_before"])
    return rows


def _shortfall_after(pairs: pd.DataFrame) -> float | None:
    """Doctors still missing after the plan: after its last year for several years (as
    plan.json's unmet need after), not a sum of every year's shortfall."""
    if not len(pairs):
        return None
    if "year" in pairs.columns:
        pairs = pairs[pairs["year"] == pairs["year"].max()]
    return float(pairs["shortfall"].sum())


def _long(frames: dict[str, pd.DataFrame], section: str, keys: list[str],
          metrics: list[str], columns: list[str] = KEYS) -> pd.DataFrame:
    """Stack per-scenario tables indexed by `keys` into rows (keys, metric) x scenarios."""
    parts = {}
    for name, frame in frames.items():
        if frame.empty:
            continue
        stacked = frame.groupby(keys, sort=True)[metrics].sum().stack()
        parts[name] = stacked.rename_axis([*keys, "metric"])
    if not parts:
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(parts).reindex(columns=list(frames)).reset_index()
    table.insert(0, "section", section)
    return table.reindex(columns=columns + list(frames))


def _summary(sides: list[Side], pairs: dict[str, pd.DataFrame],
             columns: list[str] = KEYS) -> pd.DataFrame:
    rows = []
    # plans of datasets with uptake data (UPTAKE.md) have it; other comparisons keep their shape
    expected = any("expected_unmet_need" in side.document for side in sides)
    for metric in SUMMARY_METRICS:
        if metric == "expected_unmet_need" and not expected:
            continue
        row = {"section": "summary", "metric": metric}
        for side in sides:
            doc, p = side.document, pairs[side.name]
            values = {
                "objective": doc.get("objective"),
                "unmet_need_before": (doc.get("unmet_need") or {}).get("before"),
                "unmet_need_after": (doc.get("unmet_need") or {}).get("after"),
                "expected_unmet_need": doc.get("expected_unmet_need"),
                "shortfall_doctors": _shortfall_after(p),
                "posts_allocated": (doc.get("totals") or {}).get("posts_allocated"),
                "foreign_deployed": (doc.get("totals") or {}).get("foreign_deployed"),
                "budget_used": doc.get("budget_used"),
                **{c: (doc.get("posts_by_category") or {}).get(c)
                   for c in ("creation", "compensation", "reinforcement")},
            }
            row[side.name] = values[metric] if side.has_plan else None
        rows.append(row)
    status = {"section": "summary", "metric": "status", **{s.name: s.status for s in sides}}
    return pd.DataFrame([status, *rows]).reindex(columns=columns + [s.name for s in sides])


def _changes(frames: dict[str, pd.DataFrame], keys: list[str], value: str,
             section: str, columns: list[str] = KEYS) -> pd.DataFrame:
    """Keys whose `value` differs between any two scenarios (missing rows count as 0)."""
    parts = {name: f.groupby(keys, sort=True)[value].sum() for name, f in frames.items()
             if not f.empty}
    if not parts:
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(parts).reindex(columns=list(frames)).fillna(0)
    table = table[table.nunique(axis=1) > 1].astype("int64").reset_index()
    table.insert(0, "section", section)
    table["metric"] = value
    return table.reindex(columns=columns + list(frames))


@dataclass(frozen=True)
class Comparison:
    """All comparison tables (long format: KEYS then one column per scenario)."""

    sides: list[Side]
    summary: pd.DataFrame
    by_region: pd.DataFrame
    by_specialty: pd.DataFrame
    delegation_changes: pd.DataFrame
    foreign_changes: pd.DataFrame

    @property
    def names(self) -> list[str]:
        """Scenario names, base first."""
        return [s.name for s in self.sides]

    def table(self) -> pd.DataFrame:
        """Everything in one long table (comparison.csv)."""
        return pd.concat([self.summary, self.by_region, self.by_specialty,
                          self.delegation_changes, self.foreign_changes], ignore_index=True)

    def to_json(self) -> dict:
        """comparison.json: scenarios with their override logs, then each table's records."""
        def records(frame: pd.DataFrame) -> list[dict]:
            keep = [c for c in frame.columns if c == "metric" or c in self.names
                    or frame[c].notna().any()]
            return [{k: (None if pd.isna(v) else v) for k, v in row.items() if k != "section"}
                    for row in frame[keep].to_dict(orient="records")]

        return {
            "base": self.names[0],
            "scenarios": [{"name": s.name, "source": s.source, "status": s.status,
                           "description": s.document.get("description", ""),
                           "overrides_log": s.document.get("overrides_log", []),
                           "scenario_constraints": s.document.get("scenario_constraints", [])}
                          for s in self.sides],
            "summary": records(self.summary),
            "by_region": records(self.by_region),
            "by_specialty": records(self.by_specialty),
            "delegation_changes": records(self.delegation_changes),
            "foreign_changes": records(self.foreign_changes),
        }


def compare(sides: list[Side]) -> Comparison:
    """Build every table of the comparison; the first side is the base."""
    year = _first_year(sides)
    per = ["year"] if year is not None else []  # several years: every table per year
    columns = YEAR_KEYS if year is not None else KEYS
    pairs = {s.name: _pairs(s, year) for s in sides}
    metrics = ["posts", "foreign", "creation", "compensation", "reinforcement",
               "unmet_need", "shortfall"]
    by_region = _long(pairs, "region", [*per, "region"], metrics, columns)
    by_specialty = _long(pairs, "specialty", [*per, "specialty"],
                         ["posts", "foreign", "unmet_need", "shortfall"], columns)
    foreign = {s.name: _with_year(pd.DataFrame(
        s.document.get("foreign") or [],
        columns=[*(["year"] if "horizon" in s.document else []), "contingent", "delegation",
                 "region", "specialty", "doctors"]), year) for s in sides if s.has_plan}
    delegation_changes = pd.concat([
        _changes({n: p for n, p in pairs.items() if len(p)},
                 [*per, "region", "delegation", "specialty"], value, "delegation", columns)
        for value in ("posts", "foreign")], ignore_index=True)
    if not delegation_changes.empty:
        delegation_changes = delegation_changes.sort_values(
            [*per, "delegation", "specialty", "metric"], kind="stable").reset_index(drop=True)
    foreign_changes = _changes(foreign, [*per, "contingent", "region", "delegation",
                                         "specialty"], "doctors", "foreign", columns)
    return Comparison(sides, _summary(sides, pairs, columns), by_region, by_specialty,
                      delegation_changes.reindex(columns=columns + [s.name for s in sides
                                                                     if s.has_plan]),
                      foreign_changes)


def write_comparison(out: Path, comparison: Comparison,
                     protected: Iterable[Path] = ()) -> Path:
    """comparison.csv and comparison.json in `out`, written atomically (`folders`)."""
    from optimiser.folders import write_folder
    from optimiser.output import json_ready

    def fill(tmp: Path) -> None:
        comparison.table().to_csv(tmp / "comparison.csv", index=False, lineterminator="\n",
                                  float_format="%.9g")
        text = json.dumps(json_ready(comparison.to_json()), ensure_ascii=False, indent=1)
        (tmp / "comparison.json").write_text(text + "\n", encoding="utf-8")

    return write_folder(out, fill, "comparison", protected)


def default_out(names: list[str]) -> Path:
    """reports/compare-<names>/ (names joined by `-vs-`)."""
    return Path("reports") / ("compare-" + "-vs-".join(n.replace("#", "_") for n in names))
