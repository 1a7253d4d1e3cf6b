"""Public specialists per region and per delegation in 2024 (estimates calibrated on
published figures).

Regions. Six regions have a published public figure (2021 or 2023, in one of three units:
specialists, doctors = GPs + specialists, or the medical corps = doctors + dentists +
pharmacists). Each is converted to specialists with that year's national ratio (national
specialists / national figure in the same unit), then scaled by national growth to 2024
(national 2024 specialists / national specialists that year; 2021 is interpolated between the
published 2020 and 2022 totals). The six regions without a figure share the rest of the
national 11,259 by a key: half their population share, half their public-hospital share.

Delegations. University hospitals (CHU) first: `SPECIALISTS_PER_CHU_BED` per bed of a
ministry CHU open in 2024. The rest of the region goes to its delegations: a core team of
`CORE_PER_HOSPITAL` specialists per public hospital, then the remainder in proportion to
`population ** CITY_PULL` among the delegations that have a hospital (specialists work in
hospitals, and gather in the large cities beyond their population share).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from optimiser.datasets import PLAN_YEAR
from optimiser.datasets.census import Delegation, Region
from optimiser.datasets.csvio import Row
from optimiser.datasets.numeric import round_preserving
from optimiser.datasets.specialties import specialists_in

SPECIALISTS_PER_CHU_BED = 0.25
"""Assumption: one public specialist (professors included) per four CHU beds."""
CORE_PER_HOSPITAL = 3.0
"""Assumption: a provincial hospital keeps at least a surgeon, an obstetrician and a
paediatrician or internist whatever the population it serves."""
CITY_PULL = 1.8
"""Exponent on population: specialists gather in the large cities. With 1.8, Casablanca holds
about three quarters of its region's specialists outside the CHU, as HCP counted for public
doctors in 2022 (2,053 of 2,732, CHU excluded)."""

@dataclass(frozen=True)
class RegionEstimate:
    """How a region's 2024 specialist count was estimated."""

    region_code: str
    method: str
    estimate: float
    specialists: int


def regional_specialists(regions: list[Region], rows: list[Row],
                         series: dict[tuple[int, str], int],
                         hospitals: dict[str, int],
                         delegations: list[Delegation]) -> list[RegionEstimate]:
    """2024 public specialists per region, summing exactly to the national total."""
    national = series[(PLAN_YEAR, "public_specialists")]
    region_of = {r.hcp_code: r.code for r in regions}
    known: dict[str, tuple[float, str]] = {}
    for row in rows:
        year, indicator, value = int(row["year"]), row["indicator"], int(row["value"])
        in_year = specialists_in(year, series)
        ratio = in_year / _national_in_unit(indicator, year, series, in_year)
        growth = national / in_year
        estimate = value * ratio * growth
        known[region_of[row["hcp_region_code"]]] = (
            estimate,
            f"estimate: {indicator} {year} = {value} x {ratio:.4f} (national specialists / "
            f"national {indicator}, {year}) x {growth:.4f} (national growth to {PLAN_YEAR})")
    rest = national - sum(v for v, _ in known.values())
    others = [r for r in regions if r.code not in known]
    region_of_delegation = {d.code: d.region_code for d in delegations}
    pop = {r.code: float(r.population) for r in others}
    hosp = {r.code: float(sum(n for d, n in hospitals.items()
                              if region_of_delegation[d] == r.code)) for r in others}
    pop_total, hosp_total = sum(pop.values()), sum(hosp.values())
    reals = {code: value for code, (value, _) in known.items()}
    methods = {code: how for code, (_, how) in known.items()}
    for r in others:
        key = 0.5 * pop[r.code] / pop_total + 0.5 * hosp[r.code] / hosp_total
        reals[r.code] = rest * key
        methods[r.code] = (f"estimate: share {key:.4f} of the {rest:.1f} specialists left "
                           "after the published regions (half population, half hospitals)")
    counts = round_preserving(reals, national)
    return [RegionEstimate(r.code, methods[r.code], reals[r.code], counts[r.code])
            for r in regions]


def _national_in_unit(indicator: str, year: int, series: dict[tuple[int, str], int],
                      specialists: float) -> float:
    """The national figure in the unit of a regional figure, same year."""
    if indicator == "public_specialists":
        return specialists
    if indicator == "public_gp_plus_specialists":
        return specialists + series[(year, "public_gp")]
    if indicator == "public_medical_corps":
        return float(series[(year, "public_medical_corps")])
    raise ValueError(f"unknown regional indicator {indicator}")


def chu_beds(chus: list[Row], delegations: list[Delegation]) -> dict[str, int]:
    """Beds of ministry CHUs open in the plan year, per host delegation."""
    code_of = {d.hcp_code: d.code for d in delegations}
    beds: dict[str, int] = {}
    for row in chus:
        if row["operator"] == "ministry" and int(row["opening_year"]) <= PLAN_YEAR:
            host = code_of[row["hcp_province_code"]]
            beds[host] = beds.get(host, 0) + int(row["beds"])
    return beds


def delegation_totals(delegations: list[Delegation], estimates: list[RegionEstimate],
                      hospitals: dict[str, int], beds: dict[str, int]) -> dict[str, float]:
    """Real-valued 2024 specialists per delegation; each region sums to its integer count."""
    totals: dict[str, float] = {}
    for est in estimates:
        members = [d for d in delegations if d.region_code == est.region_code]
        chu = {d.code: SPECIALISTS_PER_CHU_BED * beds.get(d.code, 0) for d in members}
        rest = est.specialists - sum(chu.values())
        core = {d.code: CORE_PER_HOSPITAL * hospitals[d.code] for d in members}
        spread = rest - sum(core.values())
        if rest <= 0 or spread <= 0:
            raise ValueError(f"{est.region_code}: too few specialists for its CHU and hospitals")
        pull = {d.code: d.population ** CITY_PULL if hospitals[d.code] > 0 else 0.0
                for d in members}
        mass = math.fsum(pull.values())
        for d in members:
            totals[d.code] = chu[d.code] + core[d.code] + spread * pull[d.code] / mass
    return totals
