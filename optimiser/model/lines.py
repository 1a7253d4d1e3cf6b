"""The cost of a disjunct as the maximum of lines, shared by model/hull.py and hull_uptake.py."""

from __future__ import annotations

from optimiser.model.core import AllocationModel
from optimiser.model.lp import linear


def max_of_lines(m: AllocationModel, label: str, lines: list[tuple[float, float, float]],
                 share: list[tuple], constant_share: float, doctors: list) -> list[tuple]:
    """Objective terms of max over lines of alpha * s + beta * doctors, s = sum of `share`
    (variable, coefficient) terms + `constant_share` (the perspective of a disjunct).

    The first line goes straight into the objective and one column >= 0 carries the excess
    of the others over it: one row per further line, none when there is only one (a third of
    the national plan's cases), instead of a cost column with a row per line.
    """
    def line_terms(alpha: float, beta: float) -> list[tuple]:
        return ([(v, alpha * c) for v, c in share] + [(v, beta) for v in doctors]
                + [(None, alpha * constant_share)])

    alpha0, beta0, _ = lines[0]
    terms = line_terms(alpha0, beta0)
    if len(lines) == 1:
        return terms
    excess = m.variable(f"k_{label}")
    for i, (alpha, beta, _) in enumerate(lines[1:], start=1):
        row = [(excess, 1.0)] + [(v, -c) for v, c in line_terms(alpha - alpha0, beta - beta0)
                                 if v is not None]
        m.add("cost", f"{label[:-1]},{i}]", linear(row), ">=", (alpha - alpha0) * constant_share)
    return [*terms, (excess, 1.0)]
