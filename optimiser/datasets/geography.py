"""Chef-lieu coordinates and the distance from each delegation to a university hospital.

Coordinates come from the curated `capitals.csv` (city-centre precision). Six chefs-lieux have
none in the source list; for distances only, those delegations use their region's chef-lieu
(each is 20-250 km from it, small next to the 400-1,400 km that separate the southern
provinces from a CHU), and their latitude/longitude stay empty in the dataset.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimiser.datasets import PLAN_YEAR
from optimiser.datasets.census import Delegation, Region
from optimiser.datasets.csvio import Row
from optimiser.datasets.numeric import great_circle_km


@dataclass(frozen=True)
class Place:
    """A delegation's chef-lieu: its published coordinates, or None."""

    capital_fr: str
    latitude: float | None
    longitude: float | None


def load_places(capitals: list[Row], delegations: list[Delegation]) -> dict[str, Place]:
    """Chef-lieu name and coordinates per delegation code."""
    by_hcp = {row["hcp_code"]: row for row in capitals}
    places = {}
    for deleg in delegations:
        row = by_hcp.get(deleg.hcp_code)
        if row is None:
            raise ValueError(f"capitals.csv has no row for {deleg.hcp_code} {deleg.name_fr}")
        lat, lon = row["latitude"].strip(), row["longitude"].strip()
        places[deleg.code] = Place(row["capital_fr"], float(lat) if lat else None,
                                   float(lon) if lon else None)
    return places


def university_hospital_hosts(chus: list[Row], delegations: list[Delegation]) -> list[str]:
    """Delegations hosting a ministry CHU open in the plan year (foundation hospitals excluded)."""
    code_of = {d.hcp_code: d.code for d in delegations}
    return sorted({code_of[row["hcp_province_code"]] for row in chus
                   if row["operator"] == "ministry" and int(row["opening_year"]) <= PLAN_YEAR})


def distance_to_chu_km(
    delegations: list[Delegation],
    regions: list[Region],
    places: dict[str, Place],
    chu_hosts: list[str],
) -> dict[str, float]:
    """Great-circle km from each chef-lieu to the nearest CHU city (0 in a CHU city)."""
    capital_of_region = {r.code: r.capital_hcp_code for r in regions}
    code_of = {d.hcp_code: d.code for d in delegations}

    def point(code: str, region_code: str) -> tuple[float, float]:
        place = places[code]
        if place.latitude is None or place.longitude is None:
            place = places[code_of[capital_of_region[region_code]]]
        if place.latitude is None or place.longitude is None:
            raise ValueError(f"no coordinates for {code} nor for its region's chef-lieu")
        return place.latitude, place.longitude

    region_of = {d.code: d.region_code for d in delegations}
    sites = [point(code, region_of[code]) for code in chu_hosts]
    distances = {}
    for deleg in delegations:
        here = point(deleg.code, deleg.region_code)
        distances[deleg.code] = min(great_circle_km(*here, *site) for site in sites)
    return distances
