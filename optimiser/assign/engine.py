"""Run a matching method over every group and gather the result tables and counts.

`assign` is the whole computation of `optimiser assign` without files: the plan's seats, the
graduates and their preferences in; the assignment table, the unfilled posts and the counts of
assignment.json out. It is deterministic (no clock, no unseeded randomness), so the same
inputs give the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimiser.assign.deferred import deferred_acceptance
from optimiser.assign.instance import Group, build_groups
from optimiser.assign.market import Market
from optimiser.assign.serial import serial_dictatorship

SERIAL, DEFERRED = "serial", "deferred-acceptance"
METHODS = (SERIAL, DEFERRED)
ASSIGNMENT_COLUMNS = ["graduate_id", "specialty", "promotion", "rank", "delegation", "choice"]
SEAT_COLUMNS = ["delegation", "specialty", "promotion", "posts", "filled", "unfilled"]


def _solve(group: Group, method: str) -> np.ndarray:
    """The column of each graduate's list they get (-1: none)."""
    if method == SERIAL:
        return serial_dictatorship(group.prefs, group.capacity)
    if method == DEFERRED:
        return deferred_acceptance(group.prefs, group.capacity, group.origin, group.seat_region)
    raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")


@dataclass(frozen=True)
class Assignment:
    """The result: one row per graduate (`table`), one per plan seat row (`seats`)."""

    method: str
    table: pd.DataFrame
    seats: pd.DataFrame
    empty_lists: int
    """Graduates whose list holds no seat of their specialty and promotion."""
    home_region: int
    """Graduates assigned to a delegation of their origin region."""

    def counts(self) -> dict[str, object]:
        """The figures of assignment.json."""
        assigned = self.table["delegation"].notna()
        choice = self.table.loc[assigned, "choice"].astype(np.int64)
        unfilled = self.seats[self.seats["unfilled"] > 0]
        by_delegation = unfilled.groupby("delegation")["unfilled"].sum()
        return {
            "graduates": len(self.table),
            "posts": int(self.seats["posts"].sum()),
            "assigned": int(assigned.sum()),
            "unassigned": int((~assigned).sum()),
            "unassigned_with_no_seat_listed": self.empty_lists,
            "unfilled_posts": int(self.seats["unfilled"].sum()),
            "assigned_in_home_region": self.home_region,
            "first_choice": int((choice == 1).sum()),
            "first_choice_share": round(float((choice == 1).mean()), 6) if len(choice) else None,
            "mean_choice": round(float(choice.mean()), 6) if len(choice) else None,
            "unfilled_by_delegation": {str(k): int(v) for k, v in by_delegation.items()},
            "groups": self._groups(),
        }

    def _groups(self) -> list[dict[str, object]]:
        """Per (specialty, promotion): graduates, posts, assigned, unfilled posts."""
        table = self.table.assign(assigned=self.table["delegation"].notna(),
                                  first=self.table["choice"] == 1)
        people = table.groupby(["specialty", "promotion"]).agg(
            graduates=("graduate_id", "size"), assigned=("assigned", "sum"),
            first_choice=("first", "sum"))
        posts = self.seats.groupby(["specialty", "promotion"])[["posts", "unfilled"]].sum()
        joined = people.join(posts, how="outer").fillna(0).astype(np.int64).reset_index()
        return [{"specialty": str(r.specialty), "promotion": int(r.promotion),
                 "graduates": int(r.graduates), "posts": int(r.posts),
                 "assigned": int(r.assigned), "unfilled_posts": int(r.unfilled),
                 "first_choice": int(r.first_choice)} for r in joined.itertuples()]


def assign(graduates: pd.DataFrame, preferences: pd.DataFrame, market: Market,
           method: str, solve: Callable[[Group, str], np.ndarray] = _solve) -> Assignment:
    """Match every (specialty, promotion) group with `method` (serial or
    deferred-acceptance)."""
    tables, seat_tables, empty, home = [], [], 0, 0
    for group in build_groups(graduates, preferences, market):
        chosen = solve(group, method)
        got = chosen >= 0
        rows = np.flatnonzero(got)
        seat = group.prefs[rows, chosen[rows]]
        delegation = np.full(len(chosen), None, dtype=object)
        delegation[rows] = group.delegations[seat]
        choice = pd.array(np.zeros(len(chosen), dtype=np.int64), dtype="Int64")
        choice[rows] = group.positions[rows, chosen[rows]]
        choice[~got] = pd.NA
        empty += int((group.prefs[:, 0] < 0).sum())
        home += int((group.origin[rows] == group.seat_region[seat]).sum())
        tables.append(pd.DataFrame({
            "graduate_id": group.graduates["graduate_id"].to_numpy(dtype=object),
            "specialty": group.specialty, "promotion": group.promotion,
            "rank": group.graduates["rank"].to_numpy(dtype=np.int64),
            "delegation": delegation, "choice": choice}))
        filled = np.bincount(seat, minlength=len(group.capacity))
        seat_tables.append(pd.DataFrame({
            "delegation": group.delegations, "specialty": group.specialty,
            "promotion": group.promotion, "posts": group.capacity, "filled": filled,
            "unfilled": group.capacity - filled}))
    table = pd.concat(tables, ignore_index=True)[ASSIGNMENT_COLUMNS]
    seats = _all_seats(market, seat_tables)
    return Assignment(method, table, seats, empty, home)


def _all_seats(market: Market, parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Every seat row of the plan, with what was filled (groups without graduates: none)."""
    seats = market.seats[["delegation", "specialty", "promotion", "posts"]]
    done = (pd.concat(parts, ignore_index=True)[["delegation", "specialty", "promotion",
                                                 "filled"]]
            if parts else pd.DataFrame(columns=["delegation", "specialty", "promotion",
                                                "filled"]))
    merged = seats.merge(done, on=["delegation", "specialty", "promotion"], how="left")
    merged["filled"] = merged["filled"].fillna(0).astype(np.int64)
    merged["unfilled"] = merged["posts"] - merged["filled"]
    return merged.sort_values(["specialty", "promotion", "delegation"],
                              ignore_index=True)[SEAT_COLUMNS]
