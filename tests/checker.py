"""Independent re-check of a plan against MODEL.md, SCENARIO.md and DATA.md.

Deliberately imports nothing from the ``optimiser`` package: the dataset and scenario are
re-read here with the csv module and ``yaml.safe_load``, and every constraint and the objective
are recomputed from the plan's numbers alone, so a bug in the solver's model cannot hide itself.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EPS_OVER = 0.01
EPS_FOREIGN = 0.001
TOL = 1e-6
CATEGORIES = ("creation", "compensation", "reinforcement")

Pair = tuple[str, str]  # (delegation, specialty)


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Selection:
    """A scenario constraint (rule 10), with its filters already resolved to code sets."""

    name: str
    delegations: frozenset[str]
    specialties: frozenset[str]
    promotions: frozenset[int] | None  # None = no promotion filter
    counts: str  # posts | foreign | all
    lo: float | None
    hi: float | None

    def takes_post(self, d: str, s: str, p: int) -> bool:
        """Whether national post x[d,s,p] enters the bounded sum."""
        if self.counts == "foreign":
            return False
        in_prom = self.promotions is None or p in self.promotions
        return d in self.delegations and s in self.specialties and in_prom

    def takes_foreign(self, d: str, s: str) -> bool:
        """Whether foreign doctors y[.,d,s] enter the sum (never under a promotion filter)."""
        if self.counts == "posts" or self.promotions is not None:
            return False
        return d in self.delegations and s in self.specialties


@dataclass
class Model:
    """All parameters of MODEL.md after defaults, overrides and scenario parameters."""

    regions: list[str]
    region_of: dict[str, str]
    pop: dict[str, float]
    weight: dict[str, float]
    specialties: list[str]
    norm: dict[str, float]
    pres: dict[str, float]
    imp: dict[str, float]
    cur: dict[Pair, int]
    dep: dict[Pair, int]
    cap: dict[Pair, int]  # absent = unlimited
    posts: dict[tuple[str, int], int]  # (specialty, promotion)
    contingents: list[str]
    size: dict[tuple[str, str], int]  # (contingent, specialty)
    team: dict[str, int]
    sites: dict[str, int | None]
    cost: dict[str, float]
    elig: dict[str, frozenset[str]]
    absence_penalty: float = 4.0
    allocate_all: bool = True
    budget: float | None = None
    constraints: list[Selection] = field(default_factory=list)

    @property
    def delegations(self) -> list[str]:
        return sorted(self.region_of)

    @property
    def promotions(self) -> list[int]:
        return sorted({p for _, p in self.posts})

    def pairs(self) -> list[Pair]:
        return [(d, s) for d in self.delegations for s in self.specialties]

    def target(self, d: str, s: str) -> float:
        return self.norm[s] * self.pop[d] / 100000

    def threshold(self, d: str, s: str) -> float:
        return min(self.pres[s], self.target(d, s))

    def base(self, d: str, s: str) -> int:
        return self.cur.get((d, s), 0) - self.dep.get((d, s), 0)

    def pair_cost(self, d: str, s: str, staff: float) -> float:
        """Objective contribution of one (d,s) at a given staff level (without eps_foreign)."""
        t, m = self.target(d, s), self.threshold(d, s)
        u, a, o = max(0.0, t - staff), max(0.0, m - staff), max(0.0, staff - t)
        return self.weight[d] * self.imp[s] * (u + self.absence_penalty * a) + EPS_OVER * o

    def unmet(self, d: str, s: str, staff: float) -> float:
        """Weighted unmet need w*imp*(u + A*a) of one (d,s)."""
        return self.pair_cost(d, s, staff) - EPS_OVER * max(0.0, staff - self.target(d, s))


# --------------------------------------------------------------------------- loading


def _read_csv(data_dir: Path, name: str, required: bool = True) -> list[dict[str, str]]:
    path = data_dir / name
    if not path.exists():
        if required:
            raise FileNotFoundError(path)
        return []
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return [
            {k.strip(): (v or "").strip() for k, v in row.items() if k}
            for row in csv.DictReader(fh)
        ]


def _num(row: dict[str, str], col: str, default: float) -> float:
    value = row.get(col, "")
    return float(value) if value != "" else default


def _int(row: dict[str, str], col: str, default: int) -> int:
    return int(_num(row, col, default))


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _load_dataset(data_dir: Path) -> Model:
    """Read the CSV files with MODEL.md defaults."""
    regions = [r["region_code"] for r in _read_csv(data_dir, "regions.csv")]
    drows = _read_csv(data_dir, "delegations.csv")
    srows = _read_csv(data_dir, "specialties.csv")
    model = Model(
        regions=regions,
        region_of={r["delegation_code"]: r["region_code"] for r in drows},
        pop={r["delegation_code"]: _num(r, "population", 0) for r in drows},
        weight={r["delegation_code"]: _num(r, "priority_weight", 1.0) for r in drows},
        specialties=sorted(r["specialty_code"] for r in srows),
        norm={r["specialty_code"]: _num(r, "norm_per_100k", 0) for r in srows},
        pres={r["specialty_code"]: _num(r, "min_presence", 1.0) for r in srows},
        imp={r["specialty_code"]: _num(r, "weight", 1.0) for r in srows},
        cur={}, dep={}, cap={}, posts={}, contingents=[], size={},
        team={}, sites={}, cost={}, elig={},
    )
    for r in _read_csv(data_dir, "workforce.csv", required=False):
        key = (r["delegation_code"], r["specialty_code"])
        model.cur[key] = _int(r, "current", 0)
        model.dep[key] = _int(r, "departures", 0)
    for r in _read_csv(data_dir, "capacity.csv", required=False):
        model.cap[(r["delegation_code"], r["specialty_code"])] = _int(r, "max_new", 0)
    for r in _read_csv(data_dir, "posts.csv"):
        model.posts[(r["specialty_code"], int(float(r["promotion"])))] = _int(r, "posts", 0)
    for r in _read_csv(data_dir, "contingents.csv", required=False):
        c = r["contingent_code"]
        model.contingents.append(c)
        model.team[c] = _int(r, "min_team", 1)
        model.sites[c] = _int(r, "max_sites", 0) if r.get("max_sites", "") != "" else None
        model.cost[c] = _num(r, "cost_per_doctor", 0.0)
        model.elig[c] = _eligible(model, r.get("eligible", ""))
    for r in _read_csv(data_dir, "contingent_supply.csv", required=False):
        model.size[(r["contingent_code"], r["specialty_code"])] = _int(r, "size", 0)
    return model


def _eligible(model: Model, text: str) -> frozenset[str]:
    """Expand an `eligible` cell: empty = everywhere, a region = its delegations."""
    codes = [c.strip() for c in text.split(";") if c.strip()]
    if not codes:
        return frozenset(model.region_of)
    return frozenset(
        d for d, r in model.region_of.items() if d in codes or r in codes
    )


def _apply_overrides(model: Model, overrides: dict[str, Any]) -> None:
    """Overrides as fixed by the lead: multiplier on norm, specific code beats "*", SET rows."""
    mult = {str(k): float(v) for k, v in (overrides.get("norm_multiplier") or {}).items()}
    for s in model.specialties:
        factor = mult.get(s, mult.get("*"))
        if factor is not None:
            model.norm[s] *= factor
    for o in overrides.get("posts") or []:
        model.posts[(str(o["specialty"]), int(o["promotion"]))] = int(o["posts"])
    for o in overrides.get("contingent_size") or []:
        model.size[(str(o["contingent"]), str(o["specialty"]))] = int(o["size"])
    for d, w in (overrides.get("priority_weight") or {}).items():
        model.weight[str(d)] = float(w)
    for o in overrides.get("capacity") or []:
        model.cap[(str(o["delegation"]), str(o["specialty"]))] = int(o["max_new"])


def _selection(model: Model, index: int, raw: dict[str, Any]) -> Selection:
    """Resolve one scenario constraint: filters intersect, absent filter = all."""
    dels = set(model.region_of)
    if raw.get("region") is not None:
        regions = {str(r) for r in _as_list(raw["region"])}
        dels &= {d for d, r in model.region_of.items() if r in regions}
    if raw.get("delegation") is not None:
        dels &= {str(d) for d in _as_list(raw["delegation"])}
    specs = set(model.specialties)
    if raw.get("specialty") is not None:
        specs &= {str(s) for s in _as_list(raw["specialty"])}
    proms = None
    if raw.get("promotion") is not None:
        proms = frozenset(int(p) for p in _as_list(raw["promotion"]))
    lo, hi = raw.get("min"), raw.get("max")
    if raw.get("fix") is not None:
        lo = hi = raw["fix"]
    return Selection(
        name=str(raw.get("name") or f"constraint #{index + 1}"),
        delegations=frozenset(dels),
        specialties=frozenset(specs),
        promotions=proms,
        counts=str(raw.get("counts") or "posts"),
        lo=None if lo is None else float(lo),
        hi=None if hi is None else float(hi),
    )


def load_model(data_dir: Path, scenario_file: Path | None) -> Model:
    """Dataset + scenario -> the parameters MODEL.md optimises over."""
    model = _load_dataset(Path(data_dir))
    if scenario_file is None:
        return model
    scenario = yaml.safe_load(Path(scenario_file).read_text(encoding="utf-8")) or {}
    params = scenario.get("parameters") or {}
    if params.get("absence_penalty") is not None:
        model.absence_penalty = float(params["absence_penalty"])
    if params.get("allocate_all") is not None:
        model.allocate_all = bool(params["allocate_all"])
    if params.get("budget") is not None:
        model.budget = float(params["budget"])
    _apply_overrides(model, scenario.get("overrides") or {})
    model.constraints = [
        _selection(model, i, raw) for i, raw in enumerate(scenario.get("constraints") or [])
    ]
    return model


# --------------------------------------------------------------------------- derived values


def category_split(x_total: int, base: int, dep: int, threshold: float) -> tuple[int, int, int]:
    """MODEL.md "Reading a plan": creation up to m, then compensation up to dep, then the rest."""
    creation = 0
    if base < threshold:
        creation = min(x_total, max(0, math.ceil(threshold - base - 1e-9)))
    compensation = min(x_total - creation, dep)
    return creation, compensation, x_total - creation - compensation


def objective(model: Model, national: dict[Pair, int], foreign: dict[Pair, int]) -> float:
    """MODEL.md objective over EVERY (d,s), from per-pair national and foreign totals."""
    total = 0.0
    for d, s in model.pairs():
        staff = model.base(d, s) + national.get((d, s), 0) + foreign.get((d, s), 0)
        total += model.pair_cost(d, s, staff)
    return total + EPS_FOREIGN * sum(foreign.values())


def close(a: float, b: float, tol: float = TOL) -> bool:
    """Relative comparison with an absolute floor of `tol` near zero."""
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


# --------------------------------------------------------------------------- report


@dataclass(frozen=True)
class Violation:
    """One broken rule; `rule` is a short tag tests can match on."""

    rule: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


@dataclass
class CheckReport:
    """Result of check_plan: empty `violations` means the plan passes."""

    violations: list[Violation]
    objective: float

    @property
    def ok(self) -> bool:
        return not self.violations

    def rules(self) -> set[str]:
        return {v.rule for v in self.violations}

    def __str__(self) -> str:
        head = f"recomputed objective {self.objective!r}; {len(self.violations)} violation(s)"
        return "\n".join([head, *(f"  {v}" for v in self.violations)])


class _Collector:
    def __init__(self) -> None:
        self.items: list[Violation] = []

    def add(self, rule: str, message: str) -> None:
        self.items.append(Violation(rule, message))


# --------------------------------------------------------------------------- reading the plan


@dataclass
class _Decisions:
    x: dict[tuple[str, str, int], int]
    y: dict[tuple[str, str, str], int]  # (contingent, delegation, specialty)

    def national(self) -> dict[Pair, int]:
        out: dict[Pair, int] = defaultdict(int)
        for (d, s, _), v in self.x.items():
            out[(d, s)] += v
        return dict(out)

    def foreign(self) -> dict[Pair, int]:
        out: dict[Pair, int] = defaultdict(int)
        for (_, d, s), v in self.y.items():
            out[(d, s)] += v
        return dict(out)


def _count(value: Any, what: str, out: _Collector) -> int:
    """Integrality and non-negativity of one plan number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        out.add("integrality", f"{what}: {value!r} is not a number")
        return 0
    if isinstance(value, float) and not value.is_integer():
        out.add("integrality", f"{what}: {value!r} is not an integer")
    if value < 0:
        out.add("integrality", f"{what}: {value!r} is negative")
    return int(round(value))


