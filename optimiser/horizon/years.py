"""The inputs of each year of a horizon (NEED.md, several years), from one year's ModelInputs.

Year `t` (k = t - start years after the start) is MODEL.md's one-year model with:

- posts: cohorts.csv's posts of year t, as one promotion numbered t (all promotions of the
  year together, as the spec says);
- base: what is left at t of the start's staff, `(1 - rate)^k * (current - departures)`. The
  doctors earlier years' posts brought are added to it inside the model (horizon/model.py),
  since they are decisions; the first year's departures are `departures`, later years lose
  `rate` of the national staff each year.

Everything else (targets, capacities, contingents, budget, scenario constraints) holds each
year as given. A one-year horizon is MODEL.md's model with posts.csv replaced by the year's
cohort: the same optimum when the cohort equals posts.csv summed over promotions.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from optimiser.errors import InputError, InputIssue
from optimiser.inputs import ModelInputs

SCENARIO = "the scenario"
"""How errors name the scenario file where its path is not known (ModelInputs has none)."""


def horizon_years(inputs: ModelInputs) -> list[int]:
    """start..end of the scenario's horizon."""
    h = inputs.horizon
    assert h is not None
    return list(range(h.start, h.end + 1))


def check_horizon(inputs: ModelInputs) -> None:
    """Refuse, naming the file and field, what a horizon cannot plan: no cohorts.csv, a year
    cohorts.csv lacks, scenario constraints or incentives tied to one year's promotions."""
    issues: list[InputIssue] = []
    cohorts = inputs.dataset.cohorts
    if cohorts is None or cohorts.empty:
        issues.append(InputIssue(SCENARIO, None, "parameters.horizon", None,
                                 "a horizon needs cohorts.csv (the posts of each year) in the "
                                 "dataset"))
    else:
        known = set(cohorts.index.get_level_values("year"))
        missing = [t for t in horizon_years(inputs) if t not in known]
        if missing:
            issues.append(InputIssue("cohorts.csv", None, "year", None,
                                     f"no row for year(s) {missing} of the horizon "
                                     f"{inputs.horizon.start}-{inputs.horizon.end}"))
    for sel in inputs.selections:
        if sel.promotions is not None:
            issues.append(InputIssue(SCENARIO, None, "constraints", sel.name,
                                     "a constraint with a promotion filter cannot be used with "
                                     "a horizon (each year's posts are one cohort); every "
                                     "constraint applies to each year"))
    if inputs.incentives:
        issues.append(InputIssue(SCENARIO, None, "incentives", None,
                                 "incentives cannot yet be combined with a horizon"))
    if issues:
        raise InputError(issues)


def refuse_horizon(inputs: ModelInputs, command: str, scenario: object = SCENARIO) -> None:
    """Commands that plan one year refuse a scenario with a horizon rather than silently
    planning its first year only (`scenario`: the file, as the user named it)."""
    if inputs.horizon is not None:
        raise InputError([InputIssue(str(scenario), None, "parameters.horizon", None,
                                     f"`optimiser {command}` plans one year: remove "
                                     "parameters.horizon (or use `optimiser solve`, "
                                     "`compare` or `sweep`, which plan several years)")])


def attrition_rates(inputs: ModelInputs) -> np.ndarray:
    """The yearly rate of every pair position (its specialty's; 0 without a row)."""
    table = inputs.dataset.attrition
    specialty = inputs.pairs.index.get_level_values("specialty")
    if table is None or table.empty:
        return np.zeros(len(specialty))
    return table["rate"].reindex(specialty).fillna(0.0).to_numpy(float)


def cohort_posts(inputs: ModelInputs, year: int) -> pd.Series:
    """posts.csv's shape (index specialty, promotion) for one year of cohorts.csv."""
    rows = inputs.dataset.cohorts.xs(year, level="year")["posts"]
    specialties = inputs.posts.index.get_level_values("specialty").unique().union(rows.index)
    posts = rows.reindex(specialties, fill_value=0).astype(np.int64)
    index = pd.MultiIndex.from_arrays([posts.index, np.full(len(posts), year)],
                                      names=["specialty", "promotion"])
    return pd.Series(posts.to_numpy(), index=index, name="posts").sort_index()


def year_inputs(inputs: ModelInputs, year: int, staff_before: np.ndarray | None = None
                ) -> ModelInputs:
    """The one-year inputs of `year`. With `staff_before` (national staff at the end of the
    previous year, per pair), its current and departures are that staff and the rate's share
    (a plan's tables, or a rolling plan); without, the base is the start's staff decayed (the
    constant part of the joint model's staff)."""
    h = inputs.horizon
    assert h is not None
    pairs = inputs.pairs.copy()
    rate = attrition_rates(inputs)
    if year != h.start:
        if staff_before is None:
            start_base = pairs["base"].to_numpy(float)
            pairs["base"] = start_base * (1.0 - rate) ** (year - h.start)
        else:
            pairs["current"] = staff_before
            pairs["departures"] = rate * staff_before
            pairs["base"] = staff_before * (1.0 - rate)
    return dataclasses.replace(inputs, pairs=pairs, posts=cohort_posts(inputs, year))
