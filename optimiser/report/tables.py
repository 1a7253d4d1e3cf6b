"""Every figure of the report, derived once from the plan folder as pandas tables.

This module is the only one that computes (`assumptions` adds the tables that plan.json
holds as they are): the HTML, Excel and Markdown writers and the charts only format these
tables, so the three files always agree with each other and with plan.json. Columns use
stable English keys; `kinds` says how each column is formatted and `i18n` gives its label.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from optimiser.report.assumptions import assumption_tables, items_table, solver_table
from optimiser.report.base import TOTAL, ReportData, Table
from optimiser.report.dependencies import dependency_tables
from optimiser.report.horizon import first_year, horizon_tables, summary_items
from optimiser.report.load import Plan
from optimiser.report.matrix import build_matrix
from optimiser.report.sensitivity import sensitivity_tables
from optimiser.report.uptake import uptake_tables
from optimiser.report.why import build_why

__all__ = ["ReportData", "Table", "build_report_data"]

CATEGORIES = ("creation", "compensation", "reinforcement")
# Ministry of Health announcement of the 2024 allocation: 695 posts, 47% / 18% / 33%.
REFERENCE_2024 = {"creation": 0.47, "compensation": 0.18, "reinforcement": 0.33}
REFERENCE_2024_POSTS = 695
WORST_OFF_ROWS = 15
DEFAULT_ABSENCE_PENALTY = 4.0


def build_report_data(plan: Plan) -> ReportData:
    """Derive the summary and every table from a loaded plan folder (of a horizon plan: its
    first year, plus the section "Several years", report/horizon.py)."""
    whole, plan = plan, first_year(plan)
    meta = plan.meta
    rows = _rows_with_need(plan)
    info = _delegation_info(meta)
    regions = _region_info(meta)
    deleg = _delegations(rows, info)
    names = _specialty_labels(meta)
    codes = [s["specialty"] for s in meta["specialties"]]
    sensitivity, state = sensitivity_tables(meta, info, names)
    uptake, uptake_facts = uptake_tables(plan, info, names)
    dependencies, dependency_facts = dependency_tables(meta, info, names)
    years, horizon_facts = horizon_tables(whole, meta, regions, _absence_penalty(meta))
    tables: dict[str, Table] = {
        "promotions": _promotions(plan),
        "categories": _categories(meta),
        "region_specialty": _region_specialty(plan, info, regions, meta),
        "regions": _regions(deleg, regions),
        "delegations": Table("delegations", deleg.loc[:, list(DELEGATION_KINDS)],
                             DELEGATION_KINDS),
        "why": build_why(rows, deleg, info),
        "allocations": _allocations(plan, info),
        "worst_off": _worst_off(deleg),
        "detail": _detail(rows, info),
        "deployments": _deployments(plan, info, meta),
        "contingents": _contingents(plan, meta),
        "specialties": _specialties(rows, meta),
        **assumption_tables(meta),
        **sensitivity,
        **uptake,
        **dependencies,
        **years,
    }
    places = deleg.merge(info[["delegation", "latitude", "longitude", "hcp_code"]],
                         on="delegation", how="left")
    summary = _summary(meta, rows)
    tables = {"summary": _key_figures(summary, tables["promotions"],
                                      summary_items(horizon_facts)),
              "solver": solver_table(summary), **tables}
    return ReportData(summary=summary, tables=tables, places=places,
                      matrix=build_matrix(rows, info, regions, codes, names),
                      sensitivity=state, regions=regions, uptake=uptake_facts, meta=meta,
                      dependencies=dependency_facts, horizon=horizon_facts)


def _rows_with_need(plan: Plan) -> pd.DataFrame:
    """Delegation x specialty rows plus weighted unmet need (MODEL.md objective, first term)."""
    penalty = _absence_penalty(plan.meta)
    rows = plan.delegations.copy()
    weight = rows["priority_weight"] * rows["specialty_weight"]
    rows["unmet_before"] = weight * (rows["shortfall_before"]
                                     + penalty * rows["absence_shortfall_before"])
    rows["unmet_after"] = weight * (rows["shortfall"] + penalty * rows["absence_shortfall"])
    return rows


def _absence_penalty(meta: Mapping[str, Any]) -> float:
    """A of MODEL.md as the plan used it (0 is a valid choice, absent means the default)."""
    value = (meta.get("parameters") or {}).get("absence_penalty")
    return DEFAULT_ABSENCE_PENALTY if value is None else float(value)


def _delegation_info(meta: Mapping[str, Any]) -> pd.DataFrame:
    info = pd.DataFrame(meta["delegation_info"])
    for column in ("name_ar", "latitude", "longitude", "hcp_code"):
        if column not in info.columns:
            info[column] = None
    info["name_fr"] = info["name_fr"].fillna(info["delegation"]).astype(str)
    info["name_ar"] = info["name_ar"].fillna("").astype(str)
    info["latitude"] = pd.to_numeric(info["latitude"], errors="coerce")
    info["longitude"] = pd.to_numeric(info["longitude"], errors="coerce")
    info["hcp_code"] = info["hcp_code"].fillna("").astype(str)
    return info


def _region_info(meta: Mapping[str, Any]) -> pd.DataFrame:
    regions = pd.DataFrame(meta["regions"])
    if "name_ar" not in regions.columns:
        regions["name_ar"] = ""
    regions["name_ar"] = regions["name_ar"].fillna("").astype(str)
    regions["name_fr"] = regions["name_fr"].fillna(regions["region"]).astype(str)
    return regions[["region", "name_fr", "name_ar"]]


SUMS = ["staff_before", "staff_after", "target", "shortfall_before", "shortfall", "posts",
        "creation", "compensation", "reinforcement", "foreign", "unmet_before", "unmet_after"]
DELEGATION_KINDS = {
    "delegation": "code", "name_fr": "text", "name_ar": "ar", "region": "code",
    "population": "int", "density_before": "num1", "density_after": "num1",
    "target_density": "num1", "shortfall_before": "num1", "shortfall_after": "num1",
    "posts": "int", "creation": "int", "compensation": "int", "reinforcement": "int",
    "foreign": "int", "unmet_before": "num1", "unmet_after": "num1",
}


def _densities(frame: pd.DataFrame) -> pd.DataFrame:
    """Specialists (of the plan's specialties) per 100,000 inhabitants, before/after/target."""
    frame["density_before"] = frame["staff_before"] / frame["population"] * 1e5
    frame["density_after"] = frame["staff_after"] / frame["population"] * 1e5
    frame["target_density"] = frame["target"] / frame["population"] * 1e5
    return frame.rename(columns={"shortfall": "shortfall_after"})


def _delegations(rows: pd.DataFrame, info: pd.DataFrame) -> pd.DataFrame:
    """Per-delegation sums over specialties, densities included (all columns kept)."""
    grouped = rows.groupby(["region", "delegation"], sort=True, as_index=False).agg(
        population=("population", "first"), **{c: (c, "sum") for c in SUMS})
    grouped = grouped.merge(info[["delegation", "name_fr", "name_ar"]], on="delegation",
                            how="left")
    grouped["name_fr"] = grouped["name_fr"].fillna(grouped["delegation"])
    grouped["name_ar"] = grouped["name_ar"].fillna("")
    return _densities(grouped).reset_index(drop=True)


def _regions(deleg: pd.DataFrame, regions: pd.DataFrame) -> Table:
    """Region sums (and a national total row) of the per-delegation figures."""
    sums = ["population", "delegations", "staff_before", "staff_after", "target",
            "shortfall_before", "shortfall_after", "posts", "foreign", "unmet_before",
            "unmet_after"]
    grouped = deleg.assign(delegations=1).groupby("region", sort=False)[sums].sum()
    grouped = regions.merge(grouped, left_on="region", right_index=True, how="inner")
    total = {"region": "", "name_fr": TOTAL, "name_ar": "", **grouped[sums].sum().to_dict()}
    grouped = pd.concat([grouped, pd.DataFrame([total])], ignore_index=True)
    grouped = _densities(grouped.rename(columns={"shortfall_after": "shortfall"}))
    kinds = {"region": "code", "name_fr": "text", "name_ar": "ar", "population": "int",
             "delegations": "int", "density_before": "num1", "density_after": "num1",
             "target_density": "num1", "shortfall_before": "num1", "shortfall_after": "num1",
             "posts": "int", "foreign": "int", "unmet_before": "num1", "unmet_after": "num1"}
    return Table("regions", grouped.loc[:, list(kinds)], kinds, total_row=True)


def _promotions(plan: Plan) -> Table:
    """Posts by promotion; a promotion is a number (a graduating year), never text."""
    posts = plan.allocations.groupby("promotion", sort=True)["posts"].sum()
    total = int(posts.sum())
    frame = pd.DataFrame({"promotion": pd.Series([int(p) for p in posts.index] + [TOTAL],
                                                 dtype=object),
                          "posts": [int(v) for v in posts] + [total]})
    frame["share"] = frame["posts"] / total if total else 0.0
    return Table("promotions", frame, {"promotion": "year", "posts": "int", "share": "pct"},
                 total_row=True)


def _allocations(plan: Plan, info: pd.DataFrame) -> Table:
    """Posts by delegation, specialty and promotion (allocations.csv, with names)."""
    frame = plan.allocations.merge(info[["delegation", "name_fr", "region"]],
                                   on="delegation", how="left")
    frame = frame.sort_values(["region", "delegation", "specialty", "promotion"],
                              kind="mergesort")
    kinds = {"region": "code", "delegation": "code", "name_fr": "text", "specialty": "code",
             "promotion": "year", "posts": "int"}
    return Table("allocations", frame.loc[:, list(kinds)].reset_index(drop=True), kinds)


def _categories(meta: Mapping[str, Any]) -> Table:
    counts = {c: int((meta.get("posts_by_category") or {}).get(c, 0)) for c in CATEGORIES}
    total = sum(counts.values())
    frame = pd.DataFrame({
        "category": list(CATEGORIES),
        "posts": [counts[c] for c in CATEGORIES],
        "share": [counts[c] / total if total else 0.0 for c in CATEGORIES],
        "reference_2024": [REFERENCE_2024[c] for c in CATEGORIES],
    })
    return Table("categories", frame, {"category": "term", "posts": "int", "share": "pct",
                                       "reference_2024": "pct"})


def _specialty_labels(meta: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """Specialty code -> name per language (Arabic: `name_ar` when the plan has it)."""
    labels = {}
    for spec in meta["specialties"]:
        name_fr = spec.get("name_fr") or spec["specialty"]
        labels[spec["specialty"]] = {"fr": name_fr, "en": spec.get("name_en") or name_fr,
                                     "ar": spec.get("name_ar") or name_fr}
    return labels


def _region_specialty(plan: Plan, info: pd.DataFrame, regions: pd.DataFrame,
                      meta: Mapping[str, Any]) -> Table:
    """National posts by region (rows) and specialty (columns), with totals."""
    codes = [s["specialty"] for s in meta["specialties"]]
    alloc = plan.allocations.merge(info[["delegation", "region"]], on="delegation", how="left")
    pivot = alloc.pivot_table(index="region", columns="specialty", values="posts",
                              aggfunc="sum", fill_value=0)
    pivot = pivot.reindex(index=list(regions["region"]), columns=codes, fill_value=0)
    pivot = pivot.fillna(0).astype("int64")
    pivot["total"] = pivot.sum(axis=1)
    frame = regions[["region", "name_fr"]].merge(pivot, left_on="region", right_index=True)
    total = {"region": "", "name_fr": TOTAL, **{c: int(frame[c].sum())
                                                  for c in [*codes, "total"]}}
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    kinds = {"region": "code", "name_fr": "text", **{c: "int" for c in codes}, "total": "int"}
    return Table("region_specialty", frame, kinds, labels=_specialty_labels(meta),
                 total_row=True)


def _worst_off(deleg: pd.DataFrame) -> Table:
    """The delegations with the most weighted unmet need left after the plan."""
    frame = deleg.sort_values(["unmet_after", "delegation"], ascending=[False, True],
                              kind="mergesort").head(WORST_OFF_ROWS)
    columns = ["delegation", "name_fr", "name_ar", "region", "unmet_before", "unmet_after",
               "shortfall_after", "density_after", "target_density"]
    return Table("worst_off", frame.loc[:, columns].reset_index(drop=True),
                 {c: DELEGATION_KINDS[c] for c in columns})


def _detail(rows: pd.DataFrame, info: pd.DataFrame) -> Table:
    frame = rows.merge(info[["delegation", "name_fr"]], on="delegation", how="left")
    kinds = {"delegation": "code", "name_fr": "text", "region": "code", "specialty": "code",
             "population": "int", "target": "num2", "presence_threshold": "num2",
             "current": "int", "departures": "int", "staff_before": "int", "posts": "int",
             "foreign": "int", "staff_after": "int", "shortfall_before": "num2",
             "shortfall": "num2", "absence_shortfall_before": "num2",
             "absence_shortfall": "num2", "creation": "int", "compensation": "int",
             "reinforcement": "int", "unmet_before": "num2", "unmet_after": "num2"}
    return Table("detail", frame.loc[:, list(kinds)], kinds)


def _contingent_frame(meta: Mapping[str, Any]) -> pd.DataFrame:
    columns = ["contingent", "name", "origin", "min_team", "max_sites", "cost_per_doctor",
               "eligible", "supply"]
    frame = pd.DataFrame(meta.get("contingents") or [], columns=columns)
    frame["name"] = frame["name"].fillna(frame["contingent"])
    frame["cost_per_doctor"] = pd.to_numeric(frame["cost_per_doctor"]).fillna(0.0)
    return frame


def _deployments(plan: Plan, info: pd.DataFrame, meta: Mapping[str, Any]) -> Table:
    """Where each contingent serves: one row per contingent, delegation and specialty."""
    cont = _contingent_frame(meta)[["contingent", "name", "cost_per_doctor"]]
    frame = plan.foreign.merge(info[["delegation", "name_fr", "region"]], on="delegation",
                               how="left").merge(cont, on="contingent", how="left")
    frame["cost"] = frame["doctors"] * frame["cost_per_doctor"].fillna(0.0)
    frame = frame.rename(columns={"name": "contingent_name"}).sort_values(
        ["contingent", "region", "delegation", "specialty"], kind="mergesort")
    kinds = {"contingent": "code", "contingent_name": "text", "region": "code",
             "delegation": "code", "name_fr": "text", "specialty": "code", "doctors": "int",
             "cost": "money"}
    return Table("deployments", frame.loc[:, list(kinds)].reset_index(drop=True), kinds)


def _contingents(plan: Plan, meta: Mapping[str, Any]) -> Table:
    cont = _contingent_frame(meta)
    used = plan.foreign.groupby("contingent").agg(deployed=("doctors", "sum"),
                                                  sites=("delegation", "nunique"))
    cont = cont.merge(used, left_on="contingent", right_index=True, how="left")
    cont["supply_total"] = [sum((s or {}).values()) for s in cont["supply"]]
    cont["supply"] = [", ".join(f"{k} {v}" for k, v in sorted((s or {}).items()))
                      for s in cont["supply"]]
    cont["eligible"] = [";".join(e) if isinstance(e, list) else (e or "")
                        for e in cont["eligible"]]
    cont[["deployed", "sites"]] = cont[["deployed", "sites"]].fillna(0).astype("int64")
    cont["cost"] = cont["deployed"] * cont["cost_per_doctor"]
    kinds = {"contingent": "code", "name": "text", "origin": "code", "supply": "text",
             "supply_total": "int", "deployed": "int", "sites": "int", "min_team": "value",
             "max_sites": "value", "cost_per_doctor": "money", "cost": "money",
             "eligible": "text"}
    return Table("contingents", cont.loc[:, list(kinds)].reset_index(drop=True), kinds)


def _specialties(rows: pd.DataFrame, meta: Mapping[str, Any]) -> Table:
    spec = pd.DataFrame(meta["specialties"])
    for column in ("name_en", "min_presence", "weight"):
        if column not in spec.columns:
            spec[column] = None
    sums = rows.groupby("specialty")[["posts", "foreign", "shortfall_before", "shortfall"]].sum()
    spec = spec.merge(sums, left_on="specialty", right_index=True, how="left")
    spec = spec.rename(columns={"shortfall": "shortfall_after"})
    kinds = {"specialty": "code", "name_fr": "text", "name_en": "text",
             "norm_per_100k": "num2", "min_presence": "value", "weight": "value",
             "posts": "int", "foreign": "int", "shortfall_before": "num1",
             "shortfall_after": "num1"}
    return Table("specialties", spec.loc[:, list(kinds)].fillna({"name_en": ""}), kinds)


def _summary(meta: Mapping[str, Any], rows: pd.DataFrame) -> dict[str, Any]:
    totals = meta.get("totals") or {}
    unmet = meta.get("unmet_need") or {}
    before = float(unmet.get("before", rows["unmet_before"].sum()))
    after = float(unmet.get("after", rows["unmet_after"].sum()))
    params = meta.get("parameters") or {}
    return {
        "scenario": str(meta["scenario"]), "description": str(meta.get("description") or ""),
        "status": str(meta["status"]), "objective": meta.get("objective"),
        "best_bound": meta.get("best_bound"), "gap": meta.get("gap"),
        "solver": meta.get("solver"), "solver_version": meta.get("solver_version"),
        "build_seconds": meta.get("build_seconds"), "solve_seconds": meta.get("solve_seconds"),
        "generated_at": meta.get("generated_at"),
        "posts_available": totals.get("posts_available"),
        "posts_allocated": int(totals.get("posts_allocated", rows["posts"].sum())),
        "foreign_available": totals.get("foreign_available"),
        "foreign_deployed": int(totals.get("foreign_deployed", rows["foreign"].sum())),
        "budget": params.get("budget"), "budget_used": float(meta.get("budget_used") or 0.0),
        "unmet_before": before, "unmet_after": after,
        "unmet_change": (after - before) / before if before else 0.0,
        "absence_penalty": _absence_penalty(meta),
        "n_regions": int(rows["region"].nunique()),
        "n_delegations": int(rows["delegation"].nunique()),
        "n_specialties": int(rows["specialty"].nunique()),
        "n_contingents": len(meta.get("contingents") or []),
        "reference_2024_posts": REFERENCE_2024_POSTS,
    }


def _key_figures(summary: Mapping[str, Any], promotions: Table,
                 horizon: list[tuple[str, Any, str]]) -> Table:
    """The summary as a list of labelled figures (Excel's first sheet); `horizon`: which
    years a horizon plan covers and which one the sheets show."""
    by_promotion = [(f"promotion:{p}", n, "int") for p, n in
                    zip(promotions.frame["promotion"].iloc[:-1],
                        promotions.frame["posts"].iloc[:-1], strict=True)]
    return items_table("summary", [
        ("scenario", summary["scenario"], "text"),
        ("description", summary["description"], "data"),
        *horizon,
        ("status", summary["status"], "term"),
        ("objective", summary["objective"], "num2"),
        ("posts_available", summary["posts_available"], "int"),
        ("posts_allocated", summary["posts_allocated"], "int"),
        *by_promotion,
        ("foreign_available", summary["foreign_available"], "int"),
        ("foreign_deployed", summary["foreign_deployed"], "int"),
        ("budget", summary["budget"], "money"),
        ("budget_used", summary["budget_used"], "money"),
        ("unmet_before", summary["unmet_before"], "num2"),
        ("unmet_after", summary["unmet_after"], "num2"),
        ("unmet_change_item", summary["unmet_change"], "pct"),
        ("generated_at", summary["generated_at"], "text"),
    ])