def _read_decisions(model: Model, plan: dict[str, Any], out: _Collector) -> _Decisions:
    dec = _Decisions(x=defaultdict(int), y=defaultdict(int))
    dels, specs = set(model.region_of), set(model.specialties)
    for row in plan.get("allocations") or []:
        d, s, p = row.get("delegation"), row.get("specialty"), row.get("promotion")
        what = f"allocation {d}/{s}/{p}"
        if d not in dels or s not in specs:
            out.add("codes", f"{what}: unknown delegation or specialty")
        try:
            p = int(p)
        except (TypeError, ValueError):
            out.add("codes", f"{what}: promotion {p!r} is not a year")
            continue
        if (d, s, p) in dec.x:
            out.add("codes", f"{what}: listed twice")
        dec.x[(d, s, p)] += _count(row.get("posts"), what, out)
    for row in plan.get("foreign") or []:
        c, d, s = row.get("contingent"), row.get("delegation"), row.get("specialty")
        what = f"foreign {c}/{d}/{s}"
        if c not in model.contingents or d not in dels or s not in specs:
            out.add("codes", f"{what}: unknown contingent, delegation or specialty")
        if (c, d, s) in dec.y:
            out.add("codes", f"{what}: listed twice")
        dec.y[(c, d, s)] += _count(row.get("doctors"), what, out)
    dec.x = {k: v for k, v in dec.x.items() if v}
    dec.y = {k: v for k, v in dec.y.items() if v}
    return dec


