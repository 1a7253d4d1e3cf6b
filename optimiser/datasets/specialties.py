"""Specialties: national public stock in 2024 (estimate) and planning norms per 100,000.

National stock. Only 11 specialties have a published national count (carte sanitaire 2019
or 2020); each keeps its published share of that year's public specialists, applied to the
2024 total (11,259). Internal medicine, ENT and pulmonology get an assumed share. `AUTRES`
(the ~30 specialties not modelled one by one) takes the remainder, so the stock sums to the
published total. The Chinese-medicine specialty `MTC` has no Moroccan public stock.

Norms (targets). The plan allocates public posts only, and in 2024 the public sector held
half of the specialists (11,259 public, 11,235 private). So a published all-sector norm is
scaled by that public share: anaesthesia 6 per 100,000 (national federation), and the Lancet
Commission's 20 surgical, anaesthetic and obstetric physicians per 100,000 for surgery,
obstetrics and orthopaedics. Specialties without a published norm get a stated planning
ambition: `AMBITION` times their 2024 national public density.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from optimiser.datasets import PLAN_YEAR
from optimiser.datasets.csvio import Row

AMBITION = 1.5
"""Target = 1.5 x the 2024 public density where no norm is published (about six years of the
2020-2024 growth of public specialists, +35% in four years)."""
AGGREGATE = "AUTRES"
NO_STOCK = "MTC"


@dataclass(frozen=True)
class Specialty:
    """One row of specialties.csv with the figures behind it."""

    code: str
    name_fr: str
    name_en: str
    name_ar: str
    name_ar_source: str
    norm_per_100k: float
    min_presence: int
    weight: float
    concentration: float
    public_2024: int
    stock_source: str
    norm_source: str
    source: str


def national_series(rows: list[Row]) -> dict[tuple[int, str], int]:
    """The curated national workforce table keyed by (year, indicator)."""
    return {(int(r["year"]), r["indicator"]): int(r["value"]) for r in rows}


def specialists_in(year: int, series: dict[tuple[int, str], int]) -> float:
    """Public specialists in `year`: published, or interpolated between published years."""
    known = {y: v for (y, ind), v in series.items() if ind == "public_specialists"}
    if year in known:
        return float(known[year])
    below = max(y for y in known if y < year)
    above = min(y for y in known if y > year)
    return known[below] + (known[above] - known[below]) * (year - below) / (above - below)


def national_stock(rows: list[Row], series: dict[tuple[int, str], int],
                   codes: list[str]) -> dict[str, tuple[int, str]]:
    """2024 public specialists per specialty code, with the method used for each."""
    total = series[(PLAN_YEAR, "public_specialists")]
    stock: dict[str, tuple[int, str]] = {}
    for row in sorted(rows, key=lambda r: r["specialty_code"]):
        year = int(row["year"])
        if row["basis"] == "count":
            share = int(row["value"]) / specialists_in(year, series)
            how = (f"estimate: published {year} count {row['value']} is "
                   f"{100 * share:.2f}% of {year} public specialists, applied to {total}")
        else:
            share = float(row["value"])
            how = f"estimate: assumed share {100 * share:.1f}% of {total} (no published count)"
        stock[row["specialty_code"]] = (round(share * total), how)
    rest = total - sum(n for n, _ in stock.values())
    stock[AGGREGATE] = (rest, f"estimate: remainder of the {total} public specialists "
                              "after the specialties modelled one by one")
    stock[NO_STOCK] = (0, "none: no Moroccan public specialists (Chinese mission only)")
    missing = sorted(set(codes) - set(stock))
    if missing:
        raise ValueError(f"no national stock rule for {', '.join(missing)}")
    return stock


def public_share(series: dict[tuple[int, str], int]) -> float:
    """Share of the plan year's specialists working in the public sector."""
    public = series[(PLAN_YEAR, "public_specialists")]
    return public / (public + series[(PLAN_YEAR, "private_specialists")])


def build_specialties(catalogue: list[Row], norms: list[Row], stock: dict[str, tuple[int, str]],
                      share: float, population: int) -> list[Specialty]:
    """Specialty rows: names (French, English, Arabic with where the Arabic term comes from),
    presence and weight (curated), stock and norm (computed)."""
    norm_rows = {r["specialty_code"]: r for r in norms}
    result = []
    for row in sorted(catalogue, key=lambda r: r["specialty_code"]):
        code = row["specialty_code"]
        count, stock_how = stock[code]
        norm, norm_how = _norm(code, norm_rows.get(code), count, population, share)
        result.append(Specialty(
            code=code, name_fr=row["name_fr"], name_en=row["name_en"],
            name_ar=row["name_ar"], name_ar_source=_name_ar_source(row),
            norm_per_100k=norm, min_presence=int(row["min_presence"]),
            weight=float(row["weight"]), concentration=float(row["concentration"]),
            public_2024=count, stock_source=stock_how, norm_source=norm_how,
            source=row["source"]))
    return result


def _name_ar_source(row: Row) -> str:
    """Where the Arabic name comes from: required, so no name is ever shown without it."""
    source = (row.get("name_ar_source") or "").strip()
    if row["name_ar"].strip() and not source:
        raise ValueError(f"{row['specialty_code']}: an Arabic name without its source")
    return source


def _norm(code: str, row: Row | None, count: int, population: int,
          public_share: float) -> tuple[float, str]:
    """Norm per 100,000 rounded to 2 decimals (the value the model sees) and how it was set."""
    if row is not None and row["basis"] == "all_sector_norm":
        value = float(row["value"]) * public_share
        return round(value, 2), (f"{row['source']}; x public share "
                                 f"{public_share:.4f} (2024 public/all specialists)")
    if row is not None:
        return round(float(row["value"]), 2), row["source"]
    density = count * 100_000 / population
    if math.isclose(density, 0.0):
        raise ValueError(f"{code}: no norm and no stock to derive one from")
    return round(AMBITION * density, 2), (
        f"estimate: planning ambition {AMBITION} x the 2024 national public density "
        f"({density:.2f} per 100,000); no published norm used")
