"""Monte Carlo of a plan's uptake (UPTAKE.md, `optimiser simulate`): how many of its posts are
taken up, and what weighted unmet need that leaves.

Each national post given to a (delegation, specialty) row is taken up independently with the
row's probability `p_accept`; foreign doctors always come. So the arrivals of a row in one draw
are Binomial(posts, p) and its staff is `staff_before + foreign + arrivals`; a draw's weighted
unmet need is MODEL.md's first objective term on that staff. With every p = 1 it is the plan's
own `unmet_need.after`.

Reproducibility (same plan, p, draws and seed -> same bytes, whatever the memory chunking):
draws are cut into fixed blocks of `BLOCK_DRAWS`; block k draws from its own generator,
`Generator(PCG64(SeedSequence(seed, spawn_key=(k,))))`, one draw (a vector over the random
rows) after the other. A chunk of the memory loop takes consecutive draws of one block from
that block's generator, so cutting a block into chunks of any size consumes the stream in the
same order. Per draw, the unmet need is summed over all random rows at once (numpy's pairwise
sum of one contiguous row vector), and the per-row statistics are accumulated as integers
(arrival counts, and counts and sums of arrivals below the target or threshold), so neither
depends on the chunking. Adding draws never changes the earlier ones.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimiser.limits import Limit
from optimiser.output import json_ready
from optimiser.simulate_inputs import SimulationInputs

BLOCK_DRAWS = 1000
"""Draws per seeded block: part of the definition of the random stream (do not change)."""
CHUNK_CELLS = 1 << 21
"""Draws x random rows held in memory at once (2M cells: ~16 MB per int64 array)."""
MAX_DRAWS = Limit("draws", 1_000_000, "draws", "the number of draws")
DEFAULT_DRAWS = 10_000
DIGITS = 9
SIMULATION_JSON, SIMULATION_CSV = "simulation.json", "simulation.csv"
STATS = ("sum", "zero", "c1", "s1", "c2", "s2")
CSV_COLUMNS = ("delegation", "specialty", "posts", "p_accept", "mean_arrivals",
               "p_none_arrive", "mean_unmet_need")


@dataclass(frozen=True)
class Simulation:
    """The draws' totals and the per-row statistics of one simulation."""

    draws: int
    seed: int
    unmet: np.ndarray
    """Weighted unmet need of each draw."""
    taken: np.ndarray
    """National posts taken up in each draw."""
    rows: pd.DataFrame
    """One row per plan row: the columns of simulation.csv."""
    exact_mean: float
    """E[weighted unmet need], computed exactly from the binomial laws (no sampling)."""

    @property
    def mean(self) -> float:
        """Mean weighted unmet need over the draws."""
        return float(self.unmet.mean())

    @property
    def std_error(self) -> float | None:
        """Standard error of that mean (None for a single draw)."""
        if self.draws < 2:
            return None
        return float(self.unmet.std(ddof=1) / math.sqrt(self.draws))


def check_draws(draws: int) -> None:
    """--draws within [1, MAX_DRAWS] (the limit can be raised by its environment variable)."""
    from optimiser.errors import InputError, InputIssue

    if draws < 1:
        raise InputError([InputIssue("--draws", None, None, str(draws), "must be at least 1")])
    if draws > MAX_DRAWS.value:
        raise InputError([InputIssue("--draws", None, None, str(draws),
                                     MAX_DRAWS.message(f"{draws:,}"))])


def _row_costs(arrivals: np.ndarray, short: np.ndarray, absent: np.ndarray,
               coef: np.ndarray, penalty: float) -> np.ndarray:
    """w*imp*(max(0, t - s) + A*max(0, m - s)) for arrivals k, where short = t - s0 and
    absent = m - s0 are the gaps before any arrival (s = s0 + k)."""
    gap = short - arrivals
    cost = np.maximum(gap, 0.0, out=gap)
    below = absent - arrivals
    np.maximum(below, 0.0, out=below)
    cost += penalty * below
    cost *= coef
    return cost


