"""The cheapest trajectory of each pair over the years, exactly, for every pair at once.

Over the horizon a pair's cost is

    sum_t f_t(base_t + N_t + y_t) + sum_t r_t x_t + sum_t q_t . y_t,
    N_t = keep * N_{t-1} + x_t,   0 <= x_t <= upper_t,   x_t + sum y_t <= limit_t

with f_t MODEL.md's cost of year t (unmet need, absence, overstaffing, discounted), x_t the
year's posts (they stay, decaying with attrition), y_t the year's foreign doctors (one year
only) and r, q prices (the duals of column generation, horizon/decompose.py). Everything is
an integer, so the minimum is found by enumerating trajectories year by year (each year's
foreign doctors chosen for the staff the posts leave, the cheaper contingents first), with
exact prunings between partial trajectories of the same pair:

- one with at least another's staff N_t and a cost so far higher by more than what the
  extra staff can cost later (overstaffing: at most `over` per doctor and year, decayed)
  can never do better than that other one with the same later decisions;
- one with more staff than another whose cost so far is lower by more than what the missing
  staff can cost later: at most `weight * (1 + A)` per doctor and year, and never more than
  the whole unmet need the other one's decayed staff leaves.

Nothing is rounded or sampled: what survives contains an optimal trajectory of every pair
(tests/test_horizon_pricing.py compares with brute force). The number of partial
trajectories is bounded by `max_states`; past it the caller keeps HiGHS's own bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

TIE = 1e-9
"""Cost differences below this are ties (one of the tied trajectories is kept)."""


class TooManyStates(RuntimeError):
    """The enumeration would hold more partial trajectories than allowed."""


@dataclass(frozen=True)
class PairYears:
    """One row per decomposed pair, one column per year of the horizon."""

    keep: np.ndarray
    """(pairs,) 1 - attrition rate: the share of last year's national staff still there."""
    base: np.ndarray
    """(pairs, years) staff without the horizon's posts (start staff, decayed)."""
    target: np.ndarray
    presence: np.ndarray
    weight: np.ndarray
    """(pairs, years) w * imp * discount^k in the years the pair's cost can move, else 0."""
    over: np.ndarray
    """(pairs, years) eps_over * discount^k in the years the pair's cost can move, else 0."""
    absence_penalty: float
    upper: np.ndarray
    """(pairs, years) most posts of the year (0 where the pair has no post column)."""
    foreign_upper: np.ndarray | None = None
    """(pairs, years, contingents) most doctors of each contingent reaching the pair that
    year (0 where none); None: no contingent reaches a decomposed pair. They serve one year:
    they add to that year's staff and are not carried."""
    limit: np.ndarray | None = None
    """(pairs, years) most new doctors of the year, posts and foreign together (a hosting
    capacity); None: only the per-column bounds."""

    @property
    def years(self) -> int:
        """How many years the horizon has."""
        return int(self.base.shape[1])

    def year_cost(self, rows: np.ndarray, year: int, staff: np.ndarray) -> np.ndarray:
        """f_t at staff `staff` (the horizon's doctors only, any shape broadcasting against
        `rows`) for the given pair rows."""
        shape = (-1,) + (1,) * (np.ndim(staff) - 1)
        s = self.base[rows, year].reshape(shape) + staff
        over = np.maximum(0.0, s - self.target[rows, year].reshape(shape))
        return (self._weighted_unmet(rows, year, s, shape)
                + self.over[rows, year].reshape(shape) * over)

    def _weighted_unmet(self, rows: np.ndarray, year: int, s: np.ndarray,
                        shape: tuple[int, ...] = (-1,)) -> np.ndarray:
        """The weighted unmet need (absence counted A more times) at whole staff `s` (base
        included): what the years after a partial trajectory can still lose."""
        unmet = (np.maximum(0.0, self.target[rows, year].reshape(shape) - s)
                 + self.absence_penalty
                 * np.maximum(0.0, self.presence[rows, year].reshape(shape) - s))
        return self.weight[rows, year].reshape(shape) * unmet

    def trajectory_cost(self, rows: np.ndarray, posts: np.ndarray,
                        foreign: np.ndarray | None = None) -> np.ndarray:
        """Cost of one trajectory per pair row: `posts` (rows, years) national posts and
        `foreign` (rows, years) foreign doctors of each year (all contingents together)."""
        staff = np.zeros(len(rows))
        total = np.zeros(len(rows))
        for t in range(self.years):
            staff = (self.keep[rows] * staff if t else staff) + posts[:, t]
            year_staff = staff if foreign is None else staff + foreign[:, t]
            total += self.year_cost(rows, t, year_staff)
        return total

    def future_unmet(self, rows: np.ndarray, year: int, staff: np.ndarray) -> np.ndarray:
        """The unmet need (with absence) of the years after `year` if staff `staff` at
        `year` only decays: the most that any later plan can lose against one with more
        staff (its overstaffing can only be lower)."""
        total = np.zeros(len(rows))
        decayed = staff
        for t in range(year + 1, self.years):
            decayed = self.keep[rows] * decayed
            total += self._weighted_unmet(rows, t, self.base[rows, t] + decayed)
        return total

    def future_slopes(self) -> tuple[np.ndarray, np.ndarray]:
        """Per pair and year t, the most that one more (less) doctor of staff at t can add to
        the cost of the years after t: (overstaffing bound, unmet need bound)."""
        n, years = self.base.shape
        more, less = np.zeros((n, years)), np.zeros((n, years))
        below = self.presence > self.base  # staff can be under the presence threshold
        steepest = self.weight * (1.0 + self.absence_penalty * below)
        for t in range(years - 1, 0, -1):
            more[:, t - 1] = self.keep * (more[:, t] + self.over[:, t])
            less[:, t - 1] = self.keep * (less[:, t] + steepest[:, t])
        return more, less


