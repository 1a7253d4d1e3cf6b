"""One "why" line per delegation: the reasons a planner gives when a region asks why.

The facts come straight from the plan's delegation x specialty rows (MODEL.md "Reading a
plan"); nothing of the model is recomputed: staff before and after, target, shortfall,
specialties below the minimum presence before and after and the absence filled, the
priority weight and its rank, the category of the posts (creation, compensation,
reinforcement), foreign doctors and, when the plan states hosting capacities, the
specialties where the capacity is used up. `build_why` makes the table of facts (numbers,
for Excel) and `sentence` words it in one language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from optimiser.report import i18n
from optimiser.report.base import Table

TOL = 1e-6
CATEGORIES = ("creation", "compensation", "reinforcement")
KINDS = {
    "region": "code", "delegation": "code", "name_fr": "text", "name_ar": "ar",
    "lead": "term", "posts": "int", "creation": "int", "compensation": "int",
    "reinforcement": "int", "foreign": "int", "staff_before": "int", "staff_after": "int",
    "target": "num1", "shortfall_before": "num1", "shortfall_after": "num1",
    "below_min_before": "int", "below_min_after": "int", "absence_filled": "num1",
    "priority_weight": "num2", "weight_rank": "int", "unmet_before": "num1",
    "unmet_after": "num1", "still_below": "code", "capacity_reached": "code",
}


def build_why(rows: pd.DataFrame, deleg: pd.DataFrame, info: pd.DataFrame) -> Table:
    """The facts behind each delegation's posts, one row per delegation (deleg's order)."""
    rows = rows.assign(
        below_before=(rows["absence_shortfall_before"] > TOL).astype("int64"),
        below_after=(rows["absence_shortfall"] > TOL).astype("int64"),
        filled=rows["absence_shortfall_before"] - rows["absence_shortfall"],
    )
    per = rows.groupby("delegation", sort=True).agg(
        below_min_before=("below_before", "sum"), below_min_after=("below_after", "sum"),
        absence_filled=("filled", "sum"))
    frame = deleg.merge(per, left_on="delegation", right_index=True, how="left")
    weights = info.set_index("delegation")["priority_weight"]
    frame["priority_weight"] = pd.to_numeric(frame["delegation"].map(weights),
                                             errors="coerce").fillna(1.0)
    frame["weight_rank"] = frame["priority_weight"].rank(ascending=False,
                                                         method="min").astype("int64")
    below = rows[rows["absence_shortfall"] > TOL]
    still = {d: " ".join(part["specialty"]) for d, part in below.groupby("delegation", sort=True)}
    frame["still_below"] = [still.get(d, "") for d in frame["delegation"]]
    reached = _capacity_reached(rows)
    frame["capacity_reached"] = [reached.get(d, "") for d in frame["delegation"]]
    frame["lead"] = [_lead(r) for r in frame.to_dict("records")]
    return Table("why", frame.loc[:, list(KINDS)].reset_index(drop=True), KINDS)


def _capacity_reached(rows: pd.DataFrame) -> dict[str, str]:
    """Specialties where the delegation's hosting capacity is used up (when the plan says)."""
    if "capacity" not in rows.columns:
        return {}
    cap = pd.to_numeric(rows["capacity"], errors="coerce")
    full = rows[cap.notna() & (rows["posts"] + rows["foreign"] >= cap - TOL)
                & (rows["shortfall"] > TOL)]
    return {d: " ".join(sorted(part["specialty"])) for d, part in
            full.groupby("delegation", sort=True)}


def _lead(row: Mapping[str, Any]) -> str:
    """The main reason in a word: the largest category of posts, or why there is none."""
    if row["posts"] > 0:
        return max(CATEGORIES, key=lambda c: (row[c], -CATEGORIES.index(c)))
    if row["foreign"] > 0:
        return "foreign"
    if row["shortfall_before"] <= 0.5 and row["below_min_before"] == 0:
        return "at_target"
    return "none"


def lead_text(lead: str, lang: str) -> str:
    """The main reason (`_lead`'s key) in words."""
    return i18n.text(f"lead_{lead}", lang)


