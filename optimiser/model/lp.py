"""The few PuLP calls the model needs, written once for PuLP 3.3 (Python 3.11) and PuLP 4.

PuLP 4 moved expressions to a Rust core: expressions are built with factory methods and
`addConstraint` returns the stored row. Everything else in the package goes through here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import pulp

PULP4 = hasattr(pulp.LpAffineExpression, "from_list")

Sense = Literal["<=", ">=", "=="]


def linear(terms: Iterable[tuple[pulp.LpVariable, float]], constant: float = 0.0) -> object:
    """Sum coef * var + constant, built in one pass."""
    terms = list(terms)
    if PULP4:
        return pulp.LpAffineExpression.from_list(terms, constant=float(constant))
    return pulp.LpAffineExpression(terms, constant=float(constant))


def add_row(prob: pulp.LpProblem, expr: object, sense: Sense, rhs: float, name: str) -> object:
    """Add `expr sense rhs` to the problem and return the handle of the stored row."""
    rhs = float(rhs)
    if sense == "<=":
        row = expr <= rhs
    elif sense == ">=":
        row = expr >= rhs
    else:
        row = expr == rhs
    stored = prob.addConstraint(row, name)
    return stored if stored is not None else row