@dataclass(frozen=True)
class DrawRows:
    """What a block of draws needs: the random rows' arrays (small: sent once to each worker of
    a cluster), the seed and the number of draws."""

    posts: np.ndarray
    p: np.ndarray
    short: np.ndarray
    absent: np.ndarray
    coef: np.ndarray
    penalty: float
    chunk: int
    seed: int
    draws: int


@dataclass(frozen=True)
class BlockSums:
    """One block's draws: the random rows' unmet need and arrivals per draw, and its integer
    per-row statistics (adding them up in any order gives the same totals)."""

    block: int
    unmet: np.ndarray
    taken: np.ndarray
    stats: dict[str, np.ndarray]


BlockRunner = Callable[[DrawRows, list[int], Callable[[BlockSums], None]], None]
"""Runs `draw_block` for every block and hands each result over (in any order)."""


def draw_block(rows: DrawRows, block: int) -> BlockSums:
    """Block `block`'s draws from its own generator, in memory chunks of `rows.chunk` draws."""
    generator = np.random.Generator(np.random.PCG64(
        np.random.SeedSequence(rows.seed, spawn_key=(block,))))
    start, stop = block * BLOCK_DRAWS, min(rows.draws, (block + 1) * BLOCK_DRAWS)
    width = len(rows.posts)
    unmet = np.zeros(stop - start)
    taken = np.zeros(stop - start, dtype=np.int64)
    stats = {k: np.zeros(width, np.int64) for k in STATS}
    for first in range(start, stop, rows.chunk):
        last = min(stop, first + rows.chunk)
        arrivals = generator.binomial(rows.posts, rows.p, size=(last - first, width))
        cost = _row_costs(arrivals.astype(float), rows.short, rows.absent, rows.coef,
                          rows.penalty)
        unmet[first - start:last - start] = cost.sum(axis=1)
        taken[first - start:last - start] = arrivals.sum(axis=1)
        _accumulate(stats, arrivals, rows.short, rows.absent)
    return BlockSums(block, unmet, taken, stats)


def draw_blocks(rows: DrawRows, blocks: list[int]) -> BlockSums:
    """Consecutive blocks as one BlockSums (a cluster task: fewer, larger results to send)."""
    parts = [draw_block(rows, block) for block in blocks]
    return BlockSums(blocks[0], np.concatenate([b.unmet for b in parts]),
                     np.concatenate([b.taken for b in parts]),
                     {k: sum(b.stats[k] for b in parts) for k in STATS})


def _in_process(rows: DrawRows, blocks: list[int], add: Callable[[BlockSums], None]) -> None:
    for block in blocks:
        add(draw_block(rows, block))


