"""Write a plan folder (docs/plan-folder.md) atomically: a temp folder renamed into place.

A run either leaves a complete plan folder or leaves the previous one untouched: planners
forward these folders, and half a plan is worse than none. Which folders may be replaced, the
lock and the swap are `optimiser.folders`' job.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from itertools import repeat
from json.encoder import encode_basestring
from pathlib import Path

import numpy as np
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


class Records(list):
    """A table's rows as JSON-ready dicts (what readers of the document use), remembering the
    rounded table they were made from so that `plan_json_text` writes them column-wise.

    Writing 500,000 rows one `json.dumps` at a time took seconds (issue 17); column-wise, each
    distinct value is encoded once. Any list-level change (append, slice assignment, sort...)
    forgets the table, and the rows are then written one by one as before. Changing a row
    dict in place is not seen: build a new list (or `_records` of a new table) instead.
    """

    __slots__ = ("table",)

    def __init__(self, rows: Iterable[dict] = (), table: pd.DataFrame | None = None) -> None:
        super().__init__(rows)
        self.table = table


def _forgetting(name: str) -> Callable:
    """`list.<name>`, after forgetting the table (the rows no longer are its rows)."""
    method = getattr(list, name)

    def forget(self: Records, *args: object, **kwargs: object) -> object:
        self.table = None
        return method(self, *args, **kwargs)

    forget.__name__ = name
    return forget


for _name in ("append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse",
              "__setitem__", "__delitem__", "__iadd__", "__imul__"):
    setattr(Records, _name, _forgetting(_name))


def _kind(column: pd.Series) -> str:
    """How a column is converted: "i", "u", "b" or "f" for numpy numbers and booleans, "s"
    for text (a string dtype, or objects that are all str; boxing leaves str alone), "" for
    anything else (the generic conversion)."""
    dtype = column.dtype
    kind = dtype.kind if isinstance(dtype, np.dtype) else ""
    if kind in ("i", "u", "b", "f"):
        return kind
    if isinstance(dtype, pd.StringDtype) or (
            kind == "O" and pd.api.types.infer_dtype(column, skipna=True) == "string"):
        return "s"
    return ""


def _column_values(column: pd.Series) -> list:
    """One rounded column as the Python values `DataFrame.to_dict` gives after
    `astype(object).where(notna, None)` (the old `_records`, whose values readers rely on)."""
    kind = _kind(column)
    if kind in ("i", "u", "b"):
        return column.to_numpy().tolist()
    if kind == "f":
        array = column.to_numpy()
        values = array.tolist()
        for i in np.flatnonzero(np.isnan(array)).tolist():
            values[i] = None
        return values
    if kind == "s":
        values = column.to_numpy(dtype=object, copy=True)
        values[column.isna().to_numpy()] = None
        return values.tolist()
    frame = column.to_frame()  # anything else: the old conversion, one column at a time
    frame = frame.astype(object).where(frame.notna(), None)
    return next(iter(frame.to_dict(orient="list").values()))


def _records(table: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts, rounded like `json_ready`; vectorised (10^6 rows happen).

    Built column by column (a `to_dict` of a million rows took seconds); a table whose column
    names are distinct strings is kept in the `Records` for `plan_json_text`.
    """
    floats = table.select_dtypes("float").columns
    table = table.copy()
    table[floats] = table[floats].round(DIGITS) + 0.0  # + 0.0 turns -0.0 into 0.0
    if len(table.columns) == 0:  # zip of no columns would give no rows at all
        return table.astype(object).to_dict(orient="records")
    columns = table.columns.tolist()
    values = [_column_values(table.iloc[:, j]) for j in range(len(columns))]
    named = all(type(c) is str for c in columns) and len(set(columns)) == len(columns)
    return Records(map(dict, map(zip, repeat(columns), zip(*values, strict=True))),
                   table if named else None)


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


# json.dumps(value, ensure_ascii=False, allow_nan=False) is this encoder's `encode`: strict JSON
# always (`json_ready` turned non-finite floats into null; one that slipped through is a bug to
# hear about, not an `Infinity` for readers). One encoder, not one per row.
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
_dumps = _ENCODER.encode


Fragments = tuple[np.ndarray | None, list[str]]
"""(codes, texts): row i's text is texts[codes[i]] (texts[i] when codes is None)."""


