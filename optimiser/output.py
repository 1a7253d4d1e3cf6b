"""Write a plan folder (docs/plan-folder.md) atomically: a temp folder renamed into place.

A run either leaves a complete plan folder or leaves the previous one untouched: planners
forward these folders, and half a plan is worse than none. Which folders may be replaced, the
lock and the swap are `optimiser.folders`' job.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from optimiser import folders
from optimiser.dependencies import has_dependencies
from optimiser.dependencies import plan_section as dependency_section
from optimiser.equity import worst_off
from optimiser.inputs import ModelInputs
from optimiser.results import PlanTables
from optimiser.solve import SolveResult

DIGITS = 9


def json_ready(value: object, digits: int = DIGITS) -> object:
    """JSON-safe, rounded, deterministic values (numpy scalars, NaN -> null, sets sorted).

    Tables (DataFrames) pass through untouched: `_records` converts them vectorised.
    """
    if isinstance(value, pd.DataFrame):
        return value
    if isinstance(value, dict):
        return {str(k): json_ready(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [json_ready(v, digits) for v in items]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if value is pd.NA or value is None:
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        rounded = round(value, digits)
        return 0.0 if rounded == 0 else rounded
    return value


def _records(table: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts, rounded like `json_ready`; vectorised (10^6 rows happen)."""
    floats = table.select_dtypes("float").columns
    table = table.copy()
    table[floats] = table[floats].round(DIGITS) + 0.0  # + 0.0 turns -0.0 into 0.0
    table = table.astype(object).where(table.notna(), None)
    return table.to_dict(orient="records")


def _reference_tables(inputs: ModelInputs) -> dict[str, object]:
    """Names, weights and contingent facts so the plan folder is self-contained for reports."""
    ds = inputs.dataset
    p = inputs.pairs
    spec_after = p.groupby(level="specialty", sort=True)["norm"].first()
    weights = p.groupby(level="delegation", sort=True)["priority_weight"].first()
    specialties = ds.specialties.reset_index().rename(columns={"specialty_code": "specialty"})
    specialties["norm_per_100k"] = spec_after.reindex(specialties["specialty"]).to_numpy()
    for name in ("name_en", "name_ar"):  # optional columns (DATA.md): null when absent
        if name not in specialties:
            specialties[name] = None
    dele = ds.delegations.reset_index().rename(
        columns={"delegation_code": "delegation", "region_code": "region"})
    dele["priority_weight"] = weights.reindex(dele["delegation"]).to_numpy()
    dele_cols = ["delegation", "name_fr", "name_ar", "region", "population", "priority_weight",
                 "latitude", "longitude", *(["hcp_code"] if "hcp_code" in dele else [])]
    contingents = []
    for code, row in ds.contingents.iterrows():
        supply = inputs.supply[inputs.supply.index.get_level_values("contingent") == code]
        contingents.append({
            "contingent": code, "name": row["name"], "origin": row["origin"],
            "min_team": row["min_team"], "max_sites": row["max_sites"],
            "cost_per_doctor": row["cost_per_doctor"], "eligible": row["eligible"],
            "supply": {s: int(v) for (_, s), v in supply.items()},
        })
    regions = ds.regions.reset_index().rename(columns={"region_code": "region"})
    return {
        "regions": _records(regions[["region", "name_fr", "name_ar"]]),
        "specialties": _records(specialties[["specialty", "name_fr", "name_en", "name_ar",
                                             "norm_per_100k", "min_presence", "weight"]]),
        "delegation_info": _records(dele[dele_cols]),
        "contingents": json_ready(contingents),
        "sources": ds.sources,
    }


def delegations_reached(plan: PlanTables) -> int:
    """How many delegations receive at least one national post (NEED.md reach; the
    ministry's 2024 round reached 78)."""
    table = plan.allocations
    return int(table.loc[table["posts"] > 0, "delegation"].nunique())


def _worst_off_keys(inputs: ModelInputs, plan: PlanTables) -> dict[str, object]:
    """max_per_capita_unmet_need and worst_delegation, from the plan's integers."""
    value, delegation = worst_off(inputs, plan.delegations["staff_after"].to_numpy(float))
    return {"max_per_capita_unmet_need": value, "worst_delegation": delegation}


