"""`uptake.csv` of `data/morocco-2024/`: an ESTIMATE of the chance that a post is taken up.

No one publishes acceptance per delegation. Two national figures exist (UPTAKE.md): in
August 2025 only 104 of the 400 doctors, interns included, appointed to remote posts took
them up (26%); of the ~700 specialists of the 2024 promotion appointed in spring 2025, 95%
joined. They concern different doctors, so one logit in the delegation's remoteness serves
both, with one intercept per group and a shared remoteness slope:

    p_general(d)    = 1 / (1 + exp(-(a_general    + b * x[d])))
    p_specialist(d) = 1 / (1 + exp(-(a_specialist + b * x[d])))

`x[d]` is `deprivation_index` of `delegations.csv` (0 = least deprived and closest to a
university hospital, 1 = most; see `priority.py`). Three conditions fix the three
coefficients, one after the other, each a monotone one-dimensional root:

1. anchor: a general doctor's post in the least remote delegation (x = 0) is taken up as
   often as the specialists' national rate, 95% (refusals there are about emigration or
   the private sector, not the place): `a_general = logit(0.95)`;
2. the post-weighted mean of `p_general` over the remote class (priority class 4, the
   quarter of delegations with the highest index) is 104 / 400 = 0.26: gives `b`;
3. the post-weighted national mean of `p_specialist` is 0.95: gives `a_specialist`.

Weights are the posts of the default plan without foreign doctors, which the exact greedy
of `optimiser.fastpath` computes from the built tables without a solver, so the builder
reproduces the estimate byte for byte. Only the specialist curve is written as `p_accept`
(the dataset plans specialists); `p_general_est` is kept beside it to show the calibration.
Arithmetic is plain Python (`math.fsum`, bisection) so every machine gets the same bytes.
`uptake_docs` renders the SOURCES.md section (figures, sensitivity, literature) from it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from optimiser.datasets.csvio import fixed, write_csv

GENERAL_REMOTE_TAKEN, GENERAL_REMOTE_APPOINTED = 104, 400
"""August 2025: doctors (interns included) who took up remote posts, of those appointed."""
GENERAL_REMOTE = GENERAL_REMOTE_TAKEN / GENERAL_REMOTE_APPOINTED
SPECIALIST_NATIONAL = 0.95
"""Spring 2025: share of the ~700 specialists of the 2024 promotion who joined."""
GENERAL_LEAST_REMOTE = 0.95
"""Assumption (condition 1): a general doctor's post at x = 0 is taken up at this rate."""
CLASSES = 4
"""Priority classes: quarters of the delegations ranked by deprivation index; the last is
"remote"."""
REMOTE_CLASS = CLASSES
DECIMALS = 4
"""Coefficients and probabilities are rounded to this many decimals before writing."""

LE360_URL = ("https://fr.le360.ma/politique/le-ministere-de-la-sante-menace-les-medecins-"
             "opposes-a-leur-affectation-de-sanctions_HMRSL4CDQ5EA3GC6BRATZ47WVA/")
"""le360, 14/08/2025, reporting Assabah of 15/08/2025 and the ministry's figures: 104 of 400."""


@dataclass(frozen=True)
class DelegationUptake:
    """One delegation: its remoteness, class, calibration weight and the two curves."""

    code: str
    index: float
    priority_class: int
    posts: int
    p_specialist: float
    p_general: float


@dataclass(frozen=True)
class UptakeEstimate:
    """The calibrated coefficients and the per-delegation estimate they give."""

    a_general: float
    a_specialist: float
    slope: float
    delegations: tuple[DelegationUptake, ...]

    def mean(self, general: bool = False, priority_class: int | None = None,
             weighted: bool = True) -> float:
        """Mean p (post-weighted unless `weighted` is False), nationally or in one class."""
        rows = [r for r in self.delegations
                if priority_class is None or r.priority_class == priority_class]
        values = [r.p_general if general else r.p_specialist for r in rows]
        weights = [float(r.posts) if weighted else 1.0 for r in rows]
        return math.fsum(v * w for v, w in zip(values, weights, strict=True)) / math.fsum(
            weights)

    def formula(self, general: bool = False) -> str:
        """The curve as written in `source` and SOURCES.md."""
        a = self.a_general if general else self.a_specialist
        return (f"p = 1 / (1 + exp(-({a:.{DECIMALS}f} - {-self.slope:.{DECIMALS}f} "
                "x deprivation_index)))")


