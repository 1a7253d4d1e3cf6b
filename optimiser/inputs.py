"""Dataset + scenario -> model inputs: overrides applied, parameters derived, selections resolved.

This is where MODEL.md's derived quantities are computed once (target, presence threshold,
base staff) on a dense (delegation, specialty) table, and where scenario codes are checked against
the dataset. Overrides are applied in a fixed order and each change is logged as `old -> new`
so reports can show exactly what a scenario changed.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimiser.data import Dataset
from optimiser.errors import InputError, InputIssue
from optimiser.incentives import ResolvedIncentive, apply_incentives, check_codes
from optimiser.limits import MAX_VALUE
from optimiser.scenario import HorizonSpec, ScenarioConstraint, ScenarioFile
from optimiser.targets import workload_targets
from optimiser.uptake import p_accept, promotion_conflicts

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
    lower: int | None
    upper: int | None
    """Bounds are whole numbers (scenario.ScenarioConstraint)."""

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
    norm, target, presence, current, departures, base, cap (NaN = unlimited), coef = w*imp,
    p_accept (uptake.csv; 1 without a row) and p_model (the probability the model plans with:
    p_accept when `uptake` is expected, else 1)."""
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
    uptake: str = "certain"
    """`certain` or `expected` (scenario parameters.uptake, UPTAKE.md)."""
    eps_over: float = EPS_OVER
    eps_foreign: float = EPS_FOREIGN
    change_log: list[str] = field(default_factory=list)
    incentives: tuple[ResolvedIncentive, ...] = ()
    """Scenario allowances (optimiser/incentives.py); their raised p and per-post cost are
    already in `pairs` (p_accept, p_model, allowance)."""
    min_reach: int | None = None
    """NEED.md: at least this many delegations receive a national post (None: no rule)."""
    equity_weight: float = 0.0
    """NEED.md: the objective gains equity_weight * max_d g[d] (optimiser/equity.py)."""
    horizon: HorizonSpec | None = None
    """NEED.md several years (optimiser/horizon/): None is MODEL.md's one-year plan."""

    @property
    def promotions(self) -> list[int]:
        """`P`: the promotions that have posts rows (after overrides)."""
        return sorted(set(self.posts.index.get_level_values("promotion")))


def _fmt(value: float) -> str:
    """`3.6`, and whole numbers in full (`1000000`, not `1e+06`)."""
    value = float(value) + 0.0
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:g}"


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
    names: dict[str, int] = {}  # a name identifies its rows in explain, sensitivity, sweeps
    for i, con in enumerate(sf.scenario.constraints):
        for kind in ("region", "delegation", "specialty"):
            for code in getattr(con, kind) or []:
                need(kind, code, ("constraints", i, kind))
        name = con.name or f"constraint-{i + 1}"
        if name in names:
            issues.append(sf.issue(("constraints", i, "name"), name, f"constraint name given "
                                   f"twice (also constraints.{names[name]}): names must differ"))
        names.setdefault(name, i)
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
    """The scenario entries a pairs table depends on (norms, priority weights, capacity, and
    the uptake mode, which sets p_model)."""
    ov = sf.scenario.overrides
    return (tuple(sorted(ov.norm_multiplier.items())), tuple(sorted(ov.priority_weight.items())),
            tuple((o.delegation, o.specialty, o.max_new) for o in ov.capacity),
            sf.scenario.parameters.uptake)


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


def _pairs(ds: Dataset, t: dict, uptake: str = "certain") -> pd.DataFrame:
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
    norm_based = (pairs["norm"] * pairs["population"] / 100000).to_numpy(float)
    pairs["target"] = workload_targets(ds, index, norm_based)  # targets.csv rows win (NEED.md)
    pres = spec["min_presence"].reindex(s).to_numpy(dtype=float)
    pairs["presence"] = np.minimum(pres, pairs["target"].to_numpy())
    work = ds.workforce.rename_axis(["delegation", "specialty"]).reindex(index)
    pairs["current"] = work["current"].fillna(0).astype("int64").to_numpy()
    pairs["departures"] = work["departures"].fillna(0).astype("int64").to_numpy()
    pairs["base"] = pairs["current"] - pairs["departures"]
    cap = t["capacity"].rename_axis(["delegation", "specialty"]).reindex(index)
    pairs["cap"] = cap.to_numpy(dtype=float)
    pairs["coef"] = pairs["priority_weight"] * pairs["specialty_weight"]
    pairs["p_accept"] = p_accept(ds, index)
    pairs["p_model"] = pairs["p_accept"] if uptake == "expected" else 1.0
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


