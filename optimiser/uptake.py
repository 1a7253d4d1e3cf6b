"""Expected unmet need when national posts may stay empty (UPTAKE.md), computed exactly.

Each national post given to a pair (d, s) is taken up independently with probability p; foreign
doctors always come. With k posts and y foreign doctors the pair's staff is
S = b + y + N_k, N_k ~ Binomial(k, p), b = current - departures, and its expected cost is

    h(k, y) = w*imp * E[U(b + y + N_k)] + eps_over * max(0, b + k + y - T),
    U(s) = max(0, T - s) + A * max(0, m - s)

(the overstaffing tie-break stays on allocated numbers). U is convex and non-increasing, so
its steps dU(s) = U(s + 1) - U(s) are non-decreasing; N_{k+1} = N_k + Bernoulli(p) gives

    g(k + 1) - g(k) = p * E[dU(b + y + N_k)],  g(k) = E[U(b + y + N_k)],

and since N_k grows stochastically with k, these marginals are non-decreasing: g is convex in
k (and in y), so MODEL.md's segment, hull and greedy machinery stays exact with these marginals.
They change at every k (no breakpoints), so each post is its own segment, merged where equal.

Numbers are exact sums over the binomial distribution, not samples: U and dU vanish from
staff T on, so only the first ceil(T - b) values of N matter (the "window"). Two computations:
a recursion over k (P(N_{k+1} = i) = (1 - p) P(N_k = i) + p P(N_k = i - 1): convex combinations,
no cancellation) for the marginal tables, and log-space probabilities (log n! as a cumulated
sum of logs) for evaluating one plan; tests check them against each other and against math.comb.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from optimiser.data import Dataset
    from optimiser.errors import InputIssue
    from optimiser.inputs import ModelInputs
    from optimiser.scenario import ScenarioFile


def p_accept(ds: Dataset, index: pd.MultiIndex) -> np.ndarray:
    """Acceptance probability per (delegation, specialty) of `index`: the pair's own
    uptake.csv row, else its delegation's `*` row, else 1 (UPTAKE.md)."""
    if not ds.has_uptake:
        return np.ones(len(index))
    table = ds.uptake["p_accept"].rename_axis(["delegation", "specialty"])
    own = table.reindex(index).to_numpy(float)
    star = table[table.index.get_level_values("specialty") == "*"].droplevel("specialty")
    every = star.reindex(index.get_level_values("delegation")).to_numpy(float)
    return np.where(np.isnan(own), np.where(np.isnan(every), 1.0, every), own)


def promotion_conflicts(sf: ScenarioFile, pairs: pd.DataFrame) -> list[InputIssue]:
    """`uptake: expected` plans with all promotions of a specialty together (each pair's
    expected cost depends on its total posts: model/hull.py): a constraint by promotion would
    need the literal model, which does not have the expected cost."""
    if not (pairs["p_model"].to_numpy(float) < 1).any():
        return []
    return [sf.issue(("constraints", i, "promotion"), None,
                     "a constraint by promotion cannot be combined with parameters.uptake: "
                     "expected (the expected-uptake plan counts the posts of all promotions "
                     "together); drop the promotion filter or plan with uptake: certain")
            for i, con in enumerate(sf.scenario.constraints) if con.promotion is not None]


def uncertain(inputs: ModelInputs) -> bool:
    """Whether the model plans with acceptance below 1 anywhere (else it is MODEL.md's)."""
    return bool((inputs.pairs["p_model"].to_numpy(float) < 1).any())


def unmet(staff: np.ndarray, target: np.ndarray, presence: np.ndarray, a: float) -> np.ndarray:
    """U(s) = max(0, T - s) + A * max(0, m - s), elementwise."""
    return np.maximum(0.0, target - staff) + a * np.maximum(0.0, presence - staff)


def _window(base: np.ndarray, target: np.ndarray, most: np.ndarray) -> np.ndarray:
    """How many values of N (0, 1, ...) can leave staff below target: ceil(T - b), at most
    `most` + 1 (N never exceeds the posts)."""
    need = np.ceil(np.maximum(0.0, target - base))
    return np.minimum(need, most + 1).astype(np.int64)


def _log_factorials(n: int) -> np.ndarray:
    """log(k!) for k = 0..n (a cumulated sum of logs: relative error ~ n * 1e-16)."""
    return np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, n + 1, dtype=float)))])


