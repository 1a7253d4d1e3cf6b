"""The report section "Specialty dependencies" (NEED.md, optional `dependencies.csv`): the
dataset's rules (new surgeons go only where an anaesthetist works after the plan, ...) and
the delegations where a rule shaped this plan.

Read straight from plan.json `dependencies` (written by `optimiser/dependencies.py`
`plan_section` for datasets that have the file): the report never re-derives where a rule
binds, so it shows exactly what the solve recorded. A plan without the key gets no section,
and its report is unchanged, byte for byte. A key of the wrong shape is treated as absent
too: the section explains the plan, and the rest of the report must not depend on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError

from optimiser.report.base import Table

RULE_KINDS = {"specialty": "spec", "requires": "spec", "min_required": "int", "source": "data"}
BINDING_KINDS = {"delegation": "code", "name_fr": "text", "name_ar": "ar", "specialty": "spec",
                 "received": "int", "requires": "spec", "required_staff_after": "int",
                 "min_required": "int"}


class _Rule(BaseModel):
    model_config = ConfigDict(extra="ignore")
    specialty: str
    requires: str
    min_required: int
    source: str | None = None


class _Binding(BaseModel):
    model_config = ConfigDict(extra="ignore")
    delegation: str
    specialty: str
    requires: str
    min_required: int
    received: int
    staff_after: int


class _Section(BaseModel):
    """The parts of plan.json `dependencies` the report shows."""

    model_config = ConfigDict(extra="ignore")
    rules: list[_Rule]
    binding: list[_Binding] = []


def dependency_tables(meta: Mapping[str, Any], info: pd.DataFrame,
                      names: Mapping[str, Mapping[str, str]]
                      ) -> tuple[dict[str, Table], dict[str, int] | None]:
    """Tables `dependencies` (the rules) and `dependency_binding` (where they bound) and the
    section's facts; nothing when plan.json has no (readable) `dependencies`."""
    found = meta.get("dependencies")
    if not isinstance(found, Mapping):
        return {}, None
    try:
        section = _Section.model_validate(found)
    except ValidationError:
        return {}, None
    rules = pd.DataFrame([r.model_dump() for r in section.rules], columns=list(RULE_KINDS))
    binding = _binding_frame(section.binding, info)
    facts = {"rules": len(rules), "bound": len(binding),
             "delegations": int(binding["delegation"].nunique())}
    tables = {"dependencies": Table("dependencies", rules, RULE_KINDS, names=names),
              "dependency_binding": Table("dependency_binding", binding, BINDING_KINDS,
                                          names=names)}
    return tables, facts


def _binding_frame(rows: list[_Binding], info: pd.DataFrame) -> pd.DataFrame:
    """The binding rows in plan.json order, with the delegation's names beside its code."""
    frame = pd.DataFrame([r.model_dump() for r in rows],
                         columns=["delegation", "specialty", "requires", "min_required",
                                  "received", "staff_after"])
    frame = frame.rename(columns={"staff_after": "required_staff_after"})
    frame = frame.merge(info[["delegation", "name_fr", "name_ar"]], on="delegation",
                        how="left")
    frame["name_fr"] = frame["name_fr"].fillna(frame["delegation"])
    frame["name_ar"] = frame["name_ar"].fillna("")
    return frame.loc[:, list(BINDING_KINDS)].reset_index(drop=True)