Source = tuple[str, tuple | None, str | None, str | None, object]
"""An input of a derived number: (words, scenario key path or None, dataset file, column,
value). The issue goes to the scenario key when the scenario set one, else to the file."""


def _data(ds: Dataset, file: str, column: str, key: str, value: float) -> Source:
    return f"{file} {column}[{key}] = {_fmt(value)}", None, str(ds.path / file), column, \
        _fmt(value)


def _scenario(words: str, loc: tuple, value: float) -> Source:
    return words, loc, None, None, _fmt(value)


def _pair_sources(ds: Dataset, sf: ScenarioFile, d: str, s: str, kind: str) -> list[Source]:
    """The inputs of a pair's target (`target`) or objective coefficient (`coef`)."""
    ov, params = sf.scenario.overrides, sf.scenario.parameters
    if kind == "target":
        key = s if s in ov.norm_multiplier else "*" if "*" in ov.norm_multiplier else None
        factor = [] if key is None else [_scenario(
            f"norm_multiplier {_fmt(ov.norm_multiplier[key])}",
            ("overrides", "norm_multiplier", key), ov.norm_multiplier[key])]
        return [_data(ds, "specialties.csv", "norm_per_100k", s,
                      ds.specialties.at[s, "norm_per_100k"]), *factor,
                _data(ds, "delegations.csv", "population", d, ds.delegations.at[d, "population"])]
    weight = (_scenario(f"priority_weight[{d}] = {_fmt(ov.priority_weight[d])}",
                        ("overrides", "priority_weight", d), ov.priority_weight[d])
              if d in ov.priority_weight else
              _data(ds, "delegations.csv", "priority_weight", d,
                    ds.delegations.at[d, "priority_weight"]))
    penalty = "absence_penalty" in params.model_fields_set
    return [weight, _data(ds, "specialties.csv", "weight", s, ds.specialties.at[s, "weight"]),
            (f"(1 + absence_penalty {_fmt(params.absence_penalty)})",
             ("parameters", "absence_penalty") if penalty else None, None, None,
             _fmt(params.absence_penalty))]


def _issue(sf: ScenarioFile, sources: list[Source], gives: str) -> InputIssue:
    """`a x b x c gives ...; the model accepts at most 1e+12`, at the most likely culprit."""
    text = " x ".join(src[0] for src in sources) + f" gives {gives}; the model accepts at " \
        f"most {MAX_VALUE:.0e}"
    words, loc, file, column, value = next(
        (src for src in sources if src[1] is not None), sources[0])
    if loc is not None:
        return sf.issue(loc, value, text)
    return InputIssue(str(file), None, column, str(value), text)


def _worst(values: np.ndarray) -> tuple[int, int]:
    """(position of the largest value beyond MAX_VALUE or non-finite, how many), (-1, 0)."""
    bad = ~(np.abs(values) <= MAX_VALUE)
    if not bad.any():
        return -1, 0
    return int(np.argmax(np.where(bad, np.nan_to_num(np.abs(values), nan=np.inf), -1))), \
        int(bad.sum())


