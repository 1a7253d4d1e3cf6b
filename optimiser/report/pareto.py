"""The report section "Trade-off with equity" (NEED.md `optimiser pareto`).

Shown only in the reports `optimiser pareto` writes for each point of its curve: their
plan.json carries `pareto` (every point's figures and which point this plan is). Plans made by
`solve` have no such key: no section, and their report is unchanged, byte for byte.

The curve is drawn as a small inline SVG (deterministic text, no plotting library), this plan
highlighted; point 1 is the plain optimum (MODEL.md's plan, `solve`'s default).
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

WORDS = {
    "title": {"fr": "Arbitrage avec l'équité", "en": "Trade-off with equity",
              "ar": "الموازنة مع الإنصاف"},
    "intro": {
        "fr": "Chaque point minimise le besoin non couvert total sous un plafond du besoin "
              "par 100 000 habitants de la délégation la plus mal servie. Le point 1 est le "
              "plan optimal par défaut ; ce plan est le point {point} sur {n}.",
        "en": "Each point minimises the total unmet need under a cap on the worst-off "
              "delegation's unmet need per 100,000 inhabitants. Point 1 is the default optimal "
              "plan; this plan is point {point} of {n}.",
        "ar": "كل نقطة تقلل الحاجة غير الملباة الإجمالية مع سقف لحاجة المندوبية الأسوأ حالا "
              "لكل 100000 نسمة. النقطة 1 هي الخطة المثلى الافتراضية؛ هذه الخطة هي النقطة "
              "{point} من {n}."},
    "point": {"fr": "Point", "en": "Point", "ar": "النقطة"},
    "total": {"fr": "Besoin non couvert total", "en": "Total unmet need",
              "ar": "الحاجة غير الملباة الإجمالية"},
    "max_g": {"fr": "Pire délégation (pour 100 000)", "en": "Worst-off (per 100,000)",
              "ar": "الأسوأ حالا (لكل 100000)"},
    "worst": {"fr": "Délégation", "en": "Delegation", "ar": "المندوبية"},
    "reached": {"fr": "Délégations atteintes", "en": "Delegations reached",
                "ar": "المندوبيات المستفيدة"},
}
WIDTH, HEIGHT, PAD = 420, 220, 40


def _svg(rows: list[Mapping[str, Any]], current: int) -> str:
    """The curve: worst-off delegation's figure (x) against total unmet need (y)."""
    xs = [float(r["max_per_capita_unmet_need"]) for r in rows]
    ys = [float(r["total_unmet_need"]) for r in rows]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)

    def at(x: float, y: float) -> tuple[float, float]:
        fx = 0.5 if x1 == x0 else (x - x0) / (x1 - x0)
        fy = 0.5 if y1 == y0 else (y - y0) / (y1 - y0)
        return (round(PAD + fx * (WIDTH - 2 * PAD), 1),
                round(HEIGHT - PAD - fy * (HEIGHT - 2 * PAD), 1))

    points = [at(x, y) for x, y in zip(xs, ys, strict=True)]
    line = " ".join(f"{x},{y}" for x, y in points)
    marks = "".join(
        f'<circle cx="{x}" cy="{y}" r="{6 if i == current else 3}" '
        f'fill="{"#c0392b" if i == current else "#2c3e50"}"><title>{i}</title></circle>'
        f'<text x="{x + 6}" y="{y - 6}" font-size="10">{i}</text>'
        for i, (x, y) in enumerate(points, start=1))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'width="{WIDTH}" height="{HEIGHT}" role="img">'
            f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
            f'stroke="#999"/><line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{HEIGHT - PAD}" '
            f'stroke="#999"/><polyline points="{line}" fill="none" stroke="#2c3e50"/>'
            f"{marks}</svg>")


def pareto_section(meta: Mapping[str, Any], lang: str) -> dict[str, Any] | None:
    """Title, sentence, table rows and the curve's SVG; None without `pareto` in plan.json."""
    found = meta.get("pareto")
    if not isinstance(found, Mapping) or not found.get("points"):
        return None
    rows = list(found["points"])
    current = int(found.get("point", 0))
    words = {key: text[lang] if lang in text else text["fr"] for key, text in WORDS.items()}
    return {
        "title": words["title"],
        "intro": words["intro"].format(point=current, n=len(rows)),
        "head": [words[k] for k in ("point", "total", "max_g", "worst", "reached")],
        "rows": [{"current": int(r["point"]) == current,
                  "cells": [str(r["point"]), f"{float(r['total_unmet_need']):.1f}",
                            f"{float(r['max_per_capita_unmet_need']):.2f}",
                            escape(str(r["worst_delegation"])), str(r["delegations_reached"])]}
                 for r in rows],
        "svg": _svg(rows, current),
    }
