"""Expected cost of a pair that foreign doctors reach while its national posts may stay empty.

Under `uptake: expected` (UPTAKE.md) a pair with x national posts, each taken up with
probability p < 1, and Y foreign doctors (who always come) costs

    h(x, Y) = w*imp * E[U(b + Y + Binomial(x, p))] + eps_over * max(0, b + x + Y - T)

(optimiser/uptake.py). This is not a function of x + Y, so the hull's lines on "new doctors"
(model/hull.py) do not apply. The exact formulation is a disjunction on Y = j, j = 0..F
(F = the most foreign doctors the pair can host: their supply bounds and its capacity):

    sum_j w_j = 1,  sum_j j * w_j = sum_c y[c,d,s],  w_j binary,
    x = sum_j x_j,  0 <= x_j <= X_j * w_j,  X_j = min(posts, cap - j),
    cost >= sum_j max over the lines (alpha, beta) of c_j of (alpha * w_j + beta * x_j),

where c_j(x) = h(x, j) on x = 0..X_j, written as the maximum of its lines through the integers.

Exact: at an integer point with Y = j*, w_{j*} = 1 and every other w_j = 0, which forces
x_j = 0 and leaves those disjuncts a cost of 0 (each line vanishes at w = x = 0); the chosen
disjunct costs the maximum of c_{j*}'s lines at x, which is c_{j*}(x) because c_{j*} is convex
in x (uptake.py: marginals p * E[dU] are non-decreasing) and its lines interpolate it at the
integers. Capacity x + Y <= cap holds through X_j. So the model's cost at every feasible
integer plan is h(x, Y), and its LP relaxation is the perspective (Balas) hull of the disjuncts.

Why a disjunction on foreign doctors rather than on national posts: on the national dataset
both have the same size (288 pairs; 1,666 binaries and 4,868 lines on Y against 1,746 and
4,788 on x), but on Y the x_j are ordinary post columns summed by the posts rows (no linking
row x = sum k z_k), and "no foreign doctor" is w_0, tied to the contingent's deployment b
where one contingent reaches the pair (sum_{j >= 1} w_j <= b, which also links y to b as the
capacity row of model/hull.py does).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pulp

from optimiser.inputs import ModelInputs
from optimiser.model.core import AllocationModel
from optimiser.model.lines import max_of_lines
from optimiser.model.lp import linear
from optimiser.uptake import reached_lines

if TYPE_CHECKING:
    from optimiser.model.hull import _Columns


def uncertain_pair(m: AllocationModel, cols: _Columns, inputs: ModelInputs, pos: int,
                   bound: int, foreign: float, y: list[pulp.LpVariable],
                   b: pulp.LpVariable | None) -> list[tuple]:
    """Columns, rows and objective terms of one pair (see the module docstring); `bound` is
    its most national posts, `foreign` the sum of its y bounds, `b` the deployment of its
    only contingent (None when several reach it)."""
    label = cols.label(pos)
    cap = cols.cap[pos]
    most_foreign = int(foreign if np.isnan(cap) else min(foreign, cap))
    disjuncts = reached_lines(inputs, pos, bound, most_foreign)
    w = [m.variable(f"w_{pos}_{j}", 1.0, pulp.LpBinary) for j in range(most_foreign + 1)]
    m.add("uptake_one", f"uptake_one[{label}]", linear([(v, 1.0) for v in w]), "==", 1)
    m.add("uptake_foreign", f"uptake_foreign[{label}]",
          linear([(v, 1.0) for v in y] + [(v, -float(j)) for j, v in enumerate(w) if j]),
          "==", 0)
    if b is not None:
        m.add("uptake_deploy", f"uptake_deploy[{label}]",
              linear([(v, 1.0) for v in w[1:]] + [(b, -1.0)]), "<=", 0)
    terms: list[tuple] = []
    for j, (most, lines) in enumerate(disjuncts):
        posts = []
        if most > 0:
            x = cols.x(m, pos, most, 0.0)
            m.add("uptake_posts", f"uptake_posts[{label},{j}]",
                  linear([(x, 1.0), (w[j], -float(most))]), "<=", 0)
            posts = [x]
        terms += max_of_lines(m, f"cost_uptake[{label},{j}]", lines, [(w[j], 1.0)], 0.0, posts)
    return terms
