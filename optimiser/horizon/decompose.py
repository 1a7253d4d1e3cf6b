"""A lower bound for a several-year plan by column generation on each pair's trajectory.

The joint model's LP relaxation is weak: attrition makes staff a real number, and the LP keeps
a delegation exactly at its target by posting a fraction of a doctor every year where a real
plan posts one doctor every few years (national 2024-2030: LP bound 2.3% below the optimum).
The remedy is a Dantzig-Wolfe reformulation: each pair that can receive doctors chooses one
trajectory (its posts of every year and its foreign doctors of every year) among all integer
ones, at that trajectory's exact cost. The LP over trajectories is the convex hull of each
pair's integer plans.

The master is the joint model's HiGHS copy with, for every pair, its x and y columns, its
staff rows and its u, a, o columns replaced by one column per known trajectory (`lambda`,
summing to 1 per pair): a trajectory's column is the sum of the x and y columns it uses.
Every other row (posts, capacity, contingents, dependencies, scenario constraints, reach,
budget) is kept as written, so the reformulation holds for any scenario the joint model
allows. Any other row that reads the replaced u, a, o columns (none in today's joint model;
equity would) is left out whole, which can only weaken the bound. Rows on one post column
only (capacity without contingents) become that column's bound in the pricing.
Trajectories are added while some pair has one cheaper than the master's prices
(horizon/pricing.py, exact); each round's Lagrangian bound is a valid lower bound of the
plan.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import highspy
import numpy as np

from optimiser.highs_direct import quiet_highs
from optimiser.horizon.model import HorizonModel
from optimiser.horizon.pricing import TIE, PairYears, Priced, TooManyStates, cheapest_trajectories
from optimiser.inputs import ModelInputs
from optimiser.whatif.highs import HighsModel

MAX_STATES = 2_000_000
"""Most partial trajectories held at once while pricing (about 100 MB); past it the joint
solve keeps HiGHS's own bound (national 2024-2030: under 100,000)."""
REDUCED_COST_TOL = 1e-7
"""A trajectory enters when its reduced cost is below -tol * (1 + |its priced cost|)."""
ALTERNATIVES = 5
"""Trajectories offered per pair and round, the cheapest first (national 2024-2030 over the
relaxed master, whose LP is cheap: 3 rounds with 5, 5 rounds with 1; over the full master,
whose LP is not, 1 was fastest)."""
MAX_NEIGHBOURS = 200_000
"""Most neighbours of the starting plan put in the master (national 2024-2030: about 11,000,
beside its 1,142 trajectories)."""
STAFF_FAMILIES = ("shortfall", "absence", "overstaffing")

__all__ = ["Master", "TooManyStates", "build_master", "lower_bound"]


@dataclass
class Master:
    """The reformulated problem in HiGHS and what ties it to the joint model (its columns
    other than x, y and the pairs' u, a, o are copied as they are: deployments, dependency
    flags, reach indicators)."""

    highs: highspy.Highs
    data: PairYears
    x_cols: np.ndarray
    """(pairs, years) joint post column of each pair and year, -1: none."""
    y_cols: np.ndarray
    """(pairs, years, contingents) joint foreign column, -1: none."""
    convex_rows: np.ndarray
    cost: np.ndarray
    """The joint model's objective per column."""
    decided_index: np.ndarray
    """Joint column -> its position among the decided (x and y) columns, -1 for others."""
    decided_nz: tuple[np.ndarray, np.ndarray, np.ndarray]
    """The decided columns' coefficients in the master's rows: (position, row, value),
    sorted by position."""
    decided_starts: np.ndarray
    """Where each decided position's coefficients start in `decided_nz` (one more at the
    end)."""
    first_trajectory: int = 0
    """The master's columns from here on are trajectories (one lambda each)."""
    relaxed: bool = False
    """Rows with switches were left out (build_master's `relax_switches`)."""
    known: list[set[tuple[int, ...]]] = field(default_factory=list)

    def duals_used(self, duals: np.ndarray) -> np.ndarray:
        """The reduced cost (cost minus what the master's duals charge) of every x and y
        column, in decided order: the pricing's price of one post or foreign doctor."""
        position, row, value = self.decided_nz
        spent = np.bincount(position, weights=value * duals[row],
                            minlength=len(self.decided_starts) - 1)
        decided = np.flatnonzero(self.decided_index >= 0)
        return self.cost[decided] - spent