@dataclass(frozen=True)
class Priced:
    """The cheapest trajectories found: per pair the minimum, and the `alternatives`
    cheapest complete trajectories of each pair (rows by pair, cheapest first)."""

    value: np.ndarray
    """(pairs,) minimum of cost + prices."""
    pair: np.ndarray
    cost: np.ndarray
    """cost + prices of each listed trajectory."""
    posts: np.ndarray
    """(listed, years) national posts."""
    foreign: np.ndarray | None
    """(listed, years, contingents) foreign doctors; None without contingents."""


def cheapest_trajectories(pairs: PairYears, price: np.ndarray, max_states: int,
                          foreign_price: np.ndarray | None = None, alternatives: int = 1,
                          ceiling: np.ndarray | None = None) -> Priced:
    """Minimum of cost + price . x (+ foreign_price . y) per pair, and the trajectories that
    reach it (with the next cheapest ones that survived the pruning, up to `alternatives`
    per pair). `price` is (pairs, years), `foreign_price` (pairs, years, contingents).
    Raises TooManyStates past `max_states` partial trajectories.

    With a `ceiling` (pairs,), only trajectories cheaper than it are looked for: a partial
    trajectory goes as soon as its cost so far plus the least the later years can add
    (their negative prices at their most, never less than 0 for the need) reaches it, and
    a pair with none below its ceiling gets value inf and no trajectory. Column generation
    needs no more (national 2024-2030: about half the partial trajectories go).

    Foreign doctors do not carry over, so each year's are chosen for the staff the posts
    leave: among totals 0..most, the cheapest of the year's cost plus the contingents'
    prices, the cheaper contingents taken first."""
    n, years = pairs.base.shape
    more, less = pairs.future_slopes()
    upper = pairs.upper.astype(np.int64)
    if pairs.limit is not None:
        upper = np.minimum(upper, np.where(np.isfinite(pairs.limit), pairs.limit,
                                           upper)).astype(np.int64)
    fill = None if pairs.foreign_upper is None else _fill_costs(pairs.foreign_upper,
                                                               foreign_price)
    ahead = None if ceiling is None else _least_ahead(pairs, price, upper, fill)
    owner = np.arange(n)
    staff = np.zeros(n)
    cost = np.zeros(n)
    history = np.zeros((n, 2 * years), dtype=np.int32)
    for t in range(years):
        counts = upper[owner, t] + 1
        total = int(counts.sum())
        if total > max_states:
            raise TooManyStates(f"{total} partial trajectories in year {t + 1}")
        parent = np.repeat(np.arange(len(owner)), counts)
        posts = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        owner = owner[parent]
        staff = (pairs.keep[owner] * staff[parent] if t else staff[parent]) + posts
        history = history[parent]
        history[:, t] = posts
        year = price[owner, t] * posts + pairs.year_cost(owner, t, staff)
        if fill is not None and fill[t].shape[1] > 1:
            # states of pairs a contingent reaches: the cheapest number of its doctors
            reached = np.flatnonzero(pairs.foreign_upper[owner, t].sum(axis=1) > 0)
            who = owner[reached]
            doctors = np.arange(fill[t].shape[1])
            options = pairs.year_cost(who, t, staff[reached, None] + doctors) + fill[t][who]
            if pairs.limit is not None:
                room = pairs.limit[who, t] - posts[reached]
                options[doctors[None, :] > room[:, None]] = np.inf
            chosen = np.argmin(options, axis=1)
            year[reached] = price[who, t] * posts[reached] + options[np.arange(len(who)), chosen]
            history[reached, years + t] = chosen
        cost = cost[parent] + year
        if ahead is not None:
            alive = cost + ahead[owner, t] < ceiling[owner]
            owner, staff, cost, history = owner[alive], staff[alive], cost[alive], history[alive]
        if t < years - 1:
            damage = pairs.future_unmet(owner, t, staff)
            keep = _undominated(owner, staff, cost, more[owner, t], less[owner, t], damage)
            owner, staff, cost, history = owner[keep], staff[keep], cost[keep], history[keep]
    order = np.lexsort((cost, owner))
    owner, cost, history = owner[order], cost[order], history[order]
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]]) if len(owner) \
        else np.zeros(0, dtype=np.int64)
    rank = np.arange(len(owner)) - np.repeat(starts, np.diff(np.r_[starts, len(owner)]))
    values = np.full(n, np.inf)
    values[owner[starts]] = cost[starts]
    pick = rank < alternatives
    owner, cost, history = owner[pick], cost[pick], history[pick]
    split = None if fill is None else _split(pairs.foreign_upper[owner], foreign_price[owner],
                                             history[:, years:])
    return Priced(values, owner, cost, history[:, :years].astype(np.int64), split)