# --------------------------------------------------------------------------- the rules


def _check_posts(model: Model, dec: _Decisions, out: _Collector) -> None:
    """Rule 1: every post of (s,p) given out (or at most that many if allocate_all false)."""
    given: dict[tuple[str, int], int] = defaultdict(int)
    for (_, s, p), v in dec.x.items():
        given[(s, p)] += v
    for key in sorted(set(given) | set(model.posts)):
        s, p = key
        have, avail = given.get(key, 0), model.posts.get(key, 0)
        if have > avail:
            out.add("posts", f"{s} promotion {p}: {have} posts allocated, only {avail} exist")
        elif have < avail and model.allocate_all:
            out.add("posts", f"{s} promotion {p}: {have} posts allocated of {avail} "
                             "(allocate_all requires all)")


def _check_capacity(model: Model, dec: _Decisions, out: _Collector) -> None:
    """Rule 5: national + foreign newcomers within max_new."""
    national, foreign = dec.national(), dec.foreign()
    for key in sorted(set(national) | set(foreign)):
        if key in model.cap:
            new = national.get(key, 0) + foreign.get(key, 0)
            if new > model.cap[key]:
                out.add("capacity", f"{key[0]}/{key[1]}: {new} new doctors, "
                                    f"capacity {model.cap[key]}")


