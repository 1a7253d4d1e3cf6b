"""The seats of an assignment: a plan folder's national posts, and its delegations.

`optimiser assign` never re-reads the dataset: like the report it works from the plan folder
alone (`plan.json` and `allocations.csv`, read and checked by `optimiser.report.load`), so an
assignment always matches the plan a planner forwarded. Each allocation row (delegation,
specialty, promotion, posts) is `posts` seats of that delegation for the graduates of that
specialty and promotion; `delegation_info` gives each delegation's region, population,
priority weight and coordinates (for the preference generator and for deferred acceptance,
where a delegation ranks the graduates of its own region first).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimiser.errors import InputError, InputIssue

SEAT_COLUMNS = ["delegation", "specialty", "promotion", "posts"]
INFO_COLUMNS = ["region", "population", "priority_weight", "latitude", "longitude"]


@dataclass(frozen=True)
class Market:
    """A plan's seats and delegations.

    `seats`: one row per (specialty, promotion, delegation) with posts > 0, sorted so.
    `delegations`: indexed by delegation code (sorted), the columns INFO_COLUMNS (coordinates
    NaN where the plan has none; priority weight 1 where it has none, MODEL.md's default).
    """

    folder: Path
    scenario: str
    seats: pd.DataFrame
    delegations: pd.DataFrame

    @property
    def regions(self) -> set[str]:
        """Region codes of the plan's delegations."""
        return set(self.delegations["region"])

    @property
    def groups(self) -> set[tuple[str, int]]:
        """(specialty, promotion) pairs with at least one seat."""
        return set(zip(self.seats["specialty"], self.seats["promotion"], strict=True))


def load_market(folder: Path) -> Market:
    """Read the plan folder; a folder without a valid plan is bad input (exit 2)."""
    from optimiser.report.horizon import first_year
    from optimiser.report.load import PlanError, load_plan

    try:
        # a plan over several years: its first year's posts, the round decided now
        plan = first_year(load_plan(Path(folder)))
    except PlanError as exc:
        raise InputError([InputIssue(str(folder), None, None, None, problem)
                          for problem in exc.problems]) from None
    info = pd.DataFrame(plan.meta["delegation_info"])
    missing = [c for c in ["delegation", *INFO_COLUMNS] if c not in info.columns]
    if missing:
        raise InputError([InputIssue(str(Path(folder) / "plan.json"), None, None, None,
                                     f"delegation_info lacks {', '.join(missing)}")])
    delegations = info.set_index("delegation")[INFO_COLUMNS].sort_index()
    delegations["region"] = delegations["region"].astype(str)
    for column in ("population", "priority_weight", "latitude", "longitude"):
        delegations[column] = pd.to_numeric(delegations[column], errors="coerce")
    delegations["priority_weight"] = delegations["priority_weight"].fillna(1.0)
    seats = plan.allocations.loc[:, SEAT_COLUMNS].copy()
    seats["promotion"] = seats["promotion"].astype(np.int64)
    seats["posts"] = seats["posts"].astype(np.int64)
    seats = (seats[seats["posts"] > 0]
             .groupby(["specialty", "promotion", "delegation"], as_index=False)["posts"].sum()
             .sort_values(["specialty", "promotion", "delegation"], ignore_index=True))
    unknown = sorted(set(seats["delegation"]) - set(delegations.index))
    if unknown:
        raise InputError([InputIssue(str(Path(folder) / "plan.json"), None, None, None,
                                     f"allocations name delegations absent from "
                                     f"delegation_info: {', '.join(unknown[:5])}")])
    return Market(Path(folder), str(plan.meta.get("scenario", Path(folder).name)), seats,
                  delegations)