def _least_ahead(pairs: PairYears, price: np.ndarray, upper: np.ndarray,
                 fill: list[np.ndarray] | None) -> np.ndarray:
    """(pairs, years): a lower bound of what the years after each year can add to a partial
    trajectory's cost: each later year's posts at their most where their price is negative,
    its cheapest number of foreign doctors, and nothing for the need (f_t >= 0 since the
    weights are; -inf, no pruning, where one is negative)."""
    n, years = price.shape
    step = np.minimum(0.0, price * upper)
    if fill is not None:
        step = step + np.stack([np.minimum(0.0, f.min(axis=1, initial=0.0)) for f in fill],
                               axis=1)
    signed = (pairs.weight < 0).any(axis=1) | (pairs.over < 0).any(axis=1)
    step[signed] = -np.inf
    ahead = np.zeros((n, years))
    for t in range(years - 2, -1, -1):
        ahead[:, t] = ahead[:, t + 1] + step[:, t + 1]
    return ahead


def _fill_costs(upper: np.ndarray, price: np.ndarray) -> list[np.ndarray]:
    """Per year, (pairs, most + 1): the cheapest price of 0, 1, ... foreign doctors (the
    contingents by price), inf past what they offer together."""
    n, years, _ = upper.shape
    out = []
    for t in range(years):
        most = int(upper[:, t].sum(axis=1).max(initial=0))
        doctors = np.broadcast_to(np.arange(most + 1), (n, most + 1))
        takes, left = _cheapest_first(upper[:, t], price[:, t], doctors)
        cost = (takes * price[:, t, None, :]).sum(axis=2)
        cost[left > 0] = np.inf
        out.append(cost)
    return out


def _split(upper: np.ndarray, price: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Each contingent's doctors in the chosen yearly totals (the cheapest first)."""
    return np.stack([_cheapest_first(upper[:, t], price[:, t], totals[:, t, None])[0][:, 0]
                     for t in range(upper.shape[1])], axis=1).astype(np.int64)


def _cheapest_first(upper: np.ndarray, price: np.ndarray, totals: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """How many doctors each contingent gives to reach each total, the cheaper contingents
    first: (pairs, totals, contingents) and what is left uncovered (pairs, totals), for
    `upper` and `price` (pairs, contingents) and `totals` (pairs, totals)."""
    rows = np.arange(len(upper))
    left = totals.astype(np.int64)
    takes = np.zeros((*left.shape, upper.shape[1]), dtype=np.int64)
    for c in np.argsort(price, axis=1, kind="stable").T:
        take = np.minimum(upper[rows, c].astype(np.int64)[:, None], left)
        takes[rows, :, c] = take
        left = left - take
    return takes, left


def _undominated(owner: np.ndarray, staff: np.ndarray, cost: np.ndarray, more: np.ndarray,
                 less: np.ndarray, damage: np.ndarray) -> np.ndarray:
    """Positions of the partial trajectories no other one of the same pair dominates."""
    # more staff, cheap enough: sorted by staff descending, a trajectory is dominated when an
    # earlier one (more staff) has cost + more * staff no higher
    order = np.lexsort((cost, -staff, owner))
    score = (cost + more * staff)[order]
    dominated = _earlier_min(owner[order], score) <= score + TIE
    order = order[~dominated]
    # less staff, cheap enough: sorted by staff ascending, dominated when an earlier one (less
    # staff) has cost - less * staff no higher
    order = order[np.lexsort((cost[order], staff[order], owner[order]))]
    score = (cost - less * staff)[order]
    dominated = _earlier_min(owner[order], score) <= score + TIE
    # or one with less staff whose whole remaining unmet need costs less than the difference
    dominated |= _earlier_min(owner[order], (cost + damage)[order]) <= cost[order] + TIE
    return np.sort(order[~dominated])


def _earlier_min(group: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Minimum of the values before each position within its (contiguous) group; inf first."""
    running = pd.Series(values).groupby(group, sort=False).cummin().to_numpy()
    earlier = np.empty_like(running)
    earlier[1:] = running[:-1]
    starts = np.r_[True, group[1:] != group[:-1]]
    earlier[starts] = np.inf
    return earlier