def _check_contingents(model: Model, dec: _Decisions, out: _Collector) -> None:
    """Rules 6-9 and eligibility: size, team, sites, budget."""
    sent: dict[tuple[str, str], int] = defaultdict(int)  # (c, s)
    at: dict[tuple[str, str], int] = defaultdict(int)  # (c, d)
    for (c, d, s), v in dec.y.items():
        sent[(c, s)] += v
        at[(c, d)] += v
        if c in model.elig and d not in model.elig[c]:
            out.add("eligibility", f"contingent {c} sends {v} {s} to {d}, not eligible")
    for (c, s), v in sorted(sent.items()):
        if v > model.size.get((c, s), 0):
            out.add("size", f"contingent {c} sends {v} {s}, offers {model.size.get((c, s), 0)}")
    for (c, d), v in sorted(at.items()):
        if v < model.team.get(c, 1):
            out.add("team", f"contingent {c} has {v} doctor(s) at {d}, "
                             f"min_team {model.team.get(c, 1)}")
    for c in model.contingents:
        used = sorted(d for (cc, d) in at if cc == c)
        limit = model.sites.get(c)
        if limit is not None and len(used) > limit:
            out.add("sites", f"contingent {c} deployed at {len(used)} delegations {used}, "
                             f"max_sites {limit}")
    if model.budget is not None:
        spent = sum(model.cost.get(c, 0.0) * v for (c, _, _), v in dec.y.items())
        if spent > model.budget + TOL * max(1.0, model.budget):
            out.add("budget", f"foreign doctors cost {spent}, budget {model.budget}")