def _pairs_with_doctors(model: HorizonModel) -> np.ndarray:
    tables = [t for b in model.blocks for t in (b.x, b.y) if len(t)]
    if not tables:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate([t["pair"].to_numpy(np.int64) for t in tables]))


@dataclass
class _Layout:
    """Where each decomposed pair's columns and figures are in the joint model."""

    base: np.ndarray
    target: np.ndarray
    presence: np.ndarray
    weight: np.ndarray
    over: np.ndarray
    x_cols: np.ndarray
    y_cols: np.ndarray
    staff_rows: list[int]
    """The pairs' staff rows (shortfall, absence, overstaffing): the trajectories' costs."""
    need_cols: list[int]
    """The pairs' u, a, o columns, which those rows define."""


def _layout(hm: HighsModel, model: HorizonModel, inputs_by_year: list[ModelInputs],
            pairs: np.ndarray, discount: float) -> _Layout | None:
    """Each pair's figures and joint columns per year (None with several post columns per
    pair and year: promotions)."""
    years, n = len(model.years), len(pairs)
    row_of = np.full(len(inputs_by_year[0].pairs), -1, dtype=np.int64)
    row_of[pairs] = np.arange(n)
    contingents = sorted({c for b in model.blocks if len(b.y) for c in b.y["contingent"]},
                         key=str)
    slot = {c: j for j, c in enumerate(contingents)}
    base, target, presence, weight, over = (np.zeros((n, years)) for _ in range(5))
    x_cols = np.full((n, years), -1, dtype=np.int64)
    y_cols = np.full((n, years, len(contingents)), -1, dtype=np.int64)
    staff_rows: list[int] = []
    need_cols: list[int] = []
    for k, (block, year) in enumerate(zip(model.blocks, inputs_by_year, strict=True)):
        p = year.pairs
        for array, column in ((base, "base"), (target, "target"), (presence, "presence")):
            array[:, k] = p[column].to_numpy(float)[pairs]
        if len(block.x):
            rows = row_of[block.x["pair"].to_numpy(np.int64)]
            if len(np.unique(rows)) != len(rows):
                return None
            x_cols[rows, k] = hm.col(block.x["var"])
        if len(block.y):
            rows = row_of[block.y["pair"].to_numpy(np.int64)]
            which = np.array([slot[c] for c in block.y["contingent"]], dtype=np.int64)
            y_cols[rows, k, which] = hm.col(block.y["var"])
        movable = block.pair_vars
        if not len(movable):
            continue
        mine = movable.index.to_numpy(np.int64)
        weight[row_of[mine], k] = p["coef"].to_numpy(float)[mine] * discount ** k
        over[row_of[mine], k] = year.eps_over * discount ** k
        for family in STAFF_FAMILIES:
            table = f"{model.years[k]}:{family}"
            for d, s in p.index[mine]:
                row = hm.rows.get((table, f"{family}[{d},{s}]"))
                if row is not None:
                    staff_rows.append(row)
        for column in ("u", "a", "o"):
            need_cols += [hm.cols[v.name] for v in movable[column] if v is not None]
    return _Layout(base, target, presence, weight, over, x_cols, y_cols, staff_rows,
                   need_cols)


