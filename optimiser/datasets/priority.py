"""Delegation priority weights: a documented deprivation and remoteness index, mean 1.

MODEL.md weighs each delegation's unmet need by `w[d]` (> 1 for remote, deprived places).
The index averages the percentile ranks of five census-based indicators, so each counts the
same and no single outlier dominates:

- rural share of the legal population (RGPH 2024);
- illiteracy rate, aged 10 and over (RGPH 2024);
- households without running water, % (RGPH 2024);
- households' average distance to a paved road, km (RGPH 2024);
- great-circle distance from the chef-lieu to the nearest university hospital (CHU).

`w = (FLOOR + index) / mean(FLOOR + index)`: with FLOOR = 0.5 the most deprived delegation
counts at most three times the least deprived one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from optimiser.datasets.census import Indicators
from optimiser.datasets.numeric import percentile_ranks

FLOOR = 0.5
"""Added to the [0, 1] index before normalising: bounds the max/min weight ratio at 3."""


@dataclass(frozen=True)
class Priority:
    """The index, its weight and the five indicators it was computed from."""

    index: float
    weight: float
    rural_share: float
    illiteracy_rate: float
    no_running_water_pct: float
    paved_road_km: float
    chu_km: float


def priority_weights(indicators: dict[str, Indicators],
                     chu_km: dict[str, float]) -> dict[str, Priority]:
    """Index and weight (mean exactly 1 before rounding) per delegation code."""
    codes = sorted(indicators)
    components = [
        {c: indicators[c].rural_share for c in codes},
        {c: indicators[c].illiteracy_rate for c in codes},
        {c: indicators[c].no_running_water_pct for c in codes},
        {c: indicators[c].paved_road_km for c in codes},
        {c: chu_km[c] for c in codes},
    ]
    ranks = [percentile_ranks(values) for values in components]
    index = {c: math.fsum(r[c] for r in ranks) / len(ranks) for c in codes}
    mean_raw = math.fsum(FLOOR + index[c] for c in codes) / len(codes)
    return {
        c: Priority(
            index=index[c],
            weight=(FLOOR + index[c]) / mean_raw,
            rural_share=indicators[c].rural_share,
            illiteracy_rate=indicators[c].illiteracy_rate,
            no_running_water_pct=indicators[c].no_running_water_pct,
            paved_road_km=indicators[c].paved_road_km,
            chu_km=chu_km[c],
        )
        for c in codes
    }
