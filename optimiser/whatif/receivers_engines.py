"""The two models the receiver re-solves run on (optimiser/whatif/receivers.py).

`Envelope` is the plan's own hull formulation built once for one more post of every
specialty; `LiteralEngine` the literal model, for scenarios that select promotions. Both take a
variant (one more post of a specialty) with `load` and are solved through optimiser.whatif.highs.
"""

from __future__ import annotations

import dataclasses

import highspy
import numpy as np

from optimiser.inputs import ModelInputs
from optimiser.model import AllocationModel, build_model
from optimiser.pipeline import plan_build_options
from optimiser.whatif.highs import INF, HighsModel, HighsOutcome, run_highs, to_highs
from optimiser.whatif.reuse import IncompatibleVariant, ReusableModel, built_model
from optimiser.whatif.reuse_hull import NO_HEURISTICS


class Envelope:
    """The hull model (the plan's formulation) built once for one more post of every
    specialty, with a binary `z[s]` per specialty: posts[s] = total[s] + z[s], sum z = 1.

    Exact for every variant: the hull's segment columns and disjunction bounds are valid for
    any number of posts up to the one it was built for (model/hull.py), and the posts rows
    then say how many there are. Fixing `z` solves one variant (`load`); leaving the `z` of
    several specialties free, each priced at its greedy gain, checks them all in one solve
    (`joint`).
    """

    def __init__(self, inputs: ModelInputs) -> None:
        totals = inputs.posts.groupby(level="specialty", sort=True).sum()
        posts = inputs.posts.copy()
        for s in totals.index:
            posts.loc[(s, posts.loc[s].index.min())] += 1
        envelope = dataclasses.replace(inputs, posts=posts)
        self.model: AllocationModel = build_model(envelope, plan_build_options(envelope))
        self.hm: HighsModel = to_highs(self.model)
        # solved at the root on the national plan: symmetry detection costs ~15% and finds none
        self.options = {**self.model.highs_options, **NO_HEURISTICS,
                        "mip_detect_symmetry": False}
        h = self.hm.highs
        self.specialties = [s for s in totals.index if ("posts", f"posts[{s}]") in self.hm.rows]
        k = len(self.specialties)
        self.z = np.arange(h.getNumCol(), h.getNumCol() + k, dtype=np.int32)
        h.addCols(k, np.zeros(k), np.zeros(k), np.zeros(k), 0, np.zeros(k, np.int32),
                  np.zeros(0, np.int32), np.zeros(0))
        h.changeColsIntegrality(k, self.z, np.array([highspy.HighsVarType.kInteger] * k))
        for s, z in zip(self.specialties, self.z, strict=True):
            row = self.hm.rows[("posts", f"posts[{s}]")]
            n = float(totals[s])
            h.changeCoeff(row, int(z), -1.0)
            h.changeRowBounds(row, n if inputs.allocate_all else -INF, n)
        h.addRow(1.0, 1.0, k, self.z, np.ones(k))

    def _set_z(self, upper: dict[str, float], lower: dict[str, float],
               cost: dict[str, float]) -> None:
        h = self.hm.highs
        for s, z in zip(self.specialties, self.z, strict=True):
            h.changeColBounds(int(z), lower.get(s, 0.0), upper.get(s, 0.0))
            h.changeColCost(int(z), cost.get(s, 0.0))

    def load(self, variant: ModelInputs, s: str) -> Envelope:
        """Write the variant (one more post of `s`) into the model; returns the engine."""
        del variant
        if s not in self.specialties:
            raise IncompatibleVariant(f"no posts row for {s}")
        self._set_z({s: 1.0}, {s: 1.0}, {})
        return self

    def joint(self, gains: dict[str, float], seconds: float) -> tuple[HighsOutcome, str | None]:
        """The least (optimum with one more post of s) + gains[s] over s in `gains`, and the
        s that reaches it: the base objective or more iff no re-solve beats its greedy step."""
        self._set_z({s: 1.0 for s in gains}, {}, gains)
        out = run_highs(self.hm, seconds, 0.0, None, None, self.options)
        picked = None
        if out.status.has_plan:
            z = out.col_value[self.z]
            picked = self.specialties[int(np.argmax(z))]
        return out, picked


class LiteralEngine:
    """The literal model (one variable per promotion), for scenarios that select promotions."""

    options: dict[str, object] = {}

    def __init__(self, inputs: ModelInputs, model: AllocationModel | None) -> None:
        self.rm = ReusableModel(inputs, built_model(inputs, model))
        self.model: AllocationModel = self.rm.model
        self.hm: HighsModel = self.rm.hm

    def load(self, variant: ModelInputs, s: str) -> LiteralEngine:
        """Write the variant into the model; a variant that needs variables the model does
        not have (one more post of a row that had none) gets a model of its own."""
        del s
        if self.rm.incompatibility(variant) is not None:
            return LiteralEngine(variant, None)
        self.rm._push(self.rm._numbers(variant, None))
        return self


Engine = Envelope | LiteralEngine


def pair_totals(inputs: ModelInputs, model: AllocationModel, values: np.ndarray, hm: HighsModel
            ) -> tuple[np.ndarray, np.ndarray]:
    """National posts and foreign doctors per pair position from HiGHS column values."""
    n = len(inputs.pairs)
    out = []
    for table in (model.x, model.y):
        if not len(table):
            out.append(np.zeros(n, np.int64))
            continue
        v = values[hm.col(table["var"])]
        out.append(np.bincount(table["pair"].to_numpy(), weights=v, minlength=n)
                   .astype(np.int64))
    return out[0], out[1]