def _check_scenario(model: Model, dec: _Decisions, out: _Collector) -> None:
    """Rule 10: every scenario bound, 1e-6 tolerance."""
    for sel in model.constraints:
        value = sum(v for (d, s, p), v in dec.x.items() if sel.takes_post(d, s, p))
        value += sum(v for (_, d, s), v in dec.y.items() if sel.takes_foreign(d, s))
        if sel.lo is not None and value < sel.lo - TOL:
            out.add("scenario", f"constraint {sel.name}: sum {value} < min {sel.lo}")
        if sel.hi is not None and value > sel.hi + TOL:
            out.add("scenario", f"constraint {sel.name}: sum {value} > max {sel.hi}")


def _expected_rows(model: Model, dec: _Decisions) -> dict[Pair, dict[str, float]]:
    """What each plan["delegations"] row must say, per docs/plan-folder.md."""
    national, foreign = dec.national(), dec.foreign()
    rows = {}
    for d, s in model.pairs():
        before = model.base(d, s)
        x, y = national.get((d, s), 0), foreign.get((d, s), 0)
        after = before + x + y
        t, m = model.target(d, s), model.threshold(d, s)
        cre, comp, reinf = category_split(x, before, model.dep.get((d, s), 0), m)
        rows[(d, s)] = {
            "target": t, "presence_threshold": m, "staff_before": before, "staff_after": after,
            "current": model.cur.get((d, s), 0), "departures": model.dep.get((d, s), 0),
            "posts": x, "foreign": y,
            "shortfall": max(0.0, t - after), "absence_shortfall": max(0.0, m - after),
            "shortfall_before": max(0.0, t - before),
            "absence_shortfall_before": max(0.0, m - before),
            "creation": cre, "compensation": comp, "reinforcement": reinf,
            "population": model.pop[d], "priority_weight": model.weight[d],
            "specialty_weight": model.imp[s],
        }
    return rows


REQUIRED_ROW_KEYS = ("target", "staff_before", "staff_after", "shortfall", "absence_shortfall")


def _check_rows(model: Model, dec: _Decisions, plan: dict[str, Any], out: _Collector) -> None:
    """plan["delegations"]: one row per (d,s), numbers consistent with the allocation."""
    expected = _expected_rows(model, dec)
    seen: set[Pair] = set()
    for row in plan.get("delegations") or []:
        key = (row.get("delegation"), row.get("specialty"))
        if key not in expected:
            out.add("delegations", f"row {key}: not a (delegation, specialty) of the dataset")
            continue
        if key in seen:
            out.add("delegations", f"row {key}: listed twice")
        seen.add(key)
        if "region" in row and row["region"] != model.region_of[key[0]]:
            out.add("delegations", f"row {key}: region {row['region']!r}, "
                                   f"expected {model.region_of[key[0]]!r}")
        for col, want in expected[key].items():
            if col not in row:
                if col in REQUIRED_ROW_KEYS:
                    out.add("delegations", f"row {key}: missing {col}")
                continue
            got = row[col]
            if not isinstance(got, int | float) or not close(float(got), float(want)):
                out.add("delegations", f"row {key}: {col} = {got!r}, expected {want!r}")
    for key in sorted(set(expected) - seen):
        out.add("delegations", f"row {key}: missing from plan['delegations']")


def _check_categories(
    model: Model, dec: _Decisions, plan: dict[str, Any], out: _Collector
) -> None:
    """posts_by_category: sums to the national posts and follows "Reading a plan"."""
    got = plan.get("posts_by_category")
    if not isinstance(got, dict):
        out.add("categories", f"posts_by_category missing or not an object: {got!r}")
        return
    want = dict.fromkeys(CATEGORIES, 0)
    for (d, s), x in dec.national().items():
        split = category_split(x, model.base(d, s), model.dep.get((d, s), 0),
                               model.threshold(d, s))
        for name, v in zip(CATEGORIES, split, strict=True):
            want[name] += v
    total = sum(dec.x.values())
    values = [got.get(name) for name in CATEGORIES]
    if not all(isinstance(v, int | float) for v in values):
        out.add("categories", f"posts_by_category has missing/non-numeric values: {got!r}")
        return
    if sum(values) != total:
        out.add("categories", f"posts_by_category sums to {sum(values)}, "
                              f"{total} national posts allocated")
    if {n: got.get(n) for n in CATEGORIES} != want:
        out.add("categories", f"posts_by_category {got!r}, expected {want!r}")


