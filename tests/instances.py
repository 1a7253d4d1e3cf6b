"""Small random datasets + scenarios, written per DATA.md / SCENARIO.md.

One generator body drives both a hypothesis strategy (shrinkable, for property tests) and a
plain seeded generator (reproducible, for debugging a failure outside hypothesis): both go
through the tiny `Chooser` interface below.
"""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import yaml
from hypothesis import strategies as st

T = TypeVar("T")

FILES = (
    "regions.csv", "delegations.csv", "specialties.csv", "workforce.csv", "capacity.csv",
    "posts.csv", "contingents.csv", "contingent_supply.csv",
)
REQUIRED = {"regions.csv", "delegations.csv", "specialties.csv", "posts.csv"}


@dataclass(frozen=True)
class Limits:
    """Size knobs; TINY keeps the brute force exhaustive enumeration cheap."""

    delegations: tuple[int, int] = (2, 8)
    regions: tuple[int, int] = (1, 3)
    specialties: tuple[int, int] = (1, 4)
    promotions: tuple[int, int] = (1, 2)
    contingents: tuple[int, int] = (0, 2)
    total_posts: int = 30
    posts_per_row: int = 8
    total_supply: int = 12
    supply_per_row: int = 4
    constraints: tuple[int, int] = (0, 3)
    current: int = 12
    population_k: tuple[int, int] = (20, 400)  # thousands of inhabitants


SMALL = Limits()
TINY = Limits(
    delegations=(1, 3), regions=(1, 2), specialties=(1, 2), contingents=(0, 1),
    total_posts=6, posts_per_row=4, total_supply=3, supply_per_row=2, current=4,
    population_k=(20, 200),
)


@dataclass
class Instance:
    """CSV rows per file name plus the scenario mapping (written as YAML)."""

    tables: dict[str, list[dict[str, Any]]]
    scenario: dict[str, Any]

    def with_parameters(self, **params: Any) -> Instance:
        """Copy with scenario parameters changed (e.g. solver=cbc)."""
        scenario = dict(self.scenario)
        scenario["parameters"] = {**(scenario.get("parameters") or {}), **params}
        return Instance(self.tables, scenario)

    def describe(self) -> str:
        """Readable dump for failure messages."""
        parts = []
        for name in FILES:
            rows = self.tables.get(name)
            if rows:
                parts.append(f"--- {name}\n" + _csv_text(rows))
        parts.append("--- scenario.yaml\n" + yaml.safe_dump(self.scenario, sort_keys=False))
        return "\n".join(parts)


# --------------------------------------------------------------------------- choosers


class Chooser(Protocol):
    """The random decisions the generator needs."""

    def integer(self, lo: int, hi: int) -> int: ...

    def flag(self, p: float) -> bool: ...


