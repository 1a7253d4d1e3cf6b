"""The matching problems of a run: one per (specialty, promotion), as integer arrays.

Graduates compete only with the graduates of their own specialty and promotion, for the seats
of that specialty and promotion, so each group is matched on its own. Here the tables
(graduates, preference rows, the plan's seats) become, per group, the arrays the algorithms
read, built column-wise with pandas (no per-row Python loop):

- graduates in rank order (row i is the i-th best);
- `prefs[i]`: the seats of graduate i's list, as indices into the group's delegations, in
  the graduate's order, padded with -1; listed delegations without a seat of the group are
  left out (they cannot be assigned) but still count in `positions`, the place of each entry
  in the graduate's whole list (1 = first choice): an assignment's `choice`;
- `capacity[d]`: the posts of delegation d for the group;
- `origin[i]` and `seat_region[d]`: region ids (-1 when a graduate has no origin region), for
  deferred acceptance, where a delegation ranks the graduates of its own region first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimiser.assign.market import Market


@dataclass(frozen=True)
class Group:
    """One (specialty, promotion) matching problem (see the module docstring)."""

    specialty: str
    promotion: int
    graduates: pd.DataFrame
    delegations: np.ndarray
    capacity: np.ndarray
    prefs: np.ndarray
    positions: np.ndarray
    origin: np.ndarray
    seat_region: np.ndarray


def build_groups(graduates: pd.DataFrame, preferences: pd.DataFrame,
                 market: Market) -> list[Group]:
    """Every group with graduates, sorted by specialty then promotion."""
    keys = ["specialty_code", "promotion"]
    grads = graduates.sort_values([*keys, "rank"], ignore_index=True)
    grads["row"] = grads.groupby(keys, sort=False).cumcount()
    seats = market.seats.rename(columns={"specialty": "specialty_code",
                                         "delegation": "delegation_code"})
    seats["seat"] = seats.groupby(keys, sort=False).cumcount()
    prefs = preferences[["graduate_id", "delegation_code", "order"]].merge(
        grads[["graduate_id", *keys, "row"]], on="graduate_id", how="inner")
    prefs = prefs.sort_values(["graduate_id", "order"], ignore_index=True)
    prefs["position"] = prefs.groupby("graduate_id", sort=False).cumcount() + 1
    prefs = prefs.merge(seats[[*keys, "delegation_code", "seat"]],
                        on=[*keys, "delegation_code"], how="inner")
    prefs = prefs.sort_values(["graduate_id", "position"], ignore_index=True)
    prefs["column"] = prefs.groupby("graduate_id", sort=False).cumcount()
    regions = {code: i for i, code in enumerate(sorted(market.regions))}
    region_of = market.delegations["region"].map(regions)
    by_group = dict(iter(prefs.groupby(keys, sort=False)))
    groups = []
    for (specialty, promotion), mine in grads.groupby(keys, sort=True):
        seat_rows = seats[(seats["specialty_code"] == specialty)
                          & (seats["promotion"] == promotion)]
        rows = by_group.get((specialty, promotion), prefs.iloc[:0])
        n, width = len(mine), max(1, int(rows["column"].max()) + 1 if len(rows) else 1)
        table = np.full((n, width), -1, dtype=np.int64)
        positions = np.zeros((n, width), dtype=np.int64)
        at = (rows["row"].to_numpy(), rows["column"].to_numpy())
        table[at] = rows["seat"].to_numpy()
        positions[at] = rows["position"].to_numpy()
        origin = mine["origin_region"].map(regions).fillna(-1).to_numpy(dtype=np.int64)
        delegations = seat_rows["delegation_code"].to_numpy(dtype=object)
        groups.append(Group(
            specialty=str(specialty), promotion=int(promotion),
            graduates=mine.reset_index(drop=True), delegations=delegations,
            capacity=seat_rows["posts"].to_numpy(dtype=np.int64), prefs=table,
            positions=positions, origin=origin,
            seat_region=region_of.loc[delegations].to_numpy(dtype=np.int64)))
    return groups