def _check_extras(model: Model, dec: _Decisions, plan: dict[str, Any], out: _Collector) -> None:
    """Extra keys of docs/plan-folder.md, checked only when present."""
    national, foreign = dec.national(), dec.foreign()
    unmet = plan.get("unmet_need")
    if isinstance(unmet, dict):
        before = sum(model.unmet(d, s, model.base(d, s)) for d, s in model.pairs())
        after = sum(
            model.unmet(d, s, model.base(d, s) + national.get((d, s), 0)
                        + foreign.get((d, s), 0))
            for d, s in model.pairs()
        )
        for name, want in (("before", before), ("after", after)):
            got = unmet.get(name)
            if not isinstance(got, int | float) or not close(got, want):
                out.add("extras", f"unmet_need.{name} = {got!r}, expected {want!r}")
    if "budget_used" in plan:
        want = sum(model.cost.get(c, 0.0) * v for (c, _, _), v in dec.y.items())
        got = plan["budget_used"]
        if not isinstance(got, int | float) or not close(got, want):
            out.add("extras", f"budget_used = {got!r}, expected {want!r}")
    totals = plan.get("totals")
    if isinstance(totals, dict):
        want_totals = {
            "posts_available": sum(model.posts.values()),
            "posts_allocated": sum(dec.x.values()),
            "foreign_available": sum(model.size.values()),
            "foreign_deployed": sum(dec.y.values()),
        }
        for name, want in want_totals.items():
            if name in totals and totals[name] != want:
                out.add("extras", f"totals.{name} = {totals[name]!r}, expected {want}")
    _check_reported_constraints(model, dec, plan, out)


def _check_reported_constraints(
    model: Model, dec: _Decisions, plan: dict[str, Any], out: _Collector
) -> None:
    """plan["scenario_constraints"][i].value must be the achieved sum."""
    reported = plan.get("scenario_constraints")
    if not isinstance(reported, list) or len(reported) != len(model.constraints):
        if reported is not None:
            out.add("extras", f"scenario_constraints lists {len(reported)} entries, "
                              f"scenario has {len(model.constraints)}")
        return
    for sel, rep in zip(model.constraints, reported, strict=True):
        value = sum(v for (d, s, p), v in dec.x.items() if sel.takes_post(d, s, p))
        value += sum(v for (_, d, s), v in dec.y.items() if sel.takes_foreign(d, s))
        got = rep.get("value") if isinstance(rep, dict) else None
        if not isinstance(got, int | float) or not close(got, value):
            out.add("extras", f"scenario_constraints {sel.name}: value {got!r}, "
                              f"achieved {value}")


def check_plan(data_dir: Path, scenario_file: Path | None, plan: dict[str, Any]) -> CheckReport:
    """Re-check every MODEL.md constraint and the objective from the plan's numbers alone."""
    model = load_model(data_dir, scenario_file)
    return check_plan_against(model, plan)


def check_plan_against(model: Model, plan: dict[str, Any]) -> CheckReport:
    """check_plan on an already loaded model (lets tests and brute force share one load)."""
    out = _Collector()
    if plan.get("status", "optimal") not in ("optimal", "feasible"):
        out.add("status", f"status {plan.get('status')!r} is not optimal/feasible")
    dec = _read_decisions(model, plan, out)
    _check_posts(model, dec, out)
    _check_capacity(model, dec, out)
    _check_contingents(model, dec, out)
    _check_scenario(model, dec, out)
    value = objective(model, dec.national(), dec.foreign())
    got = plan.get("objective")
    if not isinstance(got, int | float) or not close(float(got), value):
        out.add("objective", f"plan objective {got!r}, recomputed {value!r}")
    _check_rows(model, dec, plan, out)
    _check_categories(model, dec, plan, out)
    _check_extras(model, dec, plan, out)
    return CheckReport(out.items, value)
