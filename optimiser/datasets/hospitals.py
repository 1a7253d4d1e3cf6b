"""Public hospitals per delegation (estimate) and the hosting capacity derived from them.

HCP publishes public hospitals per region (165 in 2021) and for four cities, not per
province. The estimate keeps the published city counts, gives every other province of the
region one hospital (each has a provincial hospital) and shares the rest by population; a
region with fewer hospitals than provinces (Dakhla-Oued Ed-Dahab: 1 for 2) gives them to its
most populous provinces, so Aousserd has none.

Capacity (MODEL.md rule 5): a hospital service can take only a few newly appointed
specialists of one specialty in a round (offices, theatre slots, senior supervision):
`SLOTS_PER_HOSPITAL` per hospital, and none where there is no hospital to work in.
"""

from __future__ import annotations

from optimiser.datasets.census import Delegation, Region
from optimiser.datasets.csvio import Row
from optimiser.datasets.numeric import apportion

SLOTS_PER_HOSPITAL = 3
"""Most new specialists (national + foreign) of one specialty one hospital absorbs a round."""


def estimate_hospitals(delegations: list[Delegation], regions: list[Region],
                       rows: list[Row]) -> dict[str, int]:
    """Estimated public hospitals per delegation code; each region sums to its published count."""
    code_of = {d.hcp_code: d.code for d in delegations}
    region_of = {r.hcp_code: r.code for r in regions}
    per_region = {region_of[r["hcp_code"]]: int(r["hospitals"])
                  for r in rows if r["geo_level"] == "region"}
    fixed = {code_of[r["hcp_code"]]: int(r["hospitals"])
             for r in rows if r["geo_level"] == "province"}
    result: dict[str, int] = {}
    for region in regions:
        members = [d for d in delegations if d.region_code == region.code]
        others = [d for d in members if d.code not in fixed]
        left = per_region[region.code] - sum(fixed.get(d.code, 0) for d in members)
        result.update({d.code: fixed[d.code] for d in members if d.code in fixed})
        if left >= len(others):
            extra = apportion({d.code: float(d.population) for d in others}, left - len(others))
            result.update({d.code: 1 + extra[d.code] for d in others})
        else:
            by_size = sorted(others, key=lambda d: (-d.population, d.code))
            result.update({d.code: int(i < left) for i, d in enumerate(by_size)})
    return result


def hosting_capacity(hospitals: dict[str, int],
                     specialty_codes: list[str]) -> dict[tuple[str, str], int]:
    """`max_new` for every (delegation, specialty): SLOTS_PER_HOSPITAL per hospital."""
    return {(d, s): SLOTS_PER_HOSPITAL * n for d, n in hospitals.items() for s in specialty_codes}