def _weights_and_gaps(inputs: SimulationInputs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: w*imp, and the gaps to the target and to the presence threshold before any
    national post arrives (staff before plus foreign doctors, who always come)."""
    r = inputs.rows
    coef = (r["priority_weight"] * r["specialty_weight"]).to_numpy(float)
    s0 = (r["staff_before"] + r["foreign"]).to_numpy(float)
    return (coef, r["target"].to_numpy(float) - s0,
            r["presence_threshold"].to_numpy(float) - s0)


def simulate(inputs: SimulationInputs, draws: int, seed: int,
             chunk_draws: int | None = None, run_blocks: BlockRunner | None = None
             ) -> Simulation:
    """Draw the plan's acceptances `draws` times; `chunk_draws` only bounds memory and
    `run_blocks` only says where the blocks run (optimiser.distributed: on a Dask cluster): the
    result is the same for any of them (see the module docstring)."""
    check_draws(draws)
    posts = inputs.rows["posts"].to_numpy(np.int64)
    p = inputs.p_accept
    coef, short, absent = _weights_and_gaps(inputs)
    penalty = inputs.absence_penalty
    random = (posts > 0) & (p < 1)
    fixed_cost = _row_costs(posts.astype(float), short, absent, coef, penalty)
    constant = float(fixed_cost[~random].sum())
    constant_posts = int(posts[~random].sum())
    idx = np.flatnonzero(random)
    width = len(idx)
    chunk = chunk_draws or max(1, CHUNK_CELLS // max(width, 1))
    rows = DrawRows(posts[idx], p[idx], short[idx], absent[idx], coef[idx], penalty, chunk,
                    seed, draws)
    unmet = np.full(draws, constant)
    taken = np.full(draws, constant_posts, dtype=np.int64)
    stats = {k: np.zeros(width, np.int64) for k in STATS}

    def add(part: BlockSums) -> None:
        start = part.block * BLOCK_DRAWS
        unmet[start:start + len(part.unmet)] += part.unmet
        taken[start:start + len(part.taken)] += part.taken
        for key in STATS:
            stats[key] += part.stats[key]

    blocks = list(range(0 if width == 0 else math.ceil(draws / BLOCK_DRAWS)))
    (run_blocks or _in_process)(rows, blocks, add)
    return Simulation(draws, seed, unmet, taken,
                      _per_row(inputs, idx, stats, fixed_cost, coef, short, absent, draws),
                      exact_expectation(inputs))


def _accumulate(stats: dict[str, np.ndarray], arrivals: np.ndarray, short: np.ndarray,
                absent: np.ndarray) -> None:
    """Integer sums per row: arrivals, draws with none, and the counts and sums of arrivals
    below the target (k < t - s0) and below the threshold (k < m - s0)."""
    stats["sum"] += arrivals.sum(axis=0)
    stats["zero"] += (arrivals == 0).sum(axis=0)
    for count, total, gap in (("c1", "s1", short), ("c2", "s2", absent)):
        below = arrivals < gap
        stats[count] += below.sum(axis=0)
        stats[total] += np.where(below, arrivals, 0).sum(axis=0)


def _per_row(inputs: SimulationInputs, idx: np.ndarray, stats: dict[str, np.ndarray],
             fixed_cost: np.ndarray, coef: np.ndarray, short: np.ndarray, absent: np.ndarray,
             draws: int) -> pd.DataFrame:
    """simulation.csv: per row the mean arrivals, the share of draws where none arrives and
    the mean weighted unmet need. E[max(0, g - K)] is g*P(K < g) - E[K; K < g], here from
    the exact integer counts of the draws."""
    r = inputs.rows
    posts = r["posts"].to_numpy(np.int64)
    mean_arrivals = np.where(inputs.p_accept >= 1, posts, 0).astype(float)
    p_none = np.where(posts == 0, np.nan, 0.0)
    mean_unmet = fixed_cost.copy()
    if len(idx):
        mean_arrivals[idx] = stats["sum"] / draws
        p_none[idx] = stats["zero"] / draws
        gaps = (short[idx] * stats["c1"] - stats["s1"]) + inputs.absence_penalty * (
            absent[idx] * stats["c2"] - stats["s2"])
        mean_unmet[idx] = coef[idx] * gaps / draws
    frame = pd.DataFrame({
        "delegation": r["delegation"].to_numpy(), "specialty": r["specialty"].to_numpy(),
        "posts": posts, "p_accept": inputs.p_accept, "mean_arrivals": mean_arrivals,
        "p_none_arrive": p_none, "mean_unmet_need": mean_unmet})
    floats = ["p_accept", "mean_arrivals", "p_none_arrive", "mean_unmet_need"]
    frame[floats] = frame[floats].round(DIGITS) + 0.0
    return frame


def exact_expectation(inputs: SimulationInputs) -> float:
    """E[weighted unmet need] from the binomial laws: sum over rows of
    w*imp*(E[max(0, t - s0 - K)] + A*E[max(0, m - s0 - K)]), K ~ Binomial(posts, p).

    Only k below the gap contributes, so the binomial terms k = 0 .. min(posts, ceil(gap)-1)
    are enumerated (in log space: (1 - p)^posts underflows for large posts)."""
    n = inputs.rows["posts"].to_numpy(np.int64)
    p = inputs.p_accept
    coef, short, absent = _weights_and_gaps(inputs)
    sure = np.where(p >= 1, n, 0).astype(float)
    expected = _expected_gap(short, n, p, sure) + inputs.absence_penalty * _expected_gap(
        absent, n, p, sure)
    return float(np.sum(coef * expected))


def _expected_gap(gap: np.ndarray, n: np.ndarray, p: np.ndarray, sure: np.ndarray
                  ) -> np.ndarray:
    """E[max(0, gap - K)] per row, K ~ Binomial(n, p) (K = n when p = 1)."""
    out = np.maximum(gap - sure, 0.0)
    rows = np.flatnonzero((p < 1) & (n > 0) & (gap > 0))
    if not len(rows):
        return out
    g, nn, pp = gap[rows], n[rows], p[rows]
    top = np.minimum(nn, np.ceil(g).astype(np.int64) - 1)  # last k with k < gap
    log_p, log_q = np.log(pp), np.log1p(-pp)
    log_choose = np.zeros(len(rows))
    total = np.zeros(len(rows))
    for k in range(int(top.max()) + 1):
        live = k <= top
        pmf = np.exp(log_choose + k * log_p + (nn - k) * log_q)
        total += np.where(live, (g - k) * pmf, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_choose += np.where(k < nn, np.log(np.maximum(nn - k, 1)) - math.log(k + 1), 0.0)
    out[rows] = total
    return out


def summary_document(sim: Simulation, inputs: SimulationInputs) -> dict:
    """simulation.json: UPTAKE.md's keys first, then what ties it to its plan and method."""
    q05, q50, q95 = np.quantile(sim.unmet, [0.05, 0.5, 0.95])
    t05, t95 = np.quantile(sim.taken, [0.05, 0.95])
    document = {
        "draws": sim.draws, "seed": sim.seed,
        "unmet_need": {"mean": sim.mean, "std_error": sim.std_error, "p05": q05, "p50": q50,
                       "p95": q95},
        "posts_taken_up": {"mean": float(sim.taken.mean()), "p05": t05, "p95": t95},
        "posts": int(inputs.rows["posts"].sum()),
        "exact_expected_unmet_need": sim.exact_mean,
        "plan_unmet_need": inputs.unmet_after,
        "plan_expected_unmet_need": inputs.expected_unmet_need,
        "p_accept_source": inputs.p_source,
        "plan_sha256": inputs.plan_sha256,
        "method": (f"each national post taken up independently with p_accept; numpy PCG64; "
                   f"draws in blocks of {BLOCK_DRAWS}, block k seeded by "
                   "SeedSequence(seed, spawn_key=(k,))"),
    }
    return json_ready(document, DIGITS)


def write_simulation(out: Path, sim: Simulation, inputs: SimulationInputs,
                     protected: tuple[Path, ...] = ()) -> Path:
    """simulation.json and simulation.csv in `out`, atomically (`folders.write_folder`)."""
    from optimiser.folders import write_folder

    text = json.dumps(summary_document(sim, inputs), ensure_ascii=False, indent=1,
                      allow_nan=False) + "\n"

    def fill(folder: Path) -> None:
        (folder / SIMULATION_JSON).write_text(text, encoding="utf-8")
        sim.rows.to_csv(folder / SIMULATION_CSV, index=False, lineterminator="\n")

    return write_folder(out, fill, "simulation", protected)


def likely_empty(sim: Simulation, top: int = 10) -> pd.DataFrame:
    """Rows with posts, most likely to see none of them taken up first: by the exact
    probability (1 - p)^posts (the simulated share beside it is noisy), then by expected empty
    posts."""
    rows = sim.rows[sim.rows["posts"] > 0].copy()
    rows["exact_p_none"] = (1.0 - rows["p_accept"]) ** rows["posts"]
    rows["expected_empty"] = rows["posts"] * (1.0 - rows["p_accept"])
    rows = rows.sort_values(["exact_p_none", "expected_empty", "delegation", "specialty"],
                            ascending=[False, False, True, True], kind="mergesort")
    return rows.head(top).reset_index(drop=True)
