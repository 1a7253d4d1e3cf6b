"""Dataset + scenario -> model inputs: overrides applied, parameters derived, selections resolved.

This is where MODEL.md's derived quantities are computed once (target, presence threshold,
base staff) on a dense (delegation, specialty) table, and where scenario codes are checked against
the dataset. Overrides are applied in a fixed order and each change is logged as `old -> new`
so reports can show exactly what a scenario changed.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimiser.data import Dataset
from optimiser.errors import InputError, InputIssue
from optimiser.scenario import ScenarioConstraint, ScenarioFile

EPS_OVER = 0.01
EPS_FOREIGN = 0.001


@dataclass(frozen=True)
class Selection:
    """A resolved scenario constraint: the index sets it sums over and its bounds."""

    name: str
    description: str
    counts: str
    delegations: frozenset[str]
    specialties: frozenset[str]
    promotions: frozenset[int] | None
    lower: float | None
    upper: float | None

    @property
    def label(self) -> str:
        """Label used in constraint names and messages."""
        return f"scenario[{self.name}]"


@dataclass(frozen=True)
class ModelInputs:
    """Everything the model builder reads, already overridden and with defaults applied."""

    dataset: Dataset
    scenario_name: str
    description: str
    pairs: pd.DataFrame
    """Index (delegation, specialty): region, population, priority_weight, specialty_weight,
    norm, target, presence, current, departures, base, cap (NaN = unlimited), coef = w*imp."""
    posts: pd.Series
    """Index (specialty, promotion): posts to allocate."""
    supply: pd.Series
    """Index (contingent, specialty): doctors offered."""
    contingents: pd.DataFrame
    """Index contingent: min_team, max_sites (<NA> = unlimited), cost_per_doctor."""
    eligibility: pd.DataFrame
    """Columns contingent, delegation: where each contingent may serve."""
    selections: list[Selection]
    absence_penalty: float
    allocate_all: bool
    budget: float | None
    time_limit_s: float
    mip_gap: float
    solver: str
    eps_over: float = EPS_OVER
    eps_foreign: float = EPS_FOREIGN
    change_log: list[str] = field(default_factory=list)

    @property
    def promotions(self) -> list[int]:
        """`P`: the promotions that have posts rows (after overrides)."""
        return sorted(set(self.posts.index.get_level_values("promotion")))


def _fmt(value: float) -> str:
    return f"{value:g}"


def _check_codes(ds: Dataset, sf: ScenarioFile) -> list[InputIssue]:
    """Every code a scenario names must exist in the dataset; override keys may not repeat."""
    ov = sf.scenario.overrides
    known = {
        "region": set(ds.regions.index),
        "delegation": set(ds.delegations.index),
        "specialty": set(ds.specialties.index),
        "contingent": set(ds.contingents.index),
    }
    issues: list[InputIssue] = []

    def need(kind: str, code: str, loc: tuple) -> None:
        if code not in known[kind]:
            issues.append(sf.issue(loc, code, f"unknown {kind} code"))

    for code in ov.norm_multiplier:
        if code != "*":
            need("specialty", code, ("overrides", "norm_multiplier", code))
    for code in ov.priority_weight:
        need("delegation", code, ("overrides", "priority_weight", code))
    keyed = {
        "posts": lambda o: (o.specialty, o.promotion),
        "contingent_size": lambda o: (o.contingent, o.specialty),
        "capacity": lambda o: (o.delegation, o.specialty),
    }
    for section, key_of in keyed.items():
        seen: dict[tuple, int] = {}
        for i, item in enumerate(getattr(ov, section)):
            loc = ("overrides", section, i)
            for kind in ("delegation", "specialty", "contingent"):
                if hasattr(item, kind):
                    need(kind, getattr(item, kind), (*loc, kind))
            key = key_of(item)
            if key in seen:
                msg = f"conflicts with item {seen[key]} for the same key {key}"
                issues.append(sf.issue(loc, None, msg))
            seen[key] = i
    for i, con in enumerate(sf.scenario.constraints):
        for kind in ("region", "delegation", "specialty"):
            for code in getattr(con, kind) or []:
                need(kind, code, ("constraints", i, kind))
    return issues


def _apply_overrides(ds: Dataset, sf: ScenarioFile) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Copy the tables and apply overrides in SCENARIO.md order, logging every change."""
    ov = sf.scenario.overrides
    log: list[str] = []
    specialties = ds.specialties.copy()
    delegations = ds.delegations.copy()
    posts = ds.posts["posts"].copy()
    supply = ds.contingent_supply["size"].copy()
    capacity = ds.capacity["max_new"].copy()

    for code in specialties.index:
        factor = ov.norm_multiplier.get(code, ov.norm_multiplier.get("*"))
        if factor is not None and factor != 1:
            old = float(specialties.at[code, "norm_per_100k"])
            specialties.at[code, "norm_per_100k"] = old * factor
            log.append(f"norm_per_100k[{code}]: {_fmt(old)} -> {_fmt(old * factor)}"
                       f" (norm_multiplier {_fmt(factor)})")
    for code, weight in ov.priority_weight.items():
        old = float(delegations.at[code, "priority_weight"])
        delegations.at[code, "priority_weight"] = weight
        log.append(f"priority_weight[{code}]: {_fmt(old)} -> {_fmt(weight)}")

    def set_value(series: pd.Series, key: tuple, value: int, label: str) -> None:
        old = series.get(key)
        series.loc[key] = value
        shown = "none" if old is None else _fmt(old)
        log.append(f"{label}[{','.join(map(str, key))}]: {shown} -> {value}")

    for o in ov.posts:
        set_value(posts, (o.promotion, o.specialty), o.posts, "posts")
    for o in ov.contingent_size:
        set_value(supply, (o.contingent, o.specialty), o.size, "contingent_size")
    for o in ov.capacity:
        set_value(capacity, (o.delegation, o.specialty), o.max_new, "capacity")
    tables = {"specialties": specialties, "delegations": delegations, "posts": posts,
              "supply": supply, "capacity": capacity}
    return tables, log