def sentence(row: Mapping[str, Any], lang: str, n_delegations: int) -> str:
    """The facts of one delegation in `lang`, e.g. "postes : 50 (création 3, ...) ; ..."."""
    num = i18n.number
    sep, semi = i18n.text("sep", lang), i18n.text("semi", lang)
    facts = []
    if row["posts"]:
        split = sep.join(f"{i18n.text(c, lang).lower()} {num(row[c], lang)}"
                         for c in CATEGORIES if row[c])
        facts.append(f"{i18n.text('why_posts', lang, n=num(row['posts'], lang))} ({split})")
    if row["foreign"]:
        facts.append(i18n.text("why_foreign", lang, n=num(row["foreign"], lang)))
    facts.append(i18n.text("why_staff", lang, before=num(row["staff_before"], lang),
                           after=num(row["staff_after"], lang),
                           target=num(row["target"], lang, 1)))
    facts.append(i18n.text("why_shortfall", lang, before=num(row["shortfall_before"], lang, 1),
                           after=num(row["shortfall_after"], lang, 1)))
    if row["below_min_before"]:
        absent = i18n.text("why_absent", lang, before=num(row["below_min_before"], lang),
                           after=num(row["below_min_after"], lang))
        detail = []
        if row["absence_filled"] > TOL:
            detail.append(i18n.text("why_filled", lang, filled=num(row["absence_filled"],
                                                                    lang, 1)))
        if row["still_below"]:
            detail.append(i18n.text("why_still", lang,
                                    specs=sep.join(str(row["still_below"]).split())))
        facts.append(absent + (f" ({sep.join(detail)})" if detail else ""))
    else:
        facts.append(i18n.text("why_no_absent", lang))
    facts.append(i18n.text("why_weight", lang, w=num(row["priority_weight"], lang, 2),
                           rank=num(row["weight_rank"], lang), n=num(n_delegations, lang)))
    if row["capacity_reached"]:
        facts.append(i18n.text("why_capacity", lang,
                               specs=sep.join(str(row["capacity_reached"]).split())))
    text = semi.join(facts) + "."
    return text[0].upper() + text[1:]


def html_view(table: Table, regions: pd.DataFrame, lang: str,
              shown: frozenset[str] | None = None) -> list[dict[str, Any]]:
    """Region groups of why lines for the page: anchor id, names, main reason, facts (only
    the delegations in `shown` when given: report/large.py; ids and ranks stay those of the
    whole table)."""
    frame = table.frame
    n = len(frame)
    names = regions.set_index("region")[["name_fr", "name_ar"]]
    groups: list[dict[str, Any]] = []
    for index, row in enumerate(frame.to_dict("records")):
        if shown is not None and str(row["delegation"]) not in shown:
            continue
        if not groups or groups[-1]["region"] != row["region"]:
            name_fr, name_ar = (names.loc[row["region"]].tolist()
                                if row["region"] in names.index else [row["region"], ""])
            groups.append({"region": row["region"], "name": i18n.name(name_fr, name_ar, lang),
                           "entries": []})
        groups[-1]["entries"].append({
            "id": anchor(index), "name": i18n.name(row["name_fr"], row["name_ar"], lang),
            "other": i18n.other_name(row["name_fr"], row["name_ar"], lang),
            "lead": lead_text(row["lead"], lang), "text": sentence(row, lang, n)})
    return groups


def anchor(index: int) -> str:
    """The id of a why line: a counter, never the delegation code (user text)."""
    return f"why-{index + 1}"


def anchors(table: Table) -> dict[str, str]:
    """Delegation code -> id of its why line."""
    return {code: anchor(i) for i, code in enumerate(table.frame["delegation"])}


def sheet(table: Table, lang: str) -> Table:
    """The why table with the main reason and the sentence in `lang` (Excel's sheet)."""
    frame = table.frame.copy()
    n = len(frame)
    frame["lead"] = [lead_text(v, lang) for v in frame["lead"]]
    frame["why"] = [sentence(r, lang, n) for r in table.frame.to_dict("records")]
    kinds = {**table.kinds, "lead": "text", "why": "text"}
    return Table("why", frame, kinds)