class RandomChooser:
    """Seeded, for reproducible plain generation."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def integer(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def flag(self, p: float) -> bool:
        return self.rng.random() < p


class DrawChooser:
    """Hypothesis-backed; shrinks towards small integers and False flags."""

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
        self.draw = draw

    def integer(self, lo: int, hi: int) -> int:
        return int(self.draw(st.integers(lo, hi)))

    def flag(self, p: float) -> bool:
        return int(self.draw(st.integers(0, 99))) >= 100 - round(p * 100)


def _pick(ch: Chooser, seq: Sequence[T]) -> T:
    return seq[ch.integer(0, len(seq) - 1)]


def _subset(ch: Chooser, seq: Sequence[T], p: float = 0.5) -> list[T]:
    """Non-empty random subset, in the order of `seq`."""
    out = [v for v in seq if ch.flag(p)]
    return out or [_pick(ch, seq)]


def _one_or_list(ch: Chooser, values: list[T]) -> T | list[T]:
    """SCENARIO.md allows a value or a list for every filter: exercise both."""
    return values[0] if len(values) == 1 and ch.flag(0.5) else values


# --------------------------------------------------------------------------- generator


@dataclass
class _Draft:
    """Working state: codes and the effective totals (after overrides) to respect limits."""

    lim: Limits
    regions: list[str] = field(default_factory=list)
    region_of: dict[str, str] = field(default_factory=dict)
    specialties: list[str] = field(default_factory=list)
    promotions: list[int] = field(default_factory=list)
    posts: dict[tuple[str, int], int] = field(default_factory=dict)
    supply: dict[tuple[str, str], int] = field(default_factory=dict)
    elig: dict[str, set[str]] = field(default_factory=dict)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def room(self, counts: dict[Any, int], key: Any, total: int) -> int:
        """Largest value `key` may take keeping sum(counts) <= total."""
        return max(0, total - (sum(counts.values()) - counts.get(key, 0)))


def _geography(ch: Chooser, dr: _Draft) -> None:
    lim = dr.lim
    nd = ch.integer(*lim.delegations)
    nr = ch.integer(lim.regions[0], min(lim.regions[1], nd))
    dr.regions = [f"R{i}" for i in range(nr)]
    dr.tables["regions.csv"] = [
        {"region_code": r, "name_fr": f"Région {r}", "name_ar": "جهة"} for r in dr.regions
    ]
    rows = []
    for i in range(nd):
        d = f"D{i}"
        dr.region_of[d] = dr.regions[i] if i < nr else _pick(ch, dr.regions)
        rows.append({
            "delegation_code": d, "name_fr": f"Délégation {d}", "name_ar": "إقليم",
            "region_code": dr.region_of[d],
            "population": ch.integer(*lim.population_k) * 1000,
            "priority_weight": "" if ch.flag(0.4) else ch.integer(0, 30) / 10,
            "source": "synthetic",
        })
    dr.tables["delegations.csv"] = rows


def _specialties(ch: Chooser, dr: _Draft) -> None:
    ns = ch.integer(*dr.lim.specialties)
    dr.specialties = [f"S{i}" for i in range(ns)]
    dr.tables["specialties.csv"] = [
        {
            "specialty_code": s, "name_fr": f"Spécialité {s}", "name_en": f"Specialty {s}",
            "norm_per_100k": ch.integer(0, 60) / 10,
            "min_presence": "" if ch.flag(0.4) else ch.integer(1, 3),
            "weight": "" if ch.flag(0.4) else ch.integer(0, 30) / 10,
        }
        for s in dr.specialties
    ]


def _workforce_and_capacity(ch: Chooser, dr: _Draft) -> None:
    work, cap = [], []
    for d in dr.region_of:
        for s in dr.specialties:
            if ch.flag(0.6):
                cur = ch.integer(0, dr.lim.current)
                dep = "" if ch.flag(0.3) else ch.integer(0, cur)
                work.append({"delegation_code": d, "specialty_code": s,
                             "current": "" if cur == 0 and ch.flag(0.3) else cur,
                             "departures": dep})
            if ch.flag(0.25):
                cap.append({"delegation_code": d, "specialty_code": s,
                            "max_new": ch.integer(0, 3)})
    dr.tables["workforce.csv"] = work
    dr.tables["capacity.csv"] = cap


def _posts(ch: Chooser, dr: _Draft) -> None:
    dr.promotions = [2023, 2024][: ch.integer(*dr.lim.promotions)]
    rows = []
    for s in dr.specialties:
        for p in dr.promotions:
            if ch.flag(0.8) or (not rows and s == dr.specialties[-1] and p == dr.promotions[-1]):
                room = dr.room(dr.posts, (s, p), dr.lim.total_posts)
                dr.posts[(s, p)] = ch.integer(0, min(dr.lim.posts_per_row, room))
                rows.append({"promotion": p, "specialty_code": s, "posts": dr.posts[(s, p)]})
    dr.tables["posts.csv"] = rows
    dr.promotions = sorted({p for _, p in dr.posts})  # P = promotions present in posts.csv


def _contingents(ch: Chooser, dr: _Draft) -> None:
    rows, supply = [], []
    places = dr.regions + list(dr.region_of)
    for i in range(ch.integer(*dr.lim.contingents)):
        c = f"C{i}"
        eligible = [] if ch.flag(0.4) else _subset(ch, places, 0.3)
        dr.elig[c] = {d for d, r in dr.region_of.items() if d in eligible or r in eligible}
        if not eligible:
            dr.elig[c] = set(dr.region_of)
        rows.append({
            "contingent_code": c, "name": f"Mission {c}", "origin": _pick(ch, ["CN", "SN", "CU"]),
            "min_team": "" if ch.flag(0.3) else ch.integer(1, 3),
            "max_sites": "" if ch.flag(0.4) else ch.integer(1, 3),
            "cost_per_doctor": "" if ch.flag(0.3) else ch.integer(0, 5) * 50,
            "eligible": ";".join(eligible),
        })
        for s in dr.specialties:
            if ch.flag(0.6):
                room = dr.room(dr.supply, (c, s), dr.lim.total_supply)
                dr.supply[(c, s)] = ch.integer(0, min(dr.lim.supply_per_row, room))
                supply.append({"contingent_code": c, "specialty_code": s,
                               "size": dr.supply[(c, s)]})
    dr.tables["contingents.csv"] = rows
    dr.tables["contingent_supply.csv"] = supply


def _parameters(ch: Chooser) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if ch.flag(0.4):
        params["absence_penalty"] = ch.integer(0, 10)
    if ch.flag(0.3):
        params["allocate_all"] = not ch.flag(0.6)
    if ch.flag(0.15):
        params["budget"] = None
    elif ch.flag(0.4):
        params["budget"] = ch.integer(0, 12) * 50
    return params


def _overrides(ch: Chooser, dr: _Draft) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if ch.flag(0.25):
        mult = {}
        if ch.flag(0.5):
            mult["*"] = ch.integer(5, 20) / 10
        for s in dr.specialties:
            if ch.flag(0.3):
                mult[s] = ch.integer(5, 20) / 10
        if mult:
            out["norm_multiplier"] = mult
    if ch.flag(0.25):
        key = (_pick(ch, dr.specialties), _pick(ch, dr.promotions))
        value = ch.integer(0, min(dr.lim.posts_per_row,
                                  dr.room(dr.posts, key, dr.lim.total_posts)))
        dr.posts[key] = value
        out["posts"] = [{"promotion": key[1], "specialty": key[0], "posts": value}]
    if dr.elig and ch.flag(0.25):
        key = (_pick(ch, sorted(dr.elig)), _pick(ch, dr.specialties))
        value = ch.integer(0, min(dr.lim.supply_per_row,
                                  dr.room(dr.supply, key, dr.lim.total_supply)))
        dr.supply[key] = value
        out["contingent_size"] = [{"contingent": key[0], "specialty": key[1], "size": value}]
    if ch.flag(0.2):
        out["priority_weight"] = {_pick(ch, list(dr.region_of)): ch.integer(0, 30) / 10}
    if ch.flag(0.2):
        out["capacity"] = [{"delegation": _pick(ch, list(dr.region_of)),
                            "specialty": _pick(ch, dr.specialties),
                            "max_new": ch.integer(0, 3)}]
    return out


def _matches(dr: _Draft, cons: dict[str, Any]) -> bool:
    """Selection reaches at least one existing posts row / contingent supply row."""
    dels = set(dr.region_of)
    if "region" in cons:
        regs = set(_as_list(cons["region"]))
        dels = {d for d in dels if dr.region_of[d] in regs}
    if "delegation" in cons:
        dels &= set(_as_list(cons["delegation"]))
    specs = set(_as_list(cons.get("specialty", dr.specialties)))
    proms = set(_as_list(cons.get("promotion", dr.promotions)))
    counts = cons.get("counts", "posts")
    # Only rows with posts / supply > 0 count, so that "matches nothing" (SCENARIO.md) can
    # never be read as a bad-input error, whichever variables the solver creates.
    has_posts = bool(dels) and any(
        s in specs and p in proms and n > 0 for (s, p), n in dr.posts.items()
    )
    has_foreign = "promotion" not in cons and any(
        s in specs and n > 0 and dels & dr.elig[c] for (c, s), n in dr.supply.items()
    )
    return {"posts": has_posts, "foreign": has_foreign, "all": has_posts or has_foreign}[counts]


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _constraint(ch: Chooser, dr: _Draft, i: int) -> dict[str, Any] | None:
    cons: dict[str, Any] = {}
    if ch.flag(0.7):
        cons["name"] = f"c{i}"
    counts = _pick(ch, ["posts", "foreign", "all"]) if dr.elig else "posts"
    if counts != "posts" or ch.flag(0.3):
        cons["counts"] = counts
    dels = list(dr.region_of)
    if ch.flag(0.4):
        regs = _subset(ch, dr.regions)
        cons["region"] = _one_or_list(ch, regs)
        dels = [d for d in dels if dr.region_of[d] in regs]
    if ch.flag(0.4):
        cons["delegation"] = _one_or_list(ch, _subset(ch, dels))
    if ch.flag(0.5):
        cons["specialty"] = _one_or_list(ch, _subset(ch, dr.specialties))
    if counts != "foreign" and ch.flag(0.3):
        cons["promotion"] = _one_or_list(ch, _subset(ch, dr.promotions))
    if not _matches(dr, cons):
        cons.pop("specialty", None)
        cons.pop("promotion", None)
        if not _matches(dr, cons):
            return None  # nothing to bound (e.g. no posts at all): leave it out
    # max first: shrinking leads to the loosest bound; min/fix make infeasible cases.
    kind = _pick(ch, ["max", "max", "min", "both", "fix"])
    lo = ch.integer(0, 2)
    if kind == "both":
        cons.update({"min": lo, "max": lo + ch.integer(0, 3)})
    else:
        cons[kind] = ch.integer(0, 6) if kind == "max" else lo
    return cons


def build_instance(ch: Chooser, lim: Limits = SMALL) -> Instance:
    """The whole generator, independent of where the randomness comes from."""
    dr = _Draft(lim)
    _geography(ch, dr)
    _specialties(ch, dr)
    _workforce_and_capacity(ch, dr)
    _posts(ch, dr)
    _contingents(ch, dr)
    scenario: dict[str, Any] = {"name": "gen", "description": "generated instance"}
    params = _parameters(ch)
    if params:
        scenario["parameters"] = params
    overrides = _overrides(ch, dr)
    if overrides:
        scenario["overrides"] = overrides
    drafts = [_constraint(ch, dr, i) for i in range(ch.integer(*lim.constraints))]
    constraints = [c for c in drafts if c is not None]
    if constraints:
        scenario["constraints"] = constraints
    return Instance(dr.tables, scenario)


def random_instance(seed: int, lim: Limits = SMALL) -> Instance:
    """Plain seeded generator (no hypothesis): same seed, same instance."""
    return build_instance(RandomChooser(seed), lim)


@st.composite
def _instances(draw: Callable[[st.SearchStrategy[Any]], Any], lim: Limits) -> Instance:
    return build_instance(DrawChooser(draw), lim)


def instances(lim: Limits = SMALL) -> st.SearchStrategy[Instance]:
    """Hypothesis strategy of instances within `lim`."""
    return _instances(lim)


# --------------------------------------------------------------------------- writing


def _csv_text(rows: list[dict[str, Any]]) -> str:
    import io

    buf = io.StringIO()
    _write_rows(buf, rows)
    return buf.getvalue()


def _write_rows(fh: Any, rows: list[dict[str, Any]]) -> None:
    header: list[str] = []
    for row in rows:
        header += [k for k in row if k not in header]
    writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def write_instance(instance: Instance, folder: Path) -> tuple[Path, Path]:
    """Write the dataset CSVs and scenario.yaml; returns (data_dir, scenario_path)."""
    data_dir = Path(folder) / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    has_contingents = bool(instance.tables.get("contingents.csv"))
    for name in FILES:
        rows = instance.tables.get(name) or []
        if not rows and name not in REQUIRED:
            if name == "contingent_supply.csv" and has_contingents:
                (data_dir / name).write_text("contingent_code,specialty_code,size\n",
                                             encoding="utf-8")
            continue
        with (data_dir / name).open("w", newline="", encoding="utf-8") as fh:
            _write_rows(fh, rows)
    scenario_path = Path(folder) / "scenario.yaml"
    scenario_path.write_text(
        yaml.safe_dump(instance.scenario, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return data_dir, scenario_path


# --------------------------------------------------------------------------- running the CLI


@dataclass
class CliResult:
    """Outcome of one `python -m optimiser solve` run."""

    code: int
    plan: dict[str, Any] | None
    stdout: str
    stderr: str
    out_dir: Path

    def wrote_anything(self) -> bool:
        """SCENARIO.md: an infeasible solve writes nothing (the folder is written atomically)."""
        return self.out_dir.exists() and any(self.out_dir.iterdir())

    def explain(self) -> str:
        return (f"exit {self.code}\n--- stdout\n{self.stdout[-3000:]}"
                f"\n--- stderr\n{self.stderr[-3000:]}")


def cli_command(data_dir: Path, scenario: Path, out_dir: Path) -> list[str]:
    """The stable CLI invocation of SCENARIO.md."""
    return [sys.executable, "-m", "optimiser", "solve", "--no-report", "--data", str(data_dir),
            "--scenario", str(scenario), "--out", str(out_dir)]


def run_cli_many(jobs: list[tuple[Path, Path, Path]], timeout: float = 120) -> list[CliResult]:
    """Run several solves concurrently (one per core is what the budget assumes)."""
    procs = [
        (subprocess.Popen(cli_command(*job), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, cwd=_REPO), job[2])
        for job in jobs
    ]
    results = []
    for proc, out_dir in procs:
        stdout, stderr = proc.communicate(timeout=timeout)
        plan_file = out_dir / "plan.json"
        plan = json.loads(plan_file.read_text(encoding="utf-8")) if plan_file.exists() else None
        results.append(CliResult(proc.returncode, plan, stdout, stderr, out_dir))
    return results


def run_cli(data_dir: Path, scenario: Path, out_dir: Path, timeout: float = 120) -> CliResult:
    """One solve."""
    return run_cli_many([(data_dir, scenario, out_dir)], timeout)[0]


_REPO = Path(__file__).resolve().parents[1]