_DERIVED: dict[int, dict[tuple, pd.DataFrame]] = {}
"""Per dataset, the eligibility table and the last few pairs tables by the overrides that
shape them. A sweep builds the inputs of every point (1,000 points: 1,000 builds); most points
share these tables, which cost three quarters of a build. Tables are never modified after
they are built."""
_DERIVED_KEEP = 8


def _pairs_key(sf: ScenarioFile) -> tuple:
    """The scenario entries a pairs table depends on (norms, priority weights, capacity)."""
    ov = sf.scenario.overrides
    return (tuple(sorted(ov.norm_multiplier.items())), tuple(sorted(ov.priority_weight.items())),
            tuple((o.delegation, o.specialty, o.max_new) for o in ov.capacity))


def _derived(ds: Dataset, key: tuple, make: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """A table derived from `ds` alone and `key`, built once per dataset and key."""
    if id(ds) not in _DERIVED:
        _DERIVED[id(ds)] = {}
        weakref.finalize(ds, _DERIVED.pop, id(ds), None)
    cache = _DERIVED[id(ds)]
    if key not in cache:
        if len(cache) >= _DERIVED_KEEP:
            cache.pop(next(k for k in cache if k != ("eligibility",)))
        cache[key] = make()
    return cache[key]


def _pairs(ds: Dataset, t: dict) -> pd.DataFrame:
    """The dense (delegation, specialty) table with MODEL.md's derived parameters."""
    dele, spec = t["delegations"], t["specialties"]
    index = pd.MultiIndex.from_product(
        [dele.index, spec.index], names=["delegation", "specialty"]
    )
    d = index.get_level_values("delegation")
    s = index.get_level_values("specialty")
    pairs = pd.DataFrame(index=index)
    pairs["region"] = dele["region_code"].reindex(d).to_numpy()
    pairs["population"] = dele["population"].reindex(d).to_numpy()
    pairs["priority_weight"] = dele["priority_weight"].reindex(d).to_numpy(dtype=float)
    pairs["specialty_weight"] = spec["weight"].reindex(s).to_numpy(dtype=float)
    pairs["norm"] = spec["norm_per_100k"].reindex(s).to_numpy(dtype=float)
    pairs["target"] = pairs["norm"] * pairs["population"] / 100000
    pres = spec["min_presence"].reindex(s).to_numpy(dtype=float)
    pairs["presence"] = np.minimum(pres, pairs["target"].to_numpy())
    work = ds.workforce.rename_axis(["delegation", "specialty"]).reindex(index)
    pairs["current"] = work["current"].fillna(0).astype("int64").to_numpy()
    pairs["departures"] = work["departures"].fillna(0).astype("int64").to_numpy()
    pairs["base"] = pairs["current"] - pairs["departures"]
    cap = t["capacity"].rename_axis(["delegation", "specialty"]).reindex(index)
    pairs["cap"] = cap.to_numpy(dtype=float)
    pairs["coef"] = pairs["priority_weight"] * pairs["specialty_weight"]
    return pairs


def _eligibility(ds: Dataset) -> pd.DataFrame:
    """Expand each contingent's `eligible` list (regions stand for their delegations)."""
    region_of = ds.delegations["region_code"]
    rows = []
    for code, value in ds.contingents["eligible"].items():
        if value is None or pd.isna(value) or not str(value).strip():
            allowed = set(region_of.index)
        else:
            parts = {p.strip() for p in str(value).split(";")}
            allowed = set(region_of.index[region_of.isin(parts)]) | (parts & set(region_of.index))
        rows += [(code, d) for d in sorted(allowed)]
    return pd.DataFrame(rows, columns=["contingent", "delegation"], dtype=object)


def describe_selection(con: ScenarioConstraint) -> str:
    """Plain words for a constraint's selection and bounds, e.g. `posts in region TTAH >= 97`."""
    what = {"posts": "national posts", "foreign": "foreign doctors",
            "all": "posts + foreign doctors"}[con.counts]
    parts = [f"{kind} {'/'.join(map(str, getattr(con, kind)))}"
             for kind in ("region", "delegation", "specialty", "promotion")
             if getattr(con, kind)]
    where = " in " + ", ".join(parts) if parts else " in total"
    if con.fix is not None:
        bound = f"= {_fmt(con.fix)}"
    elif con.min is not None and con.max is not None:
        bound = f"between {_fmt(con.min)} and {_fmt(con.max)}"
    else:
        bound = f">= {_fmt(con.min)}" if con.min is not None else f"<= {_fmt(con.max)}"
    return f"{what}{where} {bound}"


def _selections(ds: Dataset, sf: ScenarioFile, promotions: set[int]) -> tuple[list, list]:
    """Resolve each scenario constraint to index sets; a selection matching nothing is an error."""
    region_of = ds.delegations["region_code"]
    selections, issues = [], []
    for i, con in enumerate(sf.scenario.constraints):
        delegations = set(region_of.index)
        if con.region:
            delegations &= set(region_of.index[region_of.isin(con.region)])
        if con.delegation:
            delegations &= set(con.delegation)
        specialties = set(con.specialty) if con.specialty else set(ds.specialties.index)
        name = con.name or f"constraint-{i + 1}"
        loc = ("constraints", i)
        unknown = sorted(set(con.promotion or []) - promotions)
        if unknown:
            msg = f"unknown promotion {unknown}: posts.csv has {sorted(promotions)}"
            issues.append(sf.issue((*loc, "promotion"), None, msg))
        if not delegations:
            msg = f"constraint '{name}' selects no delegation (region and delegation disagree)"
            issues.append(sf.issue(loc, None, msg))
        selections.append(Selection(
            name=name, description=describe_selection(con), counts=con.counts,
            delegations=frozenset(delegations), specialties=frozenset(specialties),
            promotions=None if con.promotion is None else frozenset(con.promotion),
            lower=con.lower, upper=con.upper,
        ))
    return selections, issues


def build_inputs(ds: Dataset, sf: ScenarioFile) -> ModelInputs:
    """Apply a scenario to a dataset; raises InputError naming scenario lines for bad codes."""
    issues = _check_codes(ds, sf)
    if issues:
        raise InputError(issues)
    tables, log = _apply_overrides(ds, sf)
    posts = tables["posts"]
    posts = posts.reorder_levels(["specialty_code", "promotion"]).rename_axis(
        ["specialty", "promotion"]).sort_index()
    selections, issues = _selections(ds, sf, set(posts.index.get_level_values("promotion")))
    if issues:
        raise InputError(issues)
    contingents = ds.contingents[["min_team", "max_sites", "cost_per_doctor"]].copy()
    p = sf.scenario.parameters
    if p.budget is not None and not math.isfinite(p.budget):
        raise InputError([sf.issue(("parameters", "budget"), p.budget, "must be finite")])
    return ModelInputs(
        dataset=ds,
        scenario_name=sf.scenario.name,
        description=sf.scenario.description,
        pairs=_derived(ds, _pairs_key(sf), lambda: _pairs(ds, tables)),
        posts=posts,
        supply=tables["supply"].rename_axis(["contingent", "specialty"]).sort_index(),
        contingents=contingents.rename_axis("contingent"),
        eligibility=_derived(ds, ("eligibility",), lambda: _eligibility(ds)),
        selections=selections,
        absence_penalty=p.absence_penalty,
        allocate_all=p.allocate_all,
        budget=p.budget,
        time_limit_s=p.time_limit_s,
        mip_gap=p.mip_gap,
        solver=p.solver,
        change_log=log,
    )
