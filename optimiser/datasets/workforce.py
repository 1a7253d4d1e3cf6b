"""Current public specialists and expected departures per (delegation, specialty).

Disaggregation. A seed `share[s] * total[d] ** concentration[s]` (concentration < 1 for the
core team of every provincial hospital, > 1 for referral specialties that sit in large and
university hospitals) is raked (iterative proportional fitting) until every delegation sums
to its estimated total and every specialty to its national stock, then rounded within each
region so that regional totals stay exact.

Published facts win over the estimate: where the 2024 announcement says anaesthesia was
absent, the seed is 0; where it announced surgery or obstetrics support (within its 47% of
posts for specialties not accessible), the pair is put below its presence threshold (any
surplus moves to the region's largest delegation, same specialty).

Departures. The announcement opened 124 posts to compensate transfers. Transfer requests
leave remote, deprived provinces for the large cities, so departures are spread in proportion
to `current * (w[d] - 1)` over delegations whose priority weight is above the mean (first to
specialties, then to delegations, largest remainder), and only where a departure leaves the
pair at or above its presence threshold (so that MODEL.md's post categories stay distinct).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from optimiser.datasets.calibration import RegionEstimate
from optimiser.datasets.census import Delegation
from optimiser.datasets.numeric import apportion_capped, round_preserving
from optimiser.datasets.specialties import Specialty

Pair = tuple[str, str]
IPF_TOLERANCE = 1e-9
IPF_MAX_ROUNDS = 5000


@dataclass
class Cell:
    """One row of workforce.csv."""

    current: int
    departures: int = 0


def specialty_matrix(delegations: list[Delegation], totals: dict[str, float],
                     specialties: list[Specialty], absent: set[Pair]) -> dict[Pair, float]:
    """Real-valued specialists per pair: rows match `totals`, columns the national stock."""
    stock = {s.code: float(s.public_2024) for s in specialties if s.public_2024 > 0}
    national = math.fsum(stock.values())
    gamma = {s.code: s.concentration for s in specialties}
    matrix = {
        (d.code, s): 0.0 if (d.code, s) in absent or totals[d.code] <= 0
        else stock[s] / national * totals[d.code] ** gamma[s]
        for d in delegations for s in sorted(stock)
    }
    for _ in range(IPF_MAX_ROUNDS):
        _scale(matrix, stock, axis=1)
        _scale(matrix, totals, axis=0)
        worst = max(abs(math.fsum(v for (_, s), v in matrix.items() if s == code) - target)
                    for code, target in stock.items())
        if worst < IPF_TOLERANCE:
            return matrix
    raise ValueError(f"raking did not converge (column error {worst:.2e})")


def _scale(matrix: dict[Pair, float], margins: dict[str, float], axis: int) -> None:
    """Multiply each row (axis 0) or column (axis 1) so that it sums to its margin."""
    sums: dict[str, list[float]] = {}
    for pair, value in matrix.items():
        sums.setdefault(pair[axis], []).append(value)
    factor = {k: margins[k] / math.fsum(v) if math.fsum(v) > 0 else 0.0
              for k, v in sums.items()}
    for pair in matrix:
        matrix[pair] *= factor[pair[axis]]


def round_by_region(matrix: dict[Pair, float], delegations: list[Delegation],
                    estimates: list[RegionEstimate],
                    specialties: list[Specialty]) -> dict[Pair, Cell]:
    """Integer cells; each region keeps exactly its estimated total."""
    region_of = {d.code: d.region_code for d in delegations}
    cells = {(d.code, s.code): Cell(0) for d in delegations for s in specialties}
    for est in estimates:
        block = {p: v for p, v in matrix.items() if region_of[p[0]] == est.region_code}
        for pair, value in round_preserving(block, est.specialists).items():
            cells[pair].current = value
    return cells


def apply_announced_support(cells: dict[Pair, Cell], support: set[Pair],
                            delegations: list[Delegation], totals: dict[str, float],
                            thresholds: dict[Pair, float]) -> None:
    """Put announced-support pairs below their presence threshold, as the announcement did.

    It counted them among the 47% of posts for specialties "not accessible", so the posts
    they get are creations. The surplus moves to the region's largest delegation.
    """
    for d_code, s_code in sorted(support):
        cell = cells[(d_code, s_code)]
        limit = max(0, math.ceil(thresholds[(d_code, s_code)] - 1e-9) - 1)
        if cell.current > limit:
            region = next(d.region_code for d in delegations if d.code == d_code)
            anchor = max((d for d in delegations if d.region_code == region and d.code != d_code),
                         key=lambda d: (totals[d.code], d.code))
            cells[(anchor.code, s_code)].current += cell.current - limit
            cell.current = limit


def spread_departures(cells: dict[Pair, Cell], total: int, weights: dict[str, float],
                      thresholds: dict[Pair, float], excluded: set[Pair]) -> None:
    """Spread `total` departures: to specialties, then to delegations, by `current * (w - 1)`.

    Only delegations with an above-mean priority weight lose staff; a pair never drops
    below its presence threshold.
    """
    propensity = {p: c.current * (weights[p[0]] - 1.0) for p, c in cells.items()
                  if p not in excluded and weights[p[0]] > 1.0 and c.current > 0}
    caps = {p: max(0, cells[p].current - math.ceil(thresholds[p] - 1e-9)) for p in propensity}
    specialties = sorted({s for _, s in propensity})
    per_specialty = apportion_capped(
        {s: math.fsum(v for p, v in propensity.items() if p[1] == s) for s in specialties},
        total, {s: sum(c for p, c in caps.items() if p[1] == s) for s in specialties})
    for s_code, count in per_specialty.items():
        pairs = {p: v for p, v in propensity.items() if p[1] == s_code}
        for pair, n in apportion_capped(pairs, count, caps).items():
            cells[pair].departures = n
