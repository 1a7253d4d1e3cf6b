"""The trajectory pricing (horizon/pricing.py) against brute force: every integer trajectory
of tiny pairs (posts per year, foreign doctors per year and contingent, a yearly hosting
limit) is enumerated and the cheapest must be what the pruned enumeration returns."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from optimiser.horizon.pricing import PairYears, TooManyStates, cheapest_trajectories


def _instance(rng: np.random.Generator, contingents: int, limited: bool
              ) -> tuple[PairYears, np.ndarray, np.ndarray | None]:
    n, years = 3, int(rng.integers(1, 4))
    keep = rng.uniform(0.8, 1.0, n)
    base = rng.uniform(0, 6, (n, 1)) * keep[:, None] ** np.arange(years)
    target = np.repeat(rng.uniform(0, 9, (n, 1)), years, 1)
    presence = np.minimum(np.repeat(rng.uniform(0, 3, (n, 1)), years, 1), target)
    movable = rng.random((n, years)) < 0.9
    pairs = PairYears(
        keep=keep, base=base, target=target, presence=presence,
        weight=rng.uniform(0.5, 3, (n, 1)) * movable, over=0.01 * movable,
        absence_penalty=4.0, upper=rng.integers(0, 4, (n, years)),
        foreign_upper=rng.integers(0, 3, (n, years, contingents)) if contingents else None,
        limit=np.where(rng.random((n, years)) < 0.5, rng.integers(0, 5, (n, years)), np.inf)
        if limited else None)
    price = rng.normal(0, 3, (n, years))
    foreign_price = rng.normal(0, 2, (n, years, contingents)) if contingents else None
    return pairs, price, foreign_price


def _brute_force(pairs: PairYears, price: np.ndarray, foreign_price: np.ndarray | None,
                 i: int) -> float:
    years = pairs.years
    contingents = 0 if pairs.foreign_upper is None else pairs.foreign_upper.shape[2]
    best = np.inf
    for posts in itertools.product(*[range(u + 1) for u in pairs.upper[i]]):
        ranges = [range(pairs.foreign_upper[i, t, c] + 1)
                  for t in range(years) for c in range(contingents)]
        for flat in itertools.product(*ranges):
            doctors = np.array(flat, dtype=float).reshape(years, contingents)
            total = np.array(posts) + doctors.sum(axis=1)
            if pairs.limit is not None and (total > pairs.limit[i]).any():
                continue
            cost = (pairs.trajectory_cost(np.array([i]), np.array([posts]),
                                          doctors.sum(axis=1)[None, :])[0]
                    + float(np.dot(posts, price[i])))
            if contingents:
                cost += float((doctors * foreign_price[i]).sum())
            best = min(best, cost)
    return best


@pytest.mark.parametrize("contingents,limited", [(0, False), (0, True), (2, False), (2, True)])
def test_the_cheapest_trajectory_is_found(contingents: int, limited: bool) -> None:
    rng = np.random.default_rng(contingents * 10 + limited)
    for _ in range(40):
        pairs, price, foreign_price = _instance(rng, contingents, limited)
        priced = cheapest_trajectories(pairs, price, 10**6, foreign_price, alternatives=2)
        for i in range(len(pairs.keep)):
            assert priced.value[i] == pytest.approx(_brute_force(pairs, price, foreign_price, i),
                                                    abs=1e-7)
        # every listed trajectory costs what it says, meets its bounds, cheapest first
        posts = priced.posts
        doctors = (priced.foreign if priced.foreign is not None
                   else np.zeros((len(priced.pair), pairs.years, 0)))
        cost = (pairs.trajectory_cost(priced.pair, posts, doctors.sum(axis=2))
                + (price[priced.pair] * posts).sum(axis=1))
        if foreign_price is not None:
            cost += (foreign_price[priced.pair] * doctors).sum(axis=(1, 2))
        assert cost == pytest.approx(priced.cost, abs=1e-7)
        assert (posts <= pairs.upper[priced.pair]).all() and (posts >= 0).all()
        if pairs.foreign_upper is not None:
            assert (doctors <= pairs.foreign_upper[priced.pair]).all()
        if pairs.limit is not None:
            assert (posts + doctors.sum(axis=2) <= pairs.limit[priced.pair]).all()
        first = np.r_[True, priced.pair[1:] != priced.pair[:-1]]
        assert priced.cost[first] == pytest.approx(priced.value[priced.pair[first]])


@pytest.mark.parametrize("contingents,limited", [(0, False), (2, True)])
def test_a_ceiling_keeps_every_trajectory_below_it(contingents: int, limited: bool) -> None:
    rng = np.random.default_rng(100 + contingents)
    cut = kept = 0
    for _ in range(40):
        pairs, price, foreign_price = _instance(rng, contingents, limited)
        n = len(pairs.keep)
        best = np.array([_brute_force(pairs, price, foreign_price, i) for i in range(n)])
        # around each pair's optimum: some ceilings just or well above it, some below
        ceiling = best + rng.choice([-1.0, -1e-6, 1e-6, 2.0], n)
        priced = cheapest_trajectories(pairs, price, 10**6, foreign_price, ceiling=ceiling)
        below = best < ceiling
        assert priced.value[below] == pytest.approx(best[below], abs=1e-7)
        assert np.isinf(priced.value[~below]).all()
        assert set(priced.pair.tolist()) == set(np.flatnonzero(below).tolist())
        assert priced.cost == pytest.approx(best[priced.pair], abs=1e-7)
        cut, kept = cut + int((~below).sum()), kept + int(below.sum())
    assert cut > 0 and kept > 0


def test_the_enumeration_is_bounded() -> None:
    pairs, price, _ = _instance(np.random.default_rng(0), 0, False)
    pairs = PairYears(pairs.keep, pairs.base, pairs.target, pairs.presence, pairs.weight,
                      pairs.over, 4.0, np.full(pairs.upper.shape, 50))
    with pytest.raises(TooManyStates):
        cheapest_trajectories(pairs, price, 100)