def binomial_pmf(n: np.ndarray, p: np.ndarray, width: int) -> np.ndarray:
    """P(Binomial(n_r, p_r) = i) for i < width, one row r per (n, p): log-space, exact to
    rounding. p = 1 puts all mass on n; i > n has probability 0."""
    n = np.asarray(n, dtype=np.int64)
    p = np.asarray(p, dtype=float)
    i = np.arange(width)[None, :]
    lf = _log_factorials(int(max(n.max(initial=0), width)))
    inside = i <= n[:, None]
    k = np.where(inside, i, 0)
    sure = p >= 1
    lp = np.log(np.where(sure, 0.5, p))[:, None]
    lq = np.log1p(-np.where(sure, 0.5, p))[:, None]
    with np.errstate(invalid="ignore"):
        log_pmf = lf[n][:, None] - lf[k] - lf[np.where(inside, n[:, None] - k, 0)] \
            + k * lp + (n[:, None] - k) * lq
    pmf = np.exp(np.where(inside, log_pmf, -np.inf))
    return np.where(sure[:, None], (i == n[:, None]).astype(float), pmf)


def expected_parts(base: np.ndarray, foreign: np.ndarray, posts: np.ndarray, p: np.ndarray,
                   target: np.ndarray, presence: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """E[max(0, T - S)] and E[max(0, m - S)] per pair, S = base + foreign + Bin(posts, p)."""
    start = np.asarray(base, dtype=float) + foreign
    posts = np.asarray(posts, dtype=np.int64)
    width = _window(start, target, posts)
    cols = int(width.max(initial=0))
    short = np.maximum(0.0, target - start - posts)  # p = 1, or nothing below target
    absent = np.maximum(0.0, presence - start - posts)
    rows = np.flatnonzero((width > 0) & (p < 1) & (posts > 0))
    if len(rows) and cols:
        pmf = binomial_pmf(posts[rows], p[rows], cols)
        staff = start[rows, None] + np.arange(cols)[None, :]
        short[rows] = np.sum(pmf * np.maximum(0.0, target[rows, None] - staff), axis=1)
        absent[rows] = np.sum(pmf * np.maximum(0.0, presence[rows, None] - staff), axis=1)
    return short, absent


def expected_unmet_need(inputs: ModelInputs, posts: np.ndarray, foreign: np.ndarray,
                        p: np.ndarray) -> float:
    """Sum w*imp*E[U(S)] of a plan (per-pair posts and foreign doctors) under acceptance p."""
    pairs = inputs.pairs
    short, absent = expected_parts(pairs["base"].to_numpy(float), foreign, posts, p,
                                   pairs["target"].to_numpy(), pairs["presence"].to_numpy())
    return float(np.sum(pairs["coef"].to_numpy() * (short + inputs.absence_penalty * absent)))


def unmet_grid(base: np.ndarray, target: np.ndarray, presence: np.ndarray, a: float,
               p: np.ndarray, most: int, shifts: int) -> tuple[np.ndarray, np.ndarray]:
    """E[U(b + j + N_k)] and E[dU(b + j + N_k)] for k = 0..most and j = 0..shifts, arrays
    (pairs, most + 1, shifts + 1), by the binomial recursion over k (one numpy step per k)."""
    n = len(base)
    base = np.asarray(base, dtype=float)
    width = int(_window(base, target, np.full(n, most)).max(initial=0))
    eu = np.zeros((n, most + 1, shifts + 1))
    edu = np.zeros_like(eu)
    if width == 0:
        return eu, edu
    staff = base[:, None, None] + np.arange(width)[None, :, None] + np.arange(shifts + 1)
    u = unmet(staff, target[:, None, None], presence[:, None, None], a)
    du = unmet(staff + 1, target[:, None, None], presence[:, None, None], a) - u
    pmf = np.zeros((n, width))
    pmf[:, 0] = 1.0
    p_col, q_col = p[:, None], 1.0 - p[:, None]
    for k in range(most + 1):
        eu[:, k, :] = np.einsum("nw,nwj->nj", pmf, u)
        edu[:, k, :] = np.einsum("nw,nwj->nj", pmf, du)
        moved = p_col * pmf[:, :-1]
        pmf *= q_col
        pmf[:, 1:] += moved
    return eu, edu


def _over_step(staff: np.ndarray, target: np.ndarray) -> np.ndarray:
    """max(0, s + 1 - T) - max(0, s - T): the overstaffing tie-break of one more doctor."""
    return np.maximum(0.0, staff + 1 - target) - np.maximum(0.0, staff - target)


def expected_segments(inputs: ModelInputs, positions: np.ndarray,
                      limit: np.ndarray) -> pd.DataFrame:
    """Per pair position (pairs no contingent reaches), the exact expected marginal cost of
    each post k = 0..limit - 1, as segments (pair, start, count, cost): consecutive posts with
    equal marginals form one segment (e.g. beyond the target, where only eps_over remains)."""
    columns = {"pair": np.int64, "start": np.int64, "count": np.int64, "cost": float}
    limit = np.asarray(limit, dtype=np.int64)
    keep = limit > 0
    positions, limit = np.asarray(positions)[keep], limit[keep]
    if not len(positions):
        return pd.DataFrame({c: np.zeros(0, t) for c, t in columns.items()})
    pairs = inputs.pairs
    base = pairs["base"].to_numpy(float)[positions]
    target = pairs["target"].to_numpy()[positions]
    p = pairs["p_model"].to_numpy(float)[positions]
    most = int(limit.max())
    _, edu = unmet_grid(base, target, pairs["presence"].to_numpy()[positions],
                        inputs.absence_penalty, p, most, 0)
    k = np.arange(most)
    marginal = (pairs["coef"].to_numpy()[positions, None] * p[:, None] * edu[:, :most, 0]
                + inputs.eps_over * _over_step(base[:, None] + k, target[:, None]))
    valid = k[None, :] < limit[:, None]
    row, unit = np.nonzero(valid)
    cost = marginal[row, unit]
    new = (unit == 0) | np.concatenate([[True], cost[1:] != cost[:-1]])
    group = np.cumsum(new) - 1
    count = np.bincount(group)
    return pd.DataFrame({"pair": positions[row[new]], "start": unit[new],
                         "count": count, "cost": cost[new]}).astype(columns)


def reached_lines(inputs: ModelInputs, pos: int, posts: int, foreign: int
                  ) -> list[tuple[int, list[tuple[float, float, float]]]]:
    """For a pair foreign doctors can reach: per number j = 0..foreign of foreign doctors, the
    most national posts X_j with it (capacity) and the lines (alpha, beta, start) of
    c_j(x) = h(x, j), x = 0..X_j, interpolated through the integers (one line per segment of
    equal marginals; a single constant line when X_j = 0)."""
    pairs = inputs.pairs
    cap = float(pairs["cap"].to_numpy()[pos])
    base = float(pairs["base"].to_numpy()[pos])
    target = float(pairs["target"].to_numpy()[pos])
    p = float(pairs["p_model"].to_numpy()[pos])
    coef = float(pairs["coef"].to_numpy()[pos])
    eu, edu = unmet_grid(np.array([base]), np.array([target]),
                         pairs["presence"].to_numpy()[[pos]], inputs.absence_penalty,
                         np.array([p]), posts, foreign)
    out = []
    for j in range(foreign + 1):
        most = posts if np.isnan(cap) else int(min(posts, cap - j))
        x = np.arange(most + 1)
        cost = coef * eu[0, : most + 1, j] + inputs.eps_over * np.maximum(0.0, base + j + x
                                                                            - target)
        slope = np.maximum.accumulate(coef * p * edu[0, :most, j]
                                      + inputs.eps_over * _over_step(base + j + x[:-1], target))
        starts = [0] + [i for i in range(1, most) if slope[i] != slope[i - 1]]
        lines = [(float(cost[s] - slope[s] * s), float(slope[s]), float(s)) for s in starts] \
            if most else [(float(cost[0]), 0.0, 0.0)]
        out.append((most, lines))
    return out


def step_gain(inputs: ModelInputs, posts: np.ndarray, foreign: np.ndarray) -> np.ndarray:
    """Exact decrease of the expected objective per pair when it gets one more national post
    (p_model; with p = 1 it is MODEL.md's step gain)."""
    pairs = inputs.pairs
    p = pairs["p_model"].to_numpy(float)
    coef = pairs["coef"].to_numpy()
    a = inputs.absence_penalty
    now = expected_parts(pairs["base"].to_numpy(float), foreign, posts, p,
                         pairs["target"].to_numpy(), pairs["presence"].to_numpy())
    then = expected_parts(pairs["base"].to_numpy(float), foreign, posts + 1, p,
                          pairs["target"].to_numpy(), pairs["presence"].to_numpy())
    staff = pairs["base"].to_numpy(float) + posts + foreign
    return (coef * ((now[0] - then[0]) + a * (now[1] - then[1]))
            - inputs.eps_over * _over_step(staff, pairs["target"].to_numpy()))


def expected_staff(inputs: ModelInputs, posts: np.ndarray, foreign: np.ndarray) -> np.ndarray:
    """E[S] = b + foreign + p_accept * posts (the dataset's p, whatever the uptake mode)."""
    pairs = inputs.pairs
    return pairs["base"].to_numpy(float) + foreign + pairs["p_accept"].to_numpy(float) * posts
