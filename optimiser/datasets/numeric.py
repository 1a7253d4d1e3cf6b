"""Small deterministic numeric helpers: apportionment, ranks, great-circle distance.

Plain Python (no numpy reductions) so that every machine produces the same floats and the
committed CSVs can be rebuilt byte for byte.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

EARTH_RADIUS_KM = 6371.0


def apportion(weights: Mapping[K, float], total: int) -> dict[K, int]:
    """Integers proportional to `weights` summing exactly to `total` (largest remainder).

    Ties are broken by key order so that the result never depends on dict order.
    """
    keys = sorted(weights)
    mass = math.fsum(weights[k] for k in keys)
    if total == 0 or mass <= 0:
        return dict.fromkeys(keys, 0)
    quotas = {k: total * weights[k] / mass for k in keys}
    return round_preserving(quotas, total)


def apportion_capped(weights: Mapping[K, float], total: int,
                     caps: Mapping[K, int]) -> dict[K, int]:
    """Like `apportion`, but no key gets more than its cap; the excess is re-apportioned.

    Raises ValueError when the caps cannot hold `total`.
    """
    if total > sum(caps[k] for k in weights):
        raise ValueError(f"caps hold fewer than {total}")
    result = dict.fromkeys(weights, 0)
    left, open_keys = total, {k for k in weights if caps[k] > 0 and weights[k] > 0}
    while left > 0:
        if not open_keys:
            raise ValueError(f"{left} left with no positive weight under its cap")
        share = apportion({k: weights[k] for k in open_keys}, left)
        for k in sorted(open_keys):
            take = min(share[k], caps[k] - result[k])
            result[k] += take
            left -= take
        open_keys = {k for k in open_keys if result[k] < caps[k]}
    return result


def round_preserving(values: Mapping[K, float], total: int) -> dict[K, int]:
    """Round non-negative reals to integers whose sum is `total` (largest remainder).

    `total` must be within the number of keys of the rounded-down sum; used to integerise
    a block of estimates whose real sum is (close to) `total`.
    """
    keys = sorted(values)
    floors = {k: math.floor(values[k] + 1e-9) for k in keys}
    left = total - sum(floors.values())
    if left < 0 or left > len(keys):
        raise ValueError(f"cannot round {math.fsum(values.values()):.3f} to {total}")
    order = sorted(keys, key=lambda k: (-(values[k] - floors[k]), k))
    for k in order[:left]:
        floors[k] += 1
    return floors


def percentile_ranks(values: Mapping[K, float]) -> dict[K, float]:
    """Mid-rank of each value scaled to [0, 1]: 0 for the smallest, 1 for the largest.

    Ranks rather than min-max scaling so that one outlier (Figuig's 11 km to a paved road)
    does not flatten everybody else.
    """
    ordered = sorted(values.values())
    n = len(ordered)
    if n < 2:
        return dict.fromkeys(values, 0.5)
    ranks = {}
    for key, value in values.items():
        below = sum(1 for v in ordered if v < value)
        ties = sum(1 for v in ordered if v == value)
        ranks[key] = (below + (ties - 1) / 2) / (n - 1)
    return ranks


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in kilometres on a spherical Earth."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))
