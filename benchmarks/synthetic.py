"""Seeded synthetic datasets of any size, for scale tests (not planning data).

A delegations x specialties x promotions grid with random populations, norms, staff and
capacities drawn from a fixed seed: the same arguments always give the same files.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np


def write_synthetic(out: Path, delegations: int, specialties: int, promotions: int = 2,
                    seed: int = 2024, capacity_share: float = 0.3) -> Path:
    """Write a dataset folder with delegations * specialties * promotions post variables."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)

    def write(name: str, header: list[str], rows: object) -> None:
        with (out / name).open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)

    regions = 12
    population = rng.integers(5_000, 1_500_000, delegations)
    write("regions.csv", ["region_code", "name_fr"], ([f"R{r}", f"R{r}"] for r in range(regions)))
    weights = np.round(rng.uniform(0.5, 2.0, delegations), 2)
    write("delegations.csv", ["delegation_code", "name_fr", "region_code", "population",
                              "priority_weight", "source"],
          ([f"D{d}", f"D{d}", f"R{d % regions}", population[d], weights[d], "synthetic"]
           for d in range(delegations)))
    norm = np.round(rng.uniform(0.5, 6.0, specialties), 2)
    write("specialties.csv", ["specialty_code", "name_fr", "norm_per_100k", "min_presence",
                              "weight", "source"],
          ([f"S{s}", f"S{s}", norm[s], int(rng.integers(1, 3)),
            round(float(rng.uniform(0.5, 1.5)), 2), "synthetic"] for s in range(specialties)))
    expected = population[:, None] * norm[None, :] / 100_000 * 0.7
    current = rng.poisson(expected)
    departures = rng.binomial(current, 0.05)
    write("workforce.csv", ["delegation_code", "specialty_code", "current", "departures"],
          ([f"D{d}", f"S{s}", current[d, s], departures[d, s]]
           for d in range(delegations) for s in range(specialties)))
    shortfall = np.maximum(0, expected / 0.7 - current + departures).sum(axis=0)
    posts = np.maximum(1, (shortfall * 0.1 / promotions).astype(int))
    write("posts.csv", ["promotion", "specialty_code", "posts"],
          ([2023 + p, f"S{s}", posts[s]] for p in range(promotions) for s in range(specialties)))
    limited = rng.random((delegations, specialties)) < capacity_share
    limit = rng.integers(0, 8, (delegations, specialties))
    write("capacity.csv", ["delegation_code", "specialty_code", "max_new"],
          ([f"D{d}", f"S{s}", limit[d, s]] for d, s in zip(*np.nonzero(limited), strict=True)))
    return out
