"""`cohorts.csv` and `attrition.csv` of `data/morocco-2024/` (NEED.md, several years).

`cohorts.csv` holds the national posts of each year from 2024 to 2030 per specialty. The yearly
totals are curated (`cohort_totals.csv`: published where a figure exists, otherwise an estimate
that says its method). Year 2024 is `posts.csv` itself, both promotions together, so that a
one-year horizon plans exactly today's round. Later years split their total over specialties
in proportion to the 2024 posts per specialty (the curated split of `posts.py`), by largest
remainder (`numeric.apportion`), so that every year sums exactly to its curated total.

`attrition.csv` holds one yearly rate for every specialty, retirement plus emigration, computed
from the published figures of `attrition_figures.csv`: no rate by specialty is published, and
a made-up difference between specialties would read as a fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from optimiser.datasets import PLAN_YEAR
from optimiser.datasets.csvio import Row, fixed, read_curated, write_csv
from optimiser.datasets.numeric import apportion

TOTALS = "cohort_totals.csv"
FIGURES = "attrition_figures.csv"
LAST_YEAR = 2030
RATE_DECIMALS = 4
SPLIT = ("the year's national posts split over specialties in proportion to the 2024 posts "
         "(posts.csv), largest remainder (SOURCES.md, Several years)")


@dataclass(frozen=True)
class YearTotal:
    """A year's national posts (all specialties, all promotions) and where the figure comes
    from."""

    year: int
    posts: int
    source: str


@dataclass(frozen=True)
class Attrition:
    """The yearly attrition rate and the figures it is computed from (for SOURCES.md)."""

    rate: float
    retirement: float
    emigration: float
    figures: dict[str, int]
    sources: dict[str, str]


@dataclass(frozen=True)
class Horizon:
    """Everything the two files and their SOURCES.md section need."""

    codes: list[str]
    totals: list[YearTotal]
    cohorts: dict[tuple[int, str], int]
    attrition: Attrition


def assemble(sources: Path, posts: dict[tuple[int, str], int], announced_total: int,
             codes: list[str], public_specialists: int) -> Horizon:
    """The cohorts and attrition of the dataset from the curated tables in `sources`.

    `posts` is posts.csv keyed by (promotion, specialty); `announced_total` the published
    posts of the 2024 round, which the curated 2024 total must repeat.
    """
    totals = year_totals(read_curated(sources / TOTALS, ["year", "posts"]))
    first = totals[0]
    if first.posts != announced_total or sum(posts.values()) != announced_total:
        raise ValueError(f"{TOTALS}: {PLAN_YEAR} has {first.posts} posts, posts.csv "
                         f"{sum(posts.values())}, the announcement {announced_total}")
    per_specialty = {code: sum(n for (_, s), n in posts.items() if s == code) for code in codes}
    figures = read_curated(sources / FIGURES, ["indicator", "value"])
    return Horizon(codes=sorted(codes), totals=totals,
                   cohorts=split_cohorts(totals, per_specialty),
                   attrition=attrition_rate(figures, public_specialists))


def year_totals(rows: list[Row]) -> list[YearTotal]:
    """The curated yearly totals, which must cover every year from 2024 to 2030 once."""
    totals = sorted((YearTotal(int(r["year"]), int(r["posts"]), r["source"].strip())
                     for r in rows), key=lambda t: t.year)
    years = [t.year for t in totals]
    if years != list(range(PLAN_YEAR, LAST_YEAR + 1)):
        raise ValueError(f"{TOTALS}: years {years}, expected {PLAN_YEAR} to {LAST_YEAR} once each")
    return totals


def split_cohorts(totals: list[YearTotal], per_specialty: dict[str, int],
                  ) -> dict[tuple[int, str], int]:
    """Posts per (year, specialty): the first year as posts.csv, later years apportioned in
    proportion to it; a specialty without posts in the first year gets none later."""
    result: dict[tuple[int, str], int] = {}
    for total in totals:
        share = (per_specialty if total.year == PLAN_YEAR
                 else apportion({s: float(n) for s, n in per_specialty.items()}, total.posts))
        result.update({(total.year, s): n for s, n in share.items()})
    return result


def attrition_rate(rows: list[Row], public_specialists: int) -> Attrition:
    """Retirement (the ministry's projected specialist retirements per year over the public
    specialists of 2024) plus emigration (the midpoint of the doctors leaving Morocco each
    year over all its doctors), rounded to four decimals."""
    figures = {r["indicator"]: int(r["value"]) for r in rows}
    sources = {r["indicator"]: r["source"].strip() for r in rows}
    years = figures["retirement_last_year"] - figures["retirement_first_year"] + 1
    retirement = figures["specialist_retirements"] / years / public_specialists
    leaving = (figures["doctors_emigrating_low"] + figures["doctors_emigrating_high"]) / 2
    emigration = leaving / figures["doctors_total"]
    rate = round(retirement + emigration, RATE_DECIMALS)
    if not 0 <= rate < 1:
        raise ValueError(f"{FIGURES}: attrition rate {rate} outside [0, 1)")
    figures = {**figures, "years": years, "public_specialists": public_specialists,
               "leaving": round(leaving)}
    return Attrition(rate, retirement, emigration, figures, sources)


def cohort_source(horizon: Horizon, year: int, code: str) -> str:
    """Why a (year, specialty) has its posts: the split's method and the year total's
    source."""
    total = next(t for t in horizon.totals if t.year == year)
    if horizon.cohorts[(PLAN_YEAR, code)] == 0:
        return (f"estimate: no national posts in {PLAN_YEAR} (posts.csv), none assumed later "
                "(SOURCES.md, Several years)")
    if year == PLAN_YEAR:
        how = (f"posts.csv for the specialty, promotions {PLAN_YEAR - 1} and {PLAN_YEAR} "
               "together (split by specialty: estimate, SOURCES.md, Posts)")
    else:
        how = SPLIT
    return f"estimate: {how}; year total {total.posts}: {total.source}"


def attrition_source(a: Attrition) -> str:
    """The method of the rate with its figures and their publications."""
    f = a.figures
    return (f"estimate: retirement {100 * a.retirement:.2f}% a year ({f['specialist_retirements']} "
            f"specialists retiring in {f['retirement_first_year']}-{f['retirement_last_year']} "
            f"/ {f['years']} years / {f['public_specialists']:,} public specialists in "
            f"{PLAN_YEAR}) + emigration {100 * a.emigration:.2f}% ({f['leaving']}, midpoint of "
            f"the {f['doctors_emigrating_low']} to {f['doctors_emigrating_high']} doctors "
            f"leaving Morocco each year, / {f['doctors_total']:,} doctors); the same rate for "
            "every specialty, none being published by specialty (SOURCES.md, Several years); "
            f"retirements: {a.sources['specialist_retirements']}; emigration: "
            f"{a.sources['doctors_emigrating_low']}")


def write_horizon(horizon: Horizon, out: Path) -> None:
    """Write `cohorts.csv` and `attrition.csv` into `out`, every row with its source."""
    rows = [{"year": t.year, "specialty_code": code, "posts": horizon.cohorts[(t.year, code)],
             "source": cohort_source(horizon, t.year, code)}
            for t in horizon.totals for code in horizon.codes]
    write_csv(out / "cohorts.csv", ["year", "specialty_code", "posts", "source"], rows,
              key=["year", "specialty_code"])
    why = attrition_source(horizon.attrition)
    rows = [{"specialty_code": code, "rate": horizon.attrition.rate, "source": why}
            for code in horizon.codes]
    write_csv(out / "attrition.csv", ["specialty_code", "rate", "source"], rows,
              key=["specialty_code"], formats={"rate": fixed(RATE_DECIMALS)})


def template_values(horizon: Horizon) -> dict[str, str]:
    """The `$names` of SOURCES.template.md about the two files."""
    a = horizon.attrition
    return {
        "cohorts_table": _cohorts_table(horizon),
        "cohort_totals": _runs(horizon.totals),
        "attrition_rate": f"{a.rate:.{RATE_DECIMALS}f}",
        "attrition_pct": f"{100 * a.rate:.2f}",
        "retirement_pct": f"{100 * a.retirement:.2f}",
        "emigration_pct": f"{100 * a.emigration:.2f}",
    }


def _runs(totals: list[YearTotal]) -> str:
    """`2024: 695; 2025: 566; 2026 to 2030: 650 a year`: consecutive equal totals together."""
    runs: list[list[YearTotal]] = []
    for total in totals:
        if runs and runs[-1][-1].posts == total.posts:
            runs[-1].append(total)
        else:
            runs.append([total])
    return "; ".join(f"{run[0].year}: {run[0].posts}" if len(run) == 1 else
                     f"{run[0].year} to {run[-1].year}: {run[0].posts} a year" for run in runs)


def _cohorts_table(horizon: Horizon) -> str:
    """Specialties down, years across, the yearly totals last."""
    years = [t.year for t in horizon.totals]
    lines = ["| specialty | " + " | ".join(map(str, years)) + " |",
             "|---|" + "---|" * len(years)]
    for code in horizon.codes:
        lines.append(f"| {code} | "
                     + " | ".join(str(horizon.cohorts[(y, code)]) for y in years) + " |")
    lines.append("| total | " + " | ".join(str(t.posts) for t in horizon.totals) + " |")
    return "\n".join(lines)
