"""The sensitivity of the plan (`plan.json["sensitivity"]`) as readable tables.

plan.json holds, per (specialty, promotion), the marginal value of one more post, the
delegation that would receive it and that move's exact gain, sometimes an integer re-solve's
gain; also the shadow costs of hosting capacities, scenario constraints and the budget
(`optimiser/whatif/sensitivity.py`). This module only lays those values out in columns with
stable keys (labels come from `i18n`): no nested object is ever shown as text. Older plans
with a `{specialty: value}` mapping or a list of rows are read too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from optimiser.report.base import Table

SKIPPED_FOR_SIZE = "not computed for size"
"""How plan.json's `lp_status` starts when the plan was too large for the LP duals (the same
constant as optimiser/whatif/sensitivity.py, which the report does not import: it reads plan
folders without the solver's modules)."""

POST_KINDS = {
    "specialty": "spec", "promotion": "year", "posts_offered": "int", "marginal_value": "num2",
    "receiver": "code", "receiver_name": "place", "receiver_ar": "ar",
    "receiver_gain": "num2", "integer_gain": "num2", "integer_changes": "code",
}
CAPACITY_KINDS = {"delegation": "code", "name_fr": "text", "name_ar": "ar",
                  "specialty": "spec", "shadow_cost": "num2"}
CONSTRAINT_KINDS = {"name": "code", "description": "data", "bound": "term", "value": "value",
                    "shadow_cost": "num2"}
SCALAR = (str, int, float, bool, type(None))


def sensitivity_tables(meta: Mapping[str, Any], info: pd.DataFrame,
                       names: Mapping[str, Mapping[str, str]]
                       ) -> tuple[dict[str, Table], dict[str, Any] | None]:
    """Tables `sensitivity`, `sensitivity_capacity`, `sensitivity_constraints` (each when it
    has rows) and the scalar facts (availability, LP status, budget shadow cost), or no
    table and None when the plan carries no sensitivity."""
    data = meta.get("sensitivity")
    if not data:
        return {}, None
    if isinstance(data, Mapping) and data.get("available") is False:
        reason = data.get("reason")
        return {}, {"available": False, "reason": str(reason) if reason else ""}
    if isinstance(data, Mapping) and "posts" in data:
        rows, extra = data.get("posts") or [], data
    elif isinstance(data, Mapping):  # {specialty: marginal value}
        rows = [{"specialty": k, "marginal_value": v} for k, v in data.items()]
        extra = {}
    elif isinstance(data, list):
        rows, extra = data, {}
    else:
        return {}, None
    places = {d: (fr, ar) for d, fr, ar in zip(info["delegation"].tolist(),
                                               info["name_fr"].tolist(),
                                               info["name_ar"].tolist(), strict=True)}
    tables = {"sensitivity": _posts(rows, places, names)}
    capacity = _capacity(extra.get("capacity") or [], places, names)
    if len(capacity.frame):
        tables["sensitivity_capacity"] = capacity
    constraints = _constraints(extra.get("scenario_constraints") or [])
    if len(constraints.frame):
        tables["sensitivity_constraints"] = constraints
    budget = extra.get("budget_shadow_cost")
    lp_status = extra.get("lp_status")
    state = {"available": True, "lp_status": lp_status,
             "lp_skipped_for_size": isinstance(lp_status, str)
             and lp_status.startswith(SKIPPED_FOR_SIZE),
             "budget_shadow_cost": budget if isinstance(budget, int | float) else None}
    return tables, state


def _records(rows: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in rows if isinstance(r, Mapping)] if isinstance(rows, list) else []


Places = Mapping[str, tuple[str, str]]  # delegation code -> (French name, Arabic name)


def _posts(rows: Any, places: Places, names: Mapping[str, Mapping[str, str]]) -> Table:
    records = _records(rows)
    frame = pd.DataFrame({
        "specialty": [str(r.get("specialty", "")) for r in records],
        "promotion": [_int(r.get("promotion")) for r in records],
        "posts_offered": [_int(r.get("posts")) for r in records],
        "marginal_value": [_float(r.get("marginal_value")) for r in records],
        "receiver": [_text(r.get("receiver")) for r in records],
        "receiver_gain": [_float(r.get("receiver_gain")) for r in records],
        "integer_gain": [_float(r.get("integer_gain")) for r in records],
        "integer_changes": [_changes(r.get("integer_changes")) for r in records],
    }, columns=[c for c in POST_KINDS if c not in ("receiver_name", "receiver_ar")])
    frame["receiver_name"] = [_name(code, places, 0) for code in frame["receiver"]]
    frame["receiver_ar"] = [_name(code, places, 1) for code in frame["receiver"]]
    keep = [c for c in POST_KINDS
            if c in ("specialty", "marginal_value") or any(k in r for r in records
                                                           for k in _sources(c))]
    frame = frame.loc[:, keep].astype(object)
    frame = frame.where(frame.notna(), None)
    return Table("sensitivity", frame, {c: POST_KINDS[c] for c in keep}, names=names,
                 folds={"receiver_name": "receiver_ar"})


def _sources(column: str) -> tuple[str, ...]:
    """plan.json keys a column is read from (a column shows when any row has one)."""
    if column in ("receiver_name", "receiver_ar"):
        return ("receiver",)
    return ("posts",) if column == "posts_offered" else (column,)


def _capacity(rows: Any, places: Places, names: Mapping[str, Mapping[str, str]]) -> Table:
    records = _records(rows)
    codes = [_text(r.get("delegation")) for r in records]
    frame = pd.DataFrame({
        "delegation": codes,
        "name_fr": [_name(c, places, 0) for c in codes],
        "name_ar": [_name(c, places, 1) for c in codes],
        "specialty": [_text(r.get("specialty")) for r in records],
        "shadow_cost": [_float(r.get("shadow_cost")) for r in records],
    }, columns=list(CAPACITY_KINDS)).astype(object)
    return Table("sensitivity_capacity", frame.where(frame.notna(), None), CAPACITY_KINDS,
                 names=names)


def _constraints(rows: Any) -> Table:
    records = _records(rows)
    frame = pd.DataFrame({
        "name": [_text(r.get("name")) for r in records],
        "description": [_text(r.get("description")) for r in records],
        "bound": [_text(r.get("bound")) for r in records],
        "value": [r.get("value") if isinstance(r.get("value"), SCALAR) else None
                  for r in records],
        "shadow_cost": [_float(r.get("shadow_cost")) for r in records],
    }, columns=list(CONSTRAINT_KINDS)).astype(object)
    return Table("sensitivity_constraints", frame.where(frame.notna(), None), CONSTRAINT_KINDS)


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _text(value: Any) -> str | None:
    return None if value is None or not isinstance(value, SCALAR) else str(value)


def _name(code: str | None, places: Places, column: int) -> str | None:
    """French (column 0) or Arabic (1) name of a delegation code; the code when unknown."""
    if code is None:
        return None
    value = places.get(code, (code, ""))[column]
    if isinstance(value, str) and value:
        return value
    return code if column == 0 else None


def _changes(value: Any) -> str | None:
    """{delegation: +n} of an integer re-solve as "CODE +1, CODE −1"."""
    if not isinstance(value, Mapping) or not value:
        return None
    parts = []
    for code, change in sorted(value.items()):
        number = _int(change)
        if number is not None:
            parts.append(f"{code} {'+' if number > 0 else '−'}{abs(number)}")
    return ", ".join(parts) or None