def _fragments(column: pd.Series) -> Fragments:
    """Each value of one rounded column as `json.dumps` writes it in its row.

    Each distinct value is encoded once (factorize): 500,000 rows of 40 specialty codes cost
    40 encodings. Numbers go through one `json.dumps` of the distinct values, split on ", "
    (no number's text holds one): the encoder's own float repr, and its error for inf.
    """
    kind = _kind(column)
    strings = kind == "s"
    if not kind:  # the rows' values, as before
        return None, list(map(_dumps, _column_values(column)))
    codes, uniques = pd.factorize(column, sort=False)  # missing values get code -1
    if not strings and 2 * len(uniques) > len(codes) and codes.min() >= 0:
        return None, _dumps(column.to_numpy().tolist())[1:-1].split(", ")  # mostly distinct
    distinct = uniques.tolist() if isinstance(uniques, np.ndarray) else list(uniques)
    if strings:
        texts = list(map(encode_basestring, distinct))  # json's own escaping, str subclasses too
    else:
        texts = _dumps(distinct)[1:-1].split(", ") if distinct else []
    return np.where(codes < 0, len(texts), codes), [*texts, "null"]


def _merged(left: Fragments, right: Fragments, key: str, rows: int) -> Fragments | None:
    """Two neighbouring columns as one (`right`'s texts after its `key`), when few rows differ
    in the pair (the delegation and its region, eight small counts): fewer pieces per row to
    format. None otherwise."""
    (a, left_texts), (b, right_texts) = left, right
    width, most = len(right_texts), rows // 8  # (formatting more pairs costs what it saves)
    if a is None or b is None or max(len(left_texts), width) - 1 > most:  # (-1: "null")
        return None
    codes, pairs = pd.factorize(a * width + b, sort=False)
    if len(pairs) > most:
        return None
    key = encode_basestring(key)
    texts = [f"{left_texts[p // width]}, {key}: {right_texts[p % width]}"
             for p in pairs.tolist()]
    return codes, texts


ROWS_PER_PIECE = 50_000
"""Rows formatted at a time: the text of half a million rows is never all in memory."""


def _rows_pieces(table: pd.DataFrame) -> Iterator[str]:
    """`table`'s rows (rounded, distinct string column names) as `plan_json_text` writes them,
    in pieces: one `  {...}` per row, a comma and a newline between rows, each byte-identical
    to `json.dumps` of its row dict."""
    rows = len(table)
    groups: list[Fragments] = []
    keys: list[str] = []  # the first key of each group (the others are in its texts)
    for j, key in enumerate(table.columns):
        column = _fragments(table.iloc[:, j])
        merged = _merged(groups[-1], column, key, rows) if groups else None
        if merged is None:
            groups.append(column)
            keys.append(key)
        else:
            groups[-1] = merged
    row = "  {" + ", ".join(encode_basestring(k).replace("%", "%%") + ": %s" for k in keys) + "}"
    lookups = [None if codes is None else np.array(texts, dtype=object)
               for codes, texts in groups]
    for start in range(0, rows, ROWS_PER_PIECE):
        part = slice(start, start + ROWS_PER_PIECE)
        pieces = [texts[part] if lookup is None else lookup[codes[part]].tolist()
                  for (codes, texts), lookup in zip(groups, lookups, strict=True)]
        if start:
            yield ",\n"
        yield ",\n".join(map(row.__mod__, zip(*pieces, strict=True)))


def _plan_json_pieces(document: dict) -> Iterable[str]:
    """plan.json's text in pieces, which `write_plan_folder` writes one by one rather than
    joining 250 MB of a million-row plan into one string."""
    yield "{\n"
    for i, (key, value) in enumerate(document.items()):
        yield f",\n {_dumps(key)}: " if i else f" {_dumps(key)}: "
        if isinstance(value, Records) and value and value.table is not None:
            yield "[\n"
            yield from _rows_pieces(value.table)
            yield "\n ]"
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            yield "[\n"
            yield ",\n".join(f"  {_dumps(row)}" for row in value)
            yield "\n ]"
        else:
            yield _dumps(value)
    yield "\n}\n"


def plan_json_text(document: dict) -> str:
    """plan.json with one key per line and one table row per line.

    Readable in a diff, and fast: `json` only uses its C encoder without `indent` (a plan of
    a million rows took a minute through the pure-Python indenting encoder), and the tables
    `_records` made are written column-wise (`_rows_pieces`).
    """
    return "".join(_plan_json_pieces(document))


def write_plan_folder(
    out: Path, document: dict, plan: PlanTables,
    extra: Callable[[Path], None] | None = None, protected: Iterable[Path] = (),
) -> Path:
    """Write plan.json and the CSV tables, run `extra` (reports) on the new folder, then put it
    in place of `out` (`folders.write_folder`: refused unless `out` is new, empty or a folder
    optimiser wrote)."""
    def fill(folder: Path) -> None:
        with (folder / "plan.json").open("w", encoding="utf-8") as f:
            f.writelines(_plan_json_pieces(document))  # = plan_json_text(document)
        for name, table in (("allocations", plan.allocations), ("foreign", plan.foreign),
                            ("delegations", plan.delegations)):
            table.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n",
                         float_format=f"%.{DIGITS}g")
        if extra is not None:
            extra(folder)

    return folders.write_folder(out, fill, "plan", protected)