def build_master(hm: HighsModel, model: HorizonModel, inputs_by_year: list[ModelInputs],
                 rate: np.ndarray, discount: float, relax_switches: bool = False
                 ) -> Master | None:
    """The master with one trajectory per pair (no posts); None where the reformulation does
    not apply (no pair, several post columns per pair and year, a post or foreign column
    with a lower bound or an unbounded one).

    `relax_switches` leaves out every row with an integer column other than the posts and
    foreign doctors (the contingents' deployments: team, deploy, sites; the dependency
    flags; reach): a relaxation, so its bound is still a bound. Their LP relaxation adds
    little over the trajectories (national 2024-2030 converged: 31,597 without them, 31,603
    with them) and makes the master's LP five times slower; `Master.relaxed` says whether
    any row went."""
    pairs = _pairs_with_doctors(model)
    if not len(pairs):
        return None
    at = _layout(hm, model, inputs_by_year, pairs, discount)
    if at is None:
        return None
    lp = hm.highs.getLp()
    x_cols, y_cols = at.x_cols, at.y_cols
    decided = np.concatenate([x_cols[x_cols >= 0], y_cols[y_cols >= 0]])
    lower = np.array(lp.col_lower_, dtype=float)
    upper = np.array(lp.col_upper_, dtype=float)
    if (lower[decided] != 0).any():
        return None
    is_decided = np.zeros(lp.num_col_, dtype=bool)
    is_decided[decided] = True

    row_nz, col_nz, value = _nonzeros(lp)
    row_lower = np.asarray(lp.row_lower_, dtype=float)
    row_upper = np.asarray(lp.row_upper_, dtype=float)
    drop_row, relaxed = _rows_left_out(lp, hm.is_mip and relax_switches, row_nz, col_nz,
                                       at.staff_rows, at.need_cols, is_decided)
    _fold_single_rows(row_nz, col_nz, value, is_decided, row_lower, row_upper, upper,
                      drop_row)
    if not np.isfinite(upper[decided]).all():
        return None
    limit = _fold_capacity_rows(row_nz, col_nz, value, x_cols, y_cols, row_lower, row_upper,
                                drop_row)

    drop_col = is_decided.copy()
    drop_col[at.need_cols] = True
    kept_cols = np.flatnonzero(~drop_col)
    h, convex_rows, decided_index, decided_nz, decided_starts = _master_highs(
        lp, (row_nz, col_nz, value), ~drop_row, kept_cols, is_decided, lower, upper,
        len(pairs))

    foreign_upper = np.where(y_cols >= 0, upper[np.maximum(y_cols, 0)], 0.0)
    data = PairYears(keep=1.0 - rate[pairs], base=at.base, target=at.target,
                     presence=at.presence, weight=at.weight, over=at.over,
                     absence_penalty=inputs_by_year[0].absence_penalty,
                     upper=np.where(x_cols >= 0, upper[np.maximum(x_cols, 0)], 0.0)
                     .round().astype(np.int64),
                     foreign_upper=foreign_upper.round().astype(np.int64)
                     if y_cols.shape[2] else None,
                     limit=limit)
    n, years = x_cols.shape
    master = Master(h, data, x_cols, y_cols, convex_rows, np.asarray(lp.col_cost_, dtype=float),
                    decided_index, decided_nz, decided_starts,
                    first_trajectory=len(kept_cols), relaxed=relaxed,
                    known=[set() for _ in range(n)])
    add_trajectories(master, np.arange(n), np.zeros((n, years), dtype=np.int64),
                     np.zeros((n, *y_cols.shape[1:]), dtype=np.int64))
    return master