def _check_derived(ds: Dataset, sf: ScenarioFile, pairs: pd.DataFrame, supply: pd.Series,
                   contingents: pd.DataFrame, absence_penalty: float) -> list[InputIssue]:
    """Derived numbers (targets, objective coefficients, costs) must be finite and at most
    MAX_VALUE even when every input is within its own range: a norm_multiplier of 10^6 on a
    norm of 10^3 gives targets beyond what HiGHS represents, and the solver would fail or,
    worse, answer a rounded problem. Each issue names the inputs of the worst case."""
    issues = []
    coef = pairs["coef"].to_numpy(float)
    for kind, what, values in (
            ("target", "a target", pairs["target"].to_numpy(float)),
            ("coef", "an objective coefficient w*imp*(1+A)", coef * (1 + absence_penalty))):
        pos, count = _worst(values)
        if count:
            d, s = pairs.index[pos]
            more = f" (and {count - 1:,} other pair(s))" if count > 1 else ""
            issues.append(_issue(sf, _pair_sources(ds, sf, d, s, kind),
                                 f"{what} of {values[pos]:.3g} in {d}, {s}{more}"))
    need = coef * (pairs["target"].to_numpy(float)
                   + absence_penalty * pairs["presence"].to_numpy(float))
    pos, count = _worst(need)
    if count and not issues:
        d, s = pairs.index[pos]
        issues.append(_issue(sf, [*_pair_sources(ds, sf, d, s, "target"),
                                  *_pair_sources(ds, sf, d, s, "coef")],
                             f"an unmet need w*imp*(target + A*presence) of {need[pos]:.3g} "
                             f"in {d}, {s}"))
    cost = contingents["cost_per_doctor"].reindex(supply.index.get_level_values(0))
    total = cost.to_numpy(float) * supply.to_numpy(float)
    pos, count = _worst(total)
    if count:
        c, s = supply.index[pos]
        size = int(supply.iloc[pos])
        at = next((i for i, o in enumerate(sf.scenario.overrides.contingent_size)
                   if (o.contingent, o.specialty) == (c, s)), None)
        size_src = (_scenario(f"contingent_size[{c},{s}] = {size:,}",
                              ("overrides", "contingent_size", at, "size"), size)
                    if at is not None else
                    _data(ds, "contingent_supply.csv", "size", f"{c},{s}", size))
        issues.append(_issue(sf, [_data(ds, "contingents.csv", "cost_per_doctor", c,
                                        cost.iloc[pos]), size_src],
                             f"a cost of {total[pos]:.3g} for {c}'s doctors of {s}"))
    return issues


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
    """Resolve each scenario constraint to index sets; a selection matching nothing is an error.

    Region memberships are looked up in one dict built once: 10,000 constraints resolve in
    a fraction of a second (one pandas filter per constraint took seconds).
    """
    region_of = ds.delegations["region_code"]
    every_delegation = frozenset(region_of.index)
    every_specialty = frozenset(ds.specialties.index)
    in_region: dict[str, set[str]] = {}
    for delegation, region in region_of.items():
        in_region.setdefault(region, set()).add(delegation)
    selections, issues = [], []
    for i, con in enumerate(sf.scenario.constraints):
        delegations = every_delegation
        if con.region:
            delegations = delegations & set().union(*(in_region.get(r, ()) for r in con.region))
        if con.delegation:
            delegations = delegations.intersection(con.delegation)
        specialties = frozenset(con.specialty) if con.specialty else every_specialty
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
            delegations=frozenset(delegations), specialties=specialties,
            promotions=None if con.promotion is None else frozenset(con.promotion),
            lower=con.lower, upper=con.upper,
        ))
    return selections, issues


def build_inputs(ds: Dataset, sf: ScenarioFile) -> ModelInputs:
    """Apply a scenario to a dataset; raises InputError naming scenario lines for bad codes."""
    issues = _check_codes(ds, sf) + check_codes(ds, sf)
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
    pairs = _derived(ds, _pairs_key(sf), lambda: _pairs(ds, tables, p.uptake))
    pairs, incentives, issues = apply_incentives(ds, sf, pairs, p.uptake)
    if issues:
        raise InputError(issues)
    supply = tables["supply"].rename_axis(["contingent", "specialty"]).sort_index()
    issues = _check_derived(ds, sf, pairs, supply, contingents, p.absence_penalty)
    issues += promotion_conflicts(sf, pairs)
    if issues:
        raise InputError(issues)
    return ModelInputs(
        dataset=ds,
        scenario_name=sf.scenario.name,
        description=sf.scenario.description,
        pairs=pairs,
        posts=posts,
        supply=supply,
        contingents=contingents.rename_axis("contingent"),
        eligibility=_derived(ds, ("eligibility",), lambda: _eligibility(ds)),
        selections=selections,
        absence_penalty=p.absence_penalty,
        allocate_all=p.allocate_all,
        budget=p.budget,
        time_limit_s=p.time_limit_s,
        mip_gap=p.mip_gap,
        solver=p.solver,
        uptake=p.uptake,
        change_log=log,
        incentives=incentives,
        min_reach=p.min_reach,
        equity_weight=p.equity_weight,
        horizon=p.horizon,
    )