def logistic(z: float) -> float:
    """1 / (1 + exp(-z)), without overflow for large |z|."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def logit(p: float) -> float:
    """The inverse of `logistic`."""
    return math.log(p / (1.0 - p))


def priority_classes(index: Mapping[str, float], classes: int = CLASSES) -> dict[str, int]:
    """1..classes by rank of (index, code): equal-sized quarters, ties broken by code."""
    ranked = sorted(index, key=lambda code: (index[code], code))
    return {code: 1 + classes * rank // len(ranked) for rank, code in enumerate(ranked)}


def weighted_mean(p: Callable[[float], float], index: Mapping[str, float],
                  weights: Mapping[str, float]) -> float:
    """sum_d w[d] p(x[d]) / sum_d w[d] over the delegations of `weights`."""
    codes = sorted(weights)
    total = math.fsum(weights[c] for c in codes)
    if total <= 0:
        raise ValueError("calibration weights sum to 0: the plan sends no posts there")
    return math.fsum(weights[c] * p(index[c]) for c in codes) / total


def solve_increasing(f: Callable[[float], float], low: float, high: float) -> float:
    """The root of an increasing function on [low, high], by bisection to float precision."""
    if not f(low) < 0 < f(high):
        raise ValueError(f"no root in [{low}, {high}]: the targets cannot be met")
    for _ in range(200):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        if f(middle) > 0:
            high = middle
        else:
            low = middle
    return (low + high) / 2


def calibrate(index: Mapping[str, float], posts: Mapping[str, int],
              classes: Mapping[str, int], anchor: float = GENERAL_LEAST_REMOTE,
              ) -> tuple[float, float, float]:
    """(a_general, slope, a_specialist), rounded, meeting the three conditions of the module
    docstring (`anchor` is condition 1's rate); each later condition uses the rounded earlier
    coefficients."""
    a_general = round(logit(anchor), DECIMALS)
    remote = {c: float(n) for c, n in posts.items() if classes[c] == REMOTE_CLASS}
    national = {c: float(n) for c, n in posts.items()}
    slope = round(solve_increasing(
        lambda b: weighted_mean(lambda x: logistic(a_general + b * x), index, remote)
        - GENERAL_REMOTE, -100.0, 0.0), DECIMALS)
    a_specialist = round(solve_increasing(
        lambda a: weighted_mean(lambda x: logistic(a + slope * x), index, national)
        - SPECIALIST_NATIONAL, -100.0, 100.0), DECIMALS)
    return a_general, slope, a_specialist


def estimate(index: Mapping[str, float], posts: Mapping[str, int],
             anchor: float = GENERAL_LEAST_REMOTE) -> UptakeEstimate:
    """Calibrate on `posts` (per delegation code) and evaluate both curves everywhere."""
    classes = priority_classes(index)
    weights = {c: posts.get(c, 0) for c in index}
    a_general, slope, a_specialist = calibrate(index, weights, classes, anchor)
    rows = tuple(
        DelegationUptake(code=c, index=index[c], priority_class=classes[c], posts=weights[c],
                         p_specialist=round(logistic(a_specialist + slope * index[c]),
                                            DECIMALS),
                         p_general=round(logistic(a_general + slope * index[c]), DECIMALS))
        for c in sorted(index))
    return UptakeEstimate(a_general=a_general, a_specialist=a_specialist, slope=slope,
                          delegations=rows)


def plan_posts(folder: Path) -> dict[str, int]:
    """National posts per delegation in the default plan without foreign doctors.

    The exact greedy of `optimiser.fastpath` on the dataset in `folder` (MODEL.md defaults,
    contingents removed): no solver, so the same tables always give the same posts.
    """
    from optimiser.fastpath import solve_separable
    from optimiser.pipeline import load_inputs

    inputs = load_inputs(folder, None)
    national = replace(inputs, supply=inputs.supply.iloc[:0],
                       contingents=inputs.contingents.iloc[:0])
    solved = solve_separable(national)
    if solved is None:
        raise ValueError(f"{folder}: the posts cannot all be hosted; no plan to weigh by")
    x_table, values, _ = solved
    totals = x_table.assign(posts=values).groupby("delegation")["posts"].sum()
    return {str(code): int(n) for code, n in totals.items()}


def estimate_dataset(folder: Path) -> UptakeEstimate:
    """The estimate for the dataset written in `folder` (needs `deprivation_index`)."""
    from optimiser.data import load_dataset

    delegations = load_dataset(folder).delegations
    if "deprivation_index" not in delegations.columns:
        raise ValueError(f"{folder / 'delegations.csv'}: no deprivation_index column")
    index = {str(c): float(v) for c, v in delegations["deprivation_index"].items()}
    return estimate(index, plan_posts(folder))


def row_source(est: UptakeEstimate) -> str:
    """The `source` of every row: it is an estimate, with its method."""
    return (f"estimate, not an official figure: logit {est.formula()}, specialists; "
            f"calibrated so that the national mean, weighted by the posts of the default plan "
            f"without foreign doctors, is {SPECIALIST_NATIONAL:.2f} (about 95% of the 2024 "
            "specialist promotion joined, spring 2025, UPTAKE.md), with the remoteness slope "
            f"of general doctors, {GENERAL_REMOTE_TAKEN} of {GENERAL_REMOTE_APPOINTED} of "
            "whom took up remote posts in August 2025 (Assabah via le360); "
            "SOURCES.md, Acceptance estimate")


def write_uptake(est: UptakeEstimate, folder: Path) -> None:
    """Write `uptake.csv`: one `*` row per delegation (no specialty-specific rows)."""
    source = row_source(est)
    rows = [{"delegation_code": r.code, "specialty_code": "*", "p_accept": r.p_specialist,
             "priority_class": r.priority_class, "deprivation_index": r.index,
             "calibration_posts": r.posts, "p_general_est": r.p_general, "source": source}
            for r in est.delegations]
    four = fixed(DECIMALS)
    write_csv(folder / "uptake.csv",
              ["delegation_code", "specialty_code", "p_accept", "priority_class",
               "deprivation_index", "calibration_posts", "p_general_est", "source"],
              rows, key=["delegation_code", "specialty_code"],
              formats={"p_accept": four, "deprivation_index": four, "p_general_est": four})