def _rows_left_out(lp: highspy.HighsLp, relax_switches: bool, row_nz: np.ndarray,
                   col_nz: np.ndarray, staff_rows: list[int], need_cols: list[int],
                   is_decided: np.ndarray) -> tuple[np.ndarray, bool]:
    """The joint rows the master goes without, and whether any went for `relax_switches`:
    the staff rows (the trajectories' costs), any other row reading the u, a, o columns
    they define (whole: a relaxation, where losing only those entries could cut plans off),
    and with `relax_switches` every row holding an integer column other than x and y."""
    drop_row = np.zeros(lp.num_row_, dtype=bool)
    drop_row[staff_rows] = True
    replaced = np.zeros(lp.num_col_, dtype=bool)
    replaced[need_cols] = True
    drop_row[row_nz[replaced[col_nz]]] = True
    if not relax_switches or not len(lp.integrality_):
        return drop_row, False
    switch = np.asarray(lp.integrality_) == highspy.HighsVarType.kInteger
    switch[is_decided] = False
    on_switch = np.unique(row_nz[switch[col_nz]])
    relaxed = bool((~drop_row[on_switch]).any())
    drop_row[on_switch] = True  # the switches stay, as columns in no row
    return drop_row, relaxed


def _master_highs(lp: highspy.HighsLp, nonzeros: tuple[np.ndarray, np.ndarray, np.ndarray],
                  keep_row: np.ndarray, kept_cols: np.ndarray, is_decided: np.ndarray,
                  lower: np.ndarray, upper: np.ndarray, pairs: int
                  ) -> tuple[highspy.Highs, np.ndarray, np.ndarray,
                             tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """The master's HiGHS model before any trajectory: the kept rows, the kept columns, one
    convexity row per pair. Also returns the convexity rows and the decided (x, y)
    columns' coefficients in the kept rows (Master.decided_index, decided_nz,
    decided_starts)."""
    row_nz, col_nz, value = nonzeros
    n_cols = lp.num_col_
    new_row = np.cumsum(keep_row) - 1
    new_col = np.full(n_cols, -1, dtype=np.int64)
    new_col[kept_cols] = np.arange(len(kept_cols))
    order = np.lexsort((row_nz, col_nz))
    order = order[keep_row[row_nz][order]]
    col_sorted, row_sorted, val_sorted = col_nz[order], new_row[row_nz[order]], value[order]
    decided_index = np.full(n_cols, -1, dtype=np.int64)
    decided_index[is_decided] = np.arange(int(is_decided.sum()))
    on_decided = is_decided[col_sorted]
    decided_nz = (decided_index[col_sorted[on_decided]], row_sorted[on_decided],
                  val_sorted[on_decided])
    decided_starts = np.searchsorted(decided_nz[0], np.arange(int(is_decided.sum()) + 1))

    h = quiet_highs()
    m_rows = int(keep_row.sum())
    h.addRows(m_rows, np.asarray(lp.row_lower_, dtype=float)[keep_row],
              np.asarray(lp.row_upper_, dtype=float)[keep_row], 0,
              np.zeros(m_rows, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0))
    in_kept = np.isin(col_sorted, kept_cols)
    kc, kr, kv = new_col[col_sorted[in_kept]], row_sorted[in_kept], val_sorted[in_kept]
    k_starts = np.searchsorted(kc, np.arange(len(kept_cols)))
    h.addCols(len(kept_cols), np.asarray(lp.col_cost_, dtype=float)[kept_cols],
              lower[kept_cols], upper[kept_cols], len(kr), k_starts.astype(np.int32),
              kr.astype(np.int32), kv)
    h.changeObjectiveOffset(float(lp.offset_))
    convex_rows = np.arange(m_rows, m_rows + pairs, dtype=np.int64)
    h.addRows(pairs, np.ones(pairs), np.ones(pairs), 0, np.zeros(pairs, dtype=np.int32),
              np.zeros(0, dtype=np.int32), np.zeros(0))
    h.setOptionValue("presolve", "off")  # rounds add columns: simplex from the last basis
    return h, convex_rows, decided_index, decided_nz, decided_starts


def _nonzeros(lp: highspy.HighsLp) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The constraint matrix as (row, column, value) per nonzero."""
    a = lp.a_matrix_
    starts = np.asarray(a.start_, dtype=np.int64)
    index = np.asarray(a.index_, dtype=np.int64)
    value = np.asarray(a.value_, dtype=float)
    if a.format_ == highspy.MatrixFormat.kRowwise:
        return np.repeat(np.arange(lp.num_row_), np.diff(starts)), index, value
    return index, np.repeat(np.arange(lp.num_col_), np.diff(starts)), value


def _fold_single_rows(row_nz: np.ndarray, col_nz: np.ndarray, value: np.ndarray,
                      is_decided: np.ndarray, row_lower: np.ndarray, row_upper: np.ndarray,
                      upper: np.ndarray, drop_row: np.ndarray) -> None:
    """Rows on a single x or y column with only an upper side become that column's bound
    (in `upper`) and leave the master (`drop_row`); rows with a positive lower side (one
    delegation for a specialty's posts) stay rows, since the pricing starts from zero."""
    width = np.bincount(row_nz, minlength=len(row_lower))
    for nz in np.flatnonzero((width[row_nz] == 1) & is_decided[col_nz] & ~drop_row[row_nz]):
        r, j, v = row_nz[nz], col_nz[nz], value[nz]
        low, high = (row_lower[r], row_upper[r]) if v > 0 else (-row_upper[r], -row_lower[r])
        if np.isfinite(low) and low / abs(v) > 1e-9:
            continue
        if np.isfinite(high):
            upper[j] = min(upper[j], np.floor(high / abs(v) + 1e-9))
        drop_row[r] = True


def _fold_capacity_rows(row_nz: np.ndarray, col_nz: np.ndarray, value: np.ndarray,
                        x_cols: np.ndarray, y_cols: np.ndarray, row_lower: np.ndarray,
                        row_upper: np.ndarray, drop_row: np.ndarray) -> np.ndarray | None:
    """Rows on all of one pair and year's x and y columns and nothing else, all with
    coefficient 1 and only an upper side (hosting capacity with contingents) become the
    pricing's yearly limit (returned, None without any) and leave the master."""
    n, years = x_cols.shape
    n_rows = len(row_lower)
    size = max(int(col_nz.max(initial=-1)), int(x_cols.max(initial=-1)),
               int(y_cols.max(initial=-1))) + 1
    key_of = np.full(size, -1, dtype=np.int64)
    for cols in (x_cols, y_cols):
        i, k = np.nonzero(cols >= 0)[:2]
        key_of[cols[cols >= 0]] = i * years + k
    nz_key = key_of[col_nz]
    first_key = np.full(n_rows, -2, dtype=np.int64)
    first_key[row_nz[::-1]] = nz_key[::-1]
    width = np.bincount(row_nz, minlength=n_rows)
    same = (nz_key == first_key[row_nz]) & (nz_key >= 0) & (value == 1.0)
    uniform = np.bincount(row_nz, weights=same, minlength=n_rows) == width
    columns_of = ((x_cols >= 0) + (y_cols >= 0).sum(axis=2)).ravel()
    limit = np.full((n, years), np.inf)
    for r in np.flatnonzero(uniform & ~drop_row & (width > 1) & ~np.isfinite(row_lower)
                            & np.isfinite(row_upper)):
        if width[r] != columns_of[first_key[r]]:
            continue  # on some of the pair's columns only: stays a row of the master
        i, k = divmod(int(first_key[r]), years)
        limit[i, k] = min(limit[i, k], np.floor(row_upper[r] + 1e-9))
        drop_row[r] = True
    return limit if np.isfinite(limit).any() else None


def add_trajectories(master: Master, rows: np.ndarray, posts: np.ndarray,
                     foreign: np.ndarray) -> int:
    """Add the trajectories (pair row `rows[j]`: posts `posts[j]` per year and foreign
    doctors `foreign[j]` per year and contingent) not yet in the master."""
    fresh = []
    for j, i in enumerate(rows.tolist()):
        key = (*posts[j].tolist(), *foreign[j].ravel().tolist())
        if key not in master.known[i]:
            master.known[i].add(key)
            fresh.append(j)
    if not fresh:
        return 0
    which, posts, foreign = rows[fresh], posts[fresh], foreign[fresh]
    m = len(fresh)
    # every (trajectory, joint column, amount) it uses, then every master row those touch
    cols = np.concatenate([master.x_cols[which], master.y_cols[which].reshape(m, -1)], axis=1)
    amounts = np.concatenate([posts, foreign.reshape(m, -1)], axis=1)
    used = (amounts != 0) & (cols >= 0)
    owner, col, amount = np.nonzero(used)[0], cols[used], amounts[used]
    cost = master.data.trajectory_cost(which, posts, foreign.sum(axis=2)) \
        + np.bincount(owner, weights=master.cost[col] * amount, minlength=m)
    position = master.decided_index[col]
    first, last = master.decided_starts[position], master.decided_starts[position + 1]
    width = last - first
    spread = np.arange(int(width.sum())) - np.repeat(np.cumsum(width) - width, width)
    nz = np.repeat(first, width) + spread
    _, nz_row, nz_value = master.decided_nz
    traj = np.repeat(owner, width)
    row = nz_row[nz]
    value = nz_value[nz] * np.repeat(amount, width)
    # the convexity row of each trajectory's pair
    traj = np.concatenate([traj, np.arange(m)])
    row = np.concatenate([row, master.convex_rows[which]])
    value = np.concatenate([value, np.ones(m)])
    order = np.lexsort((row, traj))
    traj, row, value = traj[order], row[order], value[order]
    head = np.r_[True, (traj[1:] != traj[:-1]) | (row[1:] != row[:-1])]
    index = row[head]
    summed = np.add.reduceat(value, np.flatnonzero(head))
    starts = np.searchsorted(traj[head], np.arange(m))
    h = master.highs
    # at most 1 (the pair's convexity row says so anyway): a boxed column that looks cheaper
    # is flipped to its upper bound by the dual simplex, where an unbounded one sends it
    # back to a phase 1 that forgets the last basis (national 2024-2030: the master's LP
    # time 6 s -> 2 s)
    h.addCols(m, cost, np.zeros(m), np.ones(m), len(index), starts.astype(np.int32),
              index.astype(np.int32), summed.astype(float))
    return m


def _prices(master: Master, duals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The reduced cost of each pair's post and foreign columns under the master's duals."""
    used = master.duals_used(duals)
    out = []
    for cols in (master.x_cols, master.y_cols):
        reduced = np.zeros(cols.shape)
        has = cols >= 0
        reduced[has] = used[master.decided_index[cols[has]]]
        out.append(reduced)
    return out[0], out[1]


def lower_bound(master: Master, deadline: float, enough: float | None = None
                ) -> tuple[float | None, int]:
    """Price trajectories until none is cheaper than the master says, the deadline, the
    bound reaching `enough`, or the master's LP falling below `enough` (the bound never
    exceeds the LP: it cannot get there any more). Returns the best Lagrangian bound found
    (valid at every round) and the rounds.

    The Lagrangian bound of the round's duals is the LP's dual objective (its value less what
    trajectories at their upper bound of 1 add through their reduced costs) plus each pair's
    most negative reduced cost over all its trajectories."""
    h = master.highs
    bound: float | None = None
    rounds = 0
    while time.perf_counter() < deadline:
        h.setOptionValue("time_limit", max(1e-3, deadline - time.perf_counter()))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        rounds += 1
        lp = h.getInfo().objective_function_value  # includes the model's offset
        solution = h.getSolution()
        duals = np.asarray(solution.row_dual)
        first = master.first_trajectory
        at_upper = float(np.asarray(solution.col_dual)[first:]
                         @ np.asarray(solution.col_value)[first:])
        price, foreign_price = _prices(master, duals)
        mu = duals[master.convex_rows]
        # only trajectories below the pair's convexity dual can enter or lower the bound
        priced: Priced = cheapest_trajectories(master.data, price, MAX_STATES, foreign_price,
                                               ALTERNATIVES, ceiling=mu + TIE * (1 + np.abs(mu)))
        lagrangian = lp - at_upper + float(np.minimum(priced.value - mu, 0.0).sum())
        bound = lagrangian if bound is None else max(bound, lagrangian)
        listed = priced.cost - mu[priced.pair]
        entering = np.flatnonzero(listed < -REDUCED_COST_TOL * (1.0 + np.abs(priced.cost)))
        if not len(entering) or (enough is not None and (bound >= enough or lp < enough)):
            break
        doctors = (priced.foreign[entering] if priced.foreign is not None
                   else np.zeros((len(entering), *master.y_cols.shape[1:]), dtype=np.int64))
        if add_trajectories(master, priced.pair[entering], priced.posts[entering],
                            doctors) == 0:
            break  # only known trajectories look cheaper: numerical noise
    return bound, rounds


def add_plan(master: Master, joint_values: np.ndarray,
             most: int = MAX_NEIGHBOURS) -> None:
    """Add the trajectories of a plan of the joint model (its column values), so that the
    master has that plan as a feasible point, and their neighbours: one post more or less
    in one year, one post moved to the year before or after, one foreign doctor of a
    contingent more or less in one year, or one swapped for a post of the same year.
    Starting from them, the first duals are already sensible (national 2024-2030: the 0.5%
    proof over the full master in 4 rounds, where the plan alone needs 16 and the post
    moves alone 10). At most `most` neighbours, a move at a time (a horizon of tens of
    thousands of pairs has a million of them); a count, not a clock, so that the same inputs
    always give the same bound."""

    def values(cols: np.ndarray) -> np.ndarray:
        return np.rint(np.where(cols >= 0, joint_values[np.maximum(cols, 0)], 0.0)
                       ).astype(np.int64)

    posts, foreign = values(master.x_cols), values(master.y_cols)
    everyone = np.arange(len(posts))
    add_trajectories(master, everyone, posts, foreign)
    data = master.data
    limit = data.limit if data.limit is not None else np.full(data.upper.shape, np.inf)
    foreign_upper = data.foreign_upper if data.foreign_upper is not None \
        else np.zeros(foreign.shape, dtype=np.int64)
    for post_move, foreign_move in _moves(*foreign.shape[1:]):
        changed, doctors = posts + post_move, foreign + foreign_move
        ok = ((changed >= 0) & (changed <= data.upper)
              & (changed + doctors.sum(axis=2) <= limit)).all(axis=1) \
            & ((doctors >= 0) & (doctors <= foreign_upper)).all(axis=(1, 2))
        if ok.sum() > most:
            break
        most -= add_trajectories(master, everyone[ok], changed[ok], doctors[ok])


def _moves(years: int, contingents: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """add_plan's moves as (change of posts per year, change of foreign doctors per year and
    contingent): the post moves first, then the foreign ones."""
    def move(posts: dict[int, int], foreign: dict[tuple[int, int], int] | None = None
             ) -> tuple[np.ndarray, np.ndarray]:
        p, f = np.zeros(years, dtype=np.int64), np.zeros((years, contingents), dtype=np.int64)
        for k, d in posts.items():
            p[k] = d
        for at, d in (foreign or {}).items():
            f[at] = d
        return p, f

    out = [move({k: d}) for k in range(years) for d in (1, -1)]
    out += [move({k: -1, k + 1: 1}) for k in range(years - 1)]
    out += [move({k: 1, k + 1: -1}) for k in range(years - 1)]
    for k in range(years):
        for c in range(contingents):
            out += [move({}, {(k, c): d}) for d in (1, -1)]
            out += [move({k: -d}, {(k, c): d}) for d in (1, -1)]
    return out