def plan_document(inputs: ModelInputs, result: SolveResult, plan: PlanTables,
                  build_seconds: float, timestamp: bool = True) -> dict:
    """plan.json: SCENARIO.md's stable keys first, then the extras of docs/plan-folder.md.

    Without `timestamp`, everything that changes from one run to the next is left out
    (`generated_at`, `build_seconds`, `solve_seconds` are null), so that two runs give
    byte-identical plan folders.
    """
    objective = plan.objective
    bound = result.best_bound
    if bound is not None and result.objective is not None:
        bound = min(bound, objective)  # the plan's exact objective can only improve on the bound
    gap = 0.0 if bound is None or objective == bound else abs(objective - bound) / max(
        abs(objective), 1e-9)
    document = {
        "scenario": inputs.scenario_name,
        "status": result.status.value,
        "objective": objective,
        "best_bound": bound,
        "gap": gap if bound is not None else None,
        "solver": f"{result.solver} {result.solver_version}".strip(),
        "build_seconds": round(build_seconds, 4) if timestamp else None,
        "solve_seconds": round(result.solve_seconds, 4) if timestamp else None,
        "allocations": plan.allocations,
        "foreign": plan.foreign,
        "delegations": plan.delegations,
        "posts_by_category": plan.posts_by_category,
        "description": inputs.description,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if timestamp else None,
        "solver_version": result.solver_version,
        "parameters": {
            "absence_penalty": inputs.absence_penalty, "allocate_all": inputs.allocate_all,
            "budget": inputs.budget, "time_limit_s": inputs.time_limit_s,
            "mip_gap": inputs.mip_gap, "solver": inputs.solver,
            "eps_over": inputs.eps_over, "eps_foreign": inputs.eps_foreign,
            # the mode matters only with uptake data: other plans keep their bytes
            **({"uptake": inputs.uptake} if inputs.dataset.has_uptake else {}),
            **({"min_reach": inputs.min_reach} if inputs.min_reach is not None else {}),
            **({"equity_weight": inputs.equity_weight} if inputs.equity_weight > 0 else {}),
        },
        "overrides_log": inputs.change_log,
        "scenario_constraints": plan.scenario_values,
        "unmet_need": {"before": plan.unmet_before, "after": plan.unmet_after},
        **({"expected_unmet_need": plan.expected_unmet} if plan.expected_unmet is not None
           else {}),
        "budget_used": plan.budget_used,
        # NEED.md reach: delegations that receive at least one national post (every plan)
        "delegations_reached": delegations_reached(plan),
        # NEED.md equity: the worst-off delegation's weighted unmet need per 100,000 (every plan)
        **_worst_off_keys(inputs, plan),
        # only scenarios with incentives have the key: other plans keep their bytes
        **({"incentives": plan.incentives} if inputs.incentives else {}),
        # only datasets with dependencies.csv have the key (NEED.md, optimiser/dependencies.py)
        **({"dependencies": dependency_section(inputs, plan.delegations)}
           if has_dependencies(inputs) else {}),
        "totals": {
            "posts_available": int(inputs.posts.sum()),
            "posts_allocated": int(plan.allocations["posts"].sum()),
            "foreign_available": int(inputs.supply.sum()),
            "foreign_deployed": int(plan.foreign["doctors"].sum()),
        },
        "posts_by_promotion": {
            str(k): int(v) for k, v in
            plan.allocations.groupby("promotion")["posts"].sum().items()
        },
        **_reference_tables(inputs),
    }
    document = json_ready(document)
    # Tables go through the vectorised path, after the small values went through `json_ready`.
    for key in ("allocations", "foreign", "delegations"):
        document[key] = _records(document[key])
    return document


def plan_json_text(document: dict) -> str:
    """plan.json with one key per line and one table row per line.

    Readable in a diff, and fast: `json` only uses its C encoder without `indent`, and a plan
    of a million rows took a minute through the pure-Python indenting encoder.
    """
    def dumps(value: object) -> str:
        # allow_nan=False: strict JSON always (`json_ready` turned non-finite floats into null;
        # one that slipped through is a bug to hear about, not an `Infinity` for readers).
        return json.dumps(value, ensure_ascii=False, allow_nan=False)

    lines = []
    for key, value in document.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            rows = ",\n".join(f"  {dumps(row)}" for row in value)
            lines.append(f" {dumps(key)}: [\n{rows}\n ]")
        else:
            lines.append(f" {dumps(key)}: {dumps(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def write_plan_folder(
    out: Path, document: dict, plan: PlanTables,
    extra: Callable[[Path], None] | None = None, protected: Iterable[Path] = (),
) -> Path:
    """Write plan.json and the CSV tables, run `extra` (reports) on the new folder, then put it
    in place of `out` (`folders.write_folder`: refused unless `out` is new, empty or a folder
    optimiser wrote)."""
    def fill(folder: Path) -> None:
        (folder / "plan.json").write_text(plan_json_text(document), encoding="utf-8")
        for name, table in (("allocations", plan.allocations), ("foreign", plan.foreign),
                            ("delegations", plan.delegations)):
            table.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n",
                         float_format=f"%.{DIGITS}g")
        if extra is not None:
            extra(folder)

    return folders.write_folder(out, fill, "plan", protected)
