"""The eight CSV files of `data/morocco-2024/`, each row with its `source` (DATA.md).

Column order, row order and float formats are fixed here so a rebuild is byte-identical.
Extra columns (allowed by DATA.md) keep the figures an estimate was computed from next to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from optimiser.datasets import hospitals
from optimiser.datasets.census import CENSUS_SOURCE
from optimiser.datasets.csvio import Value, fixed, write_csv

if TYPE_CHECKING:
    from optimiser.datasets.morocco import MoroccoData

COORDINATES = ("SimpleMaps World Cities Basic (CC BY 4.0) via Filali-anass/pdfgenerator "
               "CITIES.ts, not verified")
WEIGHT = "estimate: deprivation and remoteness index, mean 1 (SOURCES.md, priority_weight)"
HOSPITALS = "estimate: HCP 2021 public hospitals per region shared out (SOURCES.md)"
WORKFORCE = ("estimate: published national and regional counts, disaggregated "
             "(SOURCES.md, Current staff)")


def write_all(data: MoroccoData, out: Path) -> None:
    """Write every CSV of the dataset into `out`."""
    _regions(data, out)
    _delegations(data, out)
    _specialties(data, out)
    _workforce(data, out)
    _capacity(data, out)
    _posts(data, out)
    _contingents(data, out)


def _regions(data: MoroccoData, out: Path) -> None:
    rows = [{"region_code": r.code, "name_fr": r.name_fr, "name_ar": r.name_ar,
             "hcp_code": r.hcp_code, "population": r.population,
             "source": f"{CENSUS_SOURCE} (names, population); code: project convention"}
            for r in data.regions]
    write_csv(out / "regions.csv", ["region_code", "name_fr", "name_ar", "hcp_code",
                                    "population", "source"], rows, key=["region_code"])


def _delegations(data: MoroccoData, out: Path) -> None:
    rows = []
    for d in data.delegations:
        place, prio = data.places[d.code], data.priorities[d.code]
        located = place.latitude is not None
        rows.append({
            "delegation_code": d.code, "name_fr": d.name_fr, "name_ar": d.name_ar,
            "region_code": d.region_code, "population": d.population,
            "priority_weight": prio.weight, "latitude": place.latitude,
            "longitude": place.longitude, "hcp_code": d.hcp_code, "type": d.kind,
            "capital_fr": place.capital_fr, "hospitals_est": data.hospitals[d.code],
            "rural_share": prio.rural_share, "illiteracy_rate": prio.illiteracy_rate,
            "no_running_water_pct": prio.no_running_water_pct,
            "paved_road_km": prio.paved_road_km, "chu_km": prio.chu_km,
            "deprivation_index": prio.index,
            "source": (f"{CENSUS_SOURCE} (codes, names, population, census indicators); "
                       f"{WEIGHT}; {HOSPITALS}; coordinates: "
                       + (COORDINATES if located else "none found, left empty")),
        })
    four, one = fixed(4), fixed(1)
    write_csv(out / "delegations.csv",
              ["delegation_code", "name_fr", "name_ar", "region_code", "population",
               "priority_weight", "latitude", "longitude", "hcp_code", "type", "capital_fr",
               "hospitals_est", "rural_share", "illiteracy_rate", "no_running_water_pct",
               "paved_road_km", "chu_km", "deprivation_index", "source"],
              rows, key=["delegation_code"],
              formats={"priority_weight": four, "latitude": four, "longitude": four,
                       "rural_share": four, "illiteracy_rate": one,
                       "no_running_water_pct": one, "paved_road_km": one,
                       "chu_km": fixed(0), "deprivation_index": four})


def _specialties(data: MoroccoData, out: Path) -> None:
    rows = [{"specialty_code": s.code, "name_fr": s.name_fr, "name_en": s.name_en,
             "name_ar": s.name_ar, "norm_per_100k": s.norm_per_100k,
             "min_presence": s.min_presence, "weight": s.weight,
             "public_2024_est": s.public_2024, "norm_source": s.norm_source,
             "stock_source": s.stock_source, "name_ar_source": s.name_ar_source,
             "source": s.source} for s in data.specialties]
    write_csv(out / "specialties.csv",
              ["specialty_code", "name_fr", "name_en", "name_ar", "norm_per_100k",
               "min_presence", "weight", "public_2024_est", "norm_source", "stock_source",
               "name_ar_source", "source"],
              rows, key=["specialty_code"],
              formats={"norm_per_100k": fixed(2), "weight": fixed(2)})


def _workforce(data: MoroccoData, out: Path) -> None:
    rows = []
    for (d_code, s_code), cell in data.cells.items():
        rows.append({"delegation_code": d_code, "specialty_code": s_code,
                     "current": cell.current, "departures": cell.departures,
                     "source": _workforce_source(data, d_code, s_code, cell.departures)})
    write_csv(out / "workforce.csv",
              ["delegation_code", "specialty_code", "current", "departures", "source"],
              rows, key=["delegation_code", "specialty_code"])


def _workforce_source(data: MoroccoData, d_code: str, s_code: str, departures: int) -> str:
    """Why a pair has the staff it has: a published fact, or the estimate."""
    if (d_code, s_code) in data.absent:
        text = ("2024 announcement (Hespress FR, maghress.com/fr/hespressfr/422087): "
                "anaesthesia-reanimation absent, current 0")
    elif (d_code, s_code) in data.support:
        text = (f"{WORKFORCE}; capped below the presence threshold: the 2024 announcement "
                "lists this province for general surgery and obstetrics support among "
                "the posts for specialties not accessible")
    elif s_code == "MTC":
        text = "none: no Moroccan public specialists in Chinese medicine"
    elif data.hospitals[d_code] == 0:
        text = f"{HOSPITALS}: no public hospital in the delegation, so no specialists"
    else:
        text = WORKFORCE
    if not departures:
        return text
    return (f"{text}; departures: estimate, share of the "
            f"{data.figures['posts_compensation']} posts announced to compensate transfers, "
            "spread by current x (priority weight - 1)")


def _capacity(data: MoroccoData, out: Path) -> None:
    rows = [{"delegation_code": d, "specialty_code": s, "max_new": n,
             "hospitals_est": data.hospitals[d],
             "source": (f"estimate: {hospitals.SLOTS_PER_HOSPITAL} per public hospital of the "
                        "delegation (SOURCES.md, Hospitals and hosting capacity)" if n else
                        "estimate: no public hospital in the delegation (SOURCES.md, "
                        "Hospitals and hosting capacity)")}
            for (d, s), n in data.capacity.items()]
    write_csv(out / "capacity.csv",
              ["delegation_code", "specialty_code", "max_new", "hospitals_est", "source"],
              rows, key=["delegation_code", "specialty_code"])


def _posts(data: MoroccoData, out: Path) -> None:
    why = {r["specialty_code"]: r["source"] for r in data.posts_rows}
    split = " and ".join(f"{data.figures[f'posts_promotion_{p}']} ({p})"
                         for p in sorted({p for p, _ in data.posts}))
    rows = [{"promotion": p, "specialty_code": s, "posts": n,
             "source": f"{why[s]}; promotion split: estimate, in proportion to the announced "
                       f"{split}"} for (p, s), n in data.posts.items()]
    write_csv(out / "posts.csv", ["promotion", "specialty_code", "posts", "source"], rows,
              key=["promotion", "specialty_code"])


def _contingents(data: MoroccoData, out: Path) -> None:
    columns = ["contingent_code", "name", "origin", "min_team", "max_sites",
               "cost_per_doctor", "eligible", "source"]
    rows: list[dict[str, Value]] = [{c: r[c] for c in columns} for r in data.contingents]
    write_csv(out / "contingents.csv", columns, rows, key=["contingent_code"])
    columns = ["contingent_code", "specialty_code", "size", "source"]
    rows = [{c: r[c] for c in columns} for r in data.supply]
    write_csv(out / "contingent_supply.csv", columns, rows,
              key=["contingent_code", "specialty_code"])
