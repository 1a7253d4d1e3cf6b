"""Solve variants of a scenario on one built model by changing bounds, costs and right-hand sides.

A sweep, the monotonicity check, the sensitivity cross-check and `explain` solve many variants
of one scenario (a floor moved, one more post, a contingent resized, a constraint dropped).
`InPlaceModel` builds the HiGHS copy once and each variant only rewrites numbers; it also
remembers proven optima, which answer any later variant whose feasible set lies inside theirs
and still contains them. Two formulations use it: `ReusableModel` here (the literal MODEL.md
model, for monotonicity, sensitivity and explain) and `reuse_hull.HullReusable` (the hull
model of `optimiser solve`, for sweeps).

When is the literal re-use exact? A variant is *compatible* with the model when every variable
and row its own build would create exists here (its support is a subset of the model's).
Variables the variant would not have are then bounded to 0 and rows it would not have are
freed: the feasible set and the objective are those of the variant's own model (MODEL.md), so
the optimum is too. Anything else (a new variable, a new row) is refused with a reason and the
caller rebuilds. tests/test_whatif_reuse.py proves the rule: identical HiGHS matrices and bounds
for same-support variants, identical optima against independent builds for random instances
and variants.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimiser.inputs import ModelInputs, Selection
from optimiser.model import AllocationModel, BuildOptions, build_model
from optimiser.solve import SolveResult, SolveStatus
from optimiser.whatif.highs import INF, HighsModel, run_highs, to_highs

KEEP_OPTIMA = 32
"""Proven optima a model remembers for skipping solves (a few ms to check them all)."""


class IncompatibleVariant(ValueError):
    """The variant needs a variable or a row the reusable model does not have."""


def same_build(a: ModelInputs, b: ModelInputs) -> bool:
    """Whether `a` and `b` build the same model, up to row and column bounds.

    Then a model built for one answers the other exactly as its own build would, ties included.
    """
    def shape(v: ModelInputs) -> tuple:
        return (v.solver, v.absence_penalty, v.eps_over, v.eps_foreign, v.budget is None,
                v.allocate_all, tuple((_selection_key(s), s.lower is None, s.upper is None,
                                       s.lower == s.upper) for s in v.selections))
    return (a.dataset is b.dataset and shape(a) == shape(b)
            and (a.pairs is b.pairs or a.pairs.equals(b.pairs)) and a.posts.equals(b.posts)
            and a.supply.equals(b.supply) and a.contingents.equals(b.contingents)
            and a.eligibility.equals(b.eligibility))


def _selection_key(sel: Selection) -> tuple:
    return (sel.name, sel.counts, sel.delegations, sel.specialties, sel.promotions)


def _cap_ok(inputs: ModelInputs) -> np.ndarray:
    """Pairs that may receive doctors (no capacity row, or a positive one)."""
    return ~(inputs.pairs["cap"].to_numpy() <= 0)


def built_model(inputs: ModelInputs, model: AllocationModel | None) -> AllocationModel:
    """`model` when it is a built MIP, else a fresh build: separable scenarios are solved by
    the exact greedy of optimiser/fastpath.py, whose run carries tables but no variables."""
    if model is not None and model.options == BuildOptions() and all(
            "var" in table.columns for table in (model.x, model.y)):
        return model
    return build_model(inputs)


class InPlaceModel:
    """A plan model copied into HiGHS once; compatible variants only rewrite its numbers.

    Subclasses say which variants are compatible (`incompatibility`) and what numbers a variant
    writes (`_numbers`); solving, skipping a solve whose answer is already known, and reading
    the result are shared. `deploy` lists the matrix entries a variant may change (the big-M of
    y <= min(size, cap) * b), with their current values in `deploy_coef`.
    """

    highs_options: dict[str, object] = {}
    """HiGHS options of every re-solve (a subclass's formulation may want its own)."""
    warm_start = False
    """Offer the last plan to HiGHS as a starting point when no incumbent is given."""

    def __init__(self, inputs: ModelInputs, model: AllocationModel,
                 threads: int | None = None) -> None:
        self.threads = threads
        self.inputs = inputs
        self.model = model
        self.hm: HighsModel = to_highs(model)
        self.solves = 0
        self.last_skipped = False
        self._optima: list[_LastOptimum] = []
        self.last_col_value: np.ndarray | None = None
        y = model.y
        if len(y):
            b_col = {(c, d): self.hm.cols[v.name] for c, d, v in model.b.itertuples(index=False)}
            # -1: no deploy row (the hull model links such y to b by its capacity row)
            deploy = [(self.hm.rows.get(("deploy", f"deploy[{c},{d},{s}]"), -1), b_col[(c, d)])
                      for c, d, s in y[["contingent", "delegation", "specialty"]].itertuples(
                          index=False)]
        else:
            deploy = []
        self.deploy = np.array(deploy, dtype=np.int64).reshape(-1, 2)  # (row, b column) per y
        self.deploy_coef = -y["bound"].to_numpy(dtype=float) if len(y) else np.zeros(0)
        self.x_col = self.hm.col(model.x["var"]) if len(model.x) else np.zeros(0, np.int32)
        self.y_col = self.hm.col(y["var"]) if len(y) else np.zeros(0, np.int32)
        self._y_keys = (y["contingent"].to_numpy(object), y["specialty"].to_numpy(object),
                        y["pair"].to_numpy(int)) if len(y) else None
        hm = self.hm
        self.size_rows = {key: hm.rows[("size", f"size[{key[0]},{key[1]}]")]
                          for key in inputs.supply.index
                          if ("size", f"size[{key[0]},{key[1]}]") in hm.rows}
        self.budget_row = hm.rows.get(("budget", "budget"))
        self.supply_support = set(inputs.supply[inputs.supply > 0].index)
        names = [sel.name for sel in inputs.selections]
        self.unique_names = len(set(names)) == len(names)
        self.selections = []
        for sel in inputs.selections:
            rows = {kind: hm.rows.get(("scenario", f"{sel.label}{suffix}"))
                    for kind, suffix in (("eq", ""), ("min", ".min"), ("max", ".max"))}
            self.selections.append((_selection_key(sel), {k: r for k, r in rows.items()
                                                          if r is not None}))
        self._by_key: dict[tuple, list[int]] = {}
        """Positions in `selections` of each selection key (linear matching of variants)."""
        for i, (key, _) in enumerate(self.selections):
            self._by_key.setdefault(key, []).append(i)

    def incompatibility(self, v: ModelInputs) -> str | None:
        """Why the variant cannot be solved on this model (None when it can)."""
        raise NotImplementedError

    def _shared_incompatibility(self, v: ModelInputs) -> str | None:
        """Rows every formulation has alike: the budget row and the scenario rows."""
        if v.budget is not None and self.y_col.size and self.budget_row is None:
            return "a budget row the model does not have"
        if not self.unique_names:
            return "scenario constraint names repeat"
        if self._match_selections(v) is None:
            return "a scenario constraint the model does not have"
        return None

    def forget(self) -> None:
        """Drop the warm start and the remembered optima: the next answers depend only on the
        variants asked from now on (a sweep's chunks are then independent of each other)."""
        self.last_col_value = None
        self._optima = []

    def _numbers(self, v: ModelInputs, x_lower: np.ndarray | None) -> _Numbers:
        """The variant's bounds, costs, right-hand sides, offset and big-M."""
        raise NotImplementedError

    def _match_selections(self, v: ModelInputs) -> list | None:
        """Model rows of each variant selection (None if one has no counterpart).

        Linear in the number of constraints (a dict of keys, not a search per selection):
        a sweep matches every point, and scenarios of 10,000 constraints happen."""
        used: set[int] = set()
        taken: dict[tuple, int] = {}
        out: list = []
        for sel in v.selections:
            key = _selection_key(sel)
            slots, k = self._by_key.get(key, []), taken.get(key, 0)
            if k >= len(slots):
                return None
            taken[key] = k + 1
            used.add(slots[k])
            out.append((sel, self.selections[slots[k]][1]))
        out += [(None, rows) for i, (_, rows) in enumerate(self.selections) if i not in used]
        return out

    def _foreign_bounds(self, v: ModelInputs, upper: np.ndarray) -> np.ndarray:
        """The variant's y bounds, min(size, cap), written into `upper`; returns them."""
        if self._y_keys is None:
            return np.zeros(0)
        c, s, pair = self._y_keys
        cap = v.pairs["cap"].to_numpy()
        size = v.supply.reindex(pd.MultiIndex.from_arrays([c, s])).fillna(0).to_numpy(float)
        y_bound = np.maximum(np.fmin(size, cap[pair]), 0.0)
        upper[self.y_col] = y_bound
        return y_bound

    def _shared_rows(self, v: ModelInputs, row_lo: np.ndarray, row_up: np.ndarray) -> None:
        """Contingent sizes, budget and scenario bounds of the variant (same rows in every
        formulation)."""
        for key, row in self.size_rows.items():
            row_up[row] = float(v.supply.get(key, 0))
        if self.budget_row is not None:
            row_up[self.budget_row] = INF if v.budget is None else v.budget
        for sel, rows in self._match_selections(v) or []:
            lo = -INF if sel is None or sel.lower is None else sel.lower
            up = INF if sel is None or sel.upper is None else sel.upper
            for kind, row in rows.items():  # a row may carry both bounds of its selection
                row_lo[row] = lo if kind != "max" or "min" not in rows else -INF
                row_up[row] = up if kind != "min" or "max" not in rows else INF

    def _push(self, n: _Numbers) -> None:
        """Write the numbers into HiGHS (the matrix changes only in the deploy big-M)."""
        h = self.hm.highs
        cols = np.arange(len(n.lower), dtype=np.int32)
        h.changeColsBounds(len(cols), cols, n.lower, n.upper)
        h.changeColsCost(len(cols), cols, n.cost)
        rows = np.arange(len(n.row_lower), dtype=np.int32)
        h.changeRowsBounds(len(rows), rows, n.row_lower, n.row_upper)
        h.changeObjectiveOffset(n.offset)
        for i in np.flatnonzero((n.deploy_coef != self.deploy_coef) & (self.deploy[:, 0] >= 0)):
            h.changeCoeff(int(self.deploy[i, 0]), int(self.deploy[i, 1]), float(n.deploy_coef[i]))
        self.deploy_coef = n.deploy_coef

    def _known_optimum(self, n: _Numbers) -> _LastOptimum | None:
        """A proven optimum that is also optimal for `n`, if this process has one.

        An optimum proven for a feasible set S stays optimal on any subset of S that contains
        it (same objective and matrix): nothing in the subset can beat it. Bounds and
        right-hand sides say whether `n`'s set is inside S; the optimum's values whether it
        lies in `n`'s set. A two-way sweep meets such points often (a floor that does not
        bind at a looser point), in any order.
        """
        tol = 1e-7
        for known in self._optima:
            k = known.numbers
            if (np.array_equal(n.cost, k.cost) and n.offset == k.offset
                    and np.array_equal(n.deploy_coef, k.deploy_coef)
                    and np.all(n.row_lower >= k.row_lower) and np.all(n.row_upper <= k.row_upper)
                    and np.all(n.lower >= k.lower) and np.all(n.upper <= k.upper)
                    and np.all(known.row_value >= n.row_lower - tol)
                    and np.all(known.row_value <= n.row_upper + tol)
                    and np.all(known.col_value >= n.lower - tol)
                    and np.all(known.col_value <= n.upper + tol)):
                return known
        return None

    # ------------------------------------------------------------------ solve
    def solve(self, v: ModelInputs, x_lower: np.ndarray | None = None,
              incumbent: np.ndarray | None = None,
              time_limit_s: float | None = None) -> SolveResult:
        """Solve the variant on this model; raises IncompatibleVariant when it cannot.

        `x_lower` bounds national posts from below, per row of `model.x` (the monotone mode);
        `incumbent` is a full column vector offered to HiGHS as a starting plan. When the
        variant only tightens bounds that an optimum already found meets, that optimum is
        returned without a solve (`last_skipped`): it is feasible, and nothing better can be.
        """
        reason = self.incompatibility(v)
        if reason is not None:
            raise IncompatibleVariant(reason)
        numbers = self._numbers(v, x_lower)
        known = self._known_optimum(numbers)
        self.last_skipped = known is not None
        if known is not None:
            return dataclasses.replace(known.result, solve_seconds=0.0)
        self._push(numbers)
        if incumbent is None and self.warm_start:
            incumbent = self.last_col_value
        out = run_highs(self.hm, v.time_limit_s if time_limit_s is None else time_limit_s,
                        v.mip_gap, incumbent, self.threads, self.highs_options)
        self.solves += 1
        with_plan = out.status.has_plan
        if with_plan:
            self.last_col_value = out.col_value
        values = np.rint(out.col_value).astype(np.int64)
        gap = None
        if out.objective is not None and out.best_bound is not None:
            gap = abs(out.objective - out.best_bound) / max(abs(out.objective), 1e-9)
        result = SolveResult(
            status=out.status, objective=out.objective, best_bound=out.best_bound, gap=gap,
            solver="HiGHS", solver_version=self.hm.highs.version(),
            solve_seconds=out.seconds,
            x=values[self.x_col] if with_plan else np.zeros(len(self.x_col), np.int64),
            y=values[self.y_col] if with_plan else np.zeros(len(self.y_col), np.int64),
        )
        if out.status is SolveStatus.OPTIMAL and v.mip_gap == 0:
            row_value = np.asarray(self.hm.highs.getSolution().row_value, dtype=float)
            optimum = _LastOptimum(numbers, out.col_value, row_value, result)
            self._optima = [optimum, *self._optima][:KEEP_OPTIMA]
        return result


class ReusableModel(InPlaceModel):
    """The literal plan model (MODEL.md, tight bounds, one variable per promotion) in HiGHS,
    re-solved for compatible variants (monotone check, sensitivity, explain)."""

    def __init__(self, inputs: ModelInputs, model: AllocationModel | None = None,
                 threads: int | None = None) -> None:
        if inputs.solver != "highs":
            raise IncompatibleVariant("only HiGHS models can be re-solved in place")
        super().__init__(inputs, built_model(inputs, model), threads)
        self._index(inputs)

    # ------------------------------------------------------------------ structure
    def _index(self, inputs: ModelInputs) -> None:
        """Columns and rows of each family, keyed like the inputs."""
        m, hm = self.model, self.hm
        pairs = inputs.pairs.index
        label = [f"{d},{s}" for d, s in pairs]
        self.n_pairs = len(pairs)
        self.movable = np.zeros(self.n_pairs, dtype=bool)
        self.movable[list(m.added)] = True
        self.need: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for kind, family in (("u", "shortfall"), ("a", "absence"), ("o", "overstaffing")):
            col = m.pair_vars[kind].dropna() if len(m.pair_vars) else pd.Series([], dtype=object)
            pos = col.index.to_numpy(dtype=np.int64)
            rows = np.array([hm.row(family, f"{family}[{label[p]}]") for p in pos], np.int32)
            self.need[kind] = (pos, hm.col(col), rows)
        self.has_u = np.zeros(self.n_pairs, bool)
        self.has_u[self.need["u"][0]] = True
        self.has_a = np.zeros(self.n_pairs, bool)
        self.has_a[self.need["a"][0]] = True

        self.posts_rows = {key: hm.row("posts", f"posts[{key[0]},{key[1]}]")
                           for key in inputs.posts.index
                           if ("posts", f"posts[{key[0]},{key[1]}]") in hm.rows}
        self.cap_row = {p: hm.rows[("capacity", f"capacity[{label[p]}]")]
                        for p in range(self.n_pairs)
                        if ("capacity", f"capacity[{label[p]}]") in hm.rows}
        counts = np.bincount(np.concatenate([m.x["pair"].to_numpy(int) if len(m.x) else [],
                                             m.y["pair"].to_numpy(int) if len(m.y) else []]
                                            ).astype(int), minlength=self.n_pairs)
        self.multi = counts > 1
        self.cap_ok = _cap_ok(inputs)
        self.posts_support = set(inputs.posts[inputs.posts > 0].index)
        self._x_keys = (m.x["specialty"].to_numpy(object), m.x["promotion"].to_numpy(),
                        m.x["pair"].to_numpy(int)) if len(m.x) else None

    # ------------------------------------------------------------------ compatibility
    def incompatibility(self, v: ModelInputs) -> str | None:
        """Why the variant cannot be solved on this model (None when it can)."""
        base = self.inputs
        if v.solver != "highs":
            return "solver is not HiGHS"
        if v.dataset is not base.dataset and not (
                v.pairs.index.equals(base.pairs.index) and v.eligibility.equals(base.eligibility)
                and v.contingents.equals(base.contingents)):
            return "different dataset"
        if (v.eps_over, v.eps_foreign) != (base.eps_over, base.eps_foreign):
            return "different tie-breaking weights"
        if not self.x_col.size and not self.y_col.size:
            return "the model has no decision variable"
        posts = set(v.posts[v.posts > 0].index)
        if not posts <= self.posts_support:
            return f"new posts rows {sorted(posts - self.posts_support)[:3]}"
        supply = set(v.supply[v.supply > 0].index)
        if not supply <= self.supply_support:
            return f"new contingent supply {sorted(supply - self.supply_support)[:3]}"
        specs = {s for s, _ in posts} | {s for _, s in supply}
        relevant = v.pairs.index.get_level_values("specialty").isin(specs)
        if np.any(_cap_ok(v) & ~self.cap_ok & relevant):
            return "a delegation with no hosting capacity in the model can host in the variant"
        cap = v.pairs["cap"].to_numpy()
        if any(self.multi[p] and not np.isnan(cap[p]) and p not in self.cap_row
               for p in np.flatnonzero(~np.isnan(cap))):
            return "a capacity row the model does not have"
        base_staff = v.pairs["base"].to_numpy(dtype=float)
        if np.any(self.movable & (v.pairs["target"].to_numpy() > base_staff) & ~self.has_u):
            return "a shortfall variable the model does not have"
        if np.any(self.movable & (v.pairs["presence"].to_numpy() > base_staff) & ~self.has_a):
            return "an absence variable the model does not have"
        return self._shared_incompatibility(v)

    # ------------------------------------------------------------------ numbers
    def _numbers(self, v: ModelInputs, x_lower: np.ndarray | None) -> _Numbers:
        """The variant's bounds, costs, right-hand sides, offset and big-M, column/row order."""
        hm = self.hm
        p = v.pairs
        target, presence = p["target"].to_numpy(), p["presence"].to_numpy()
        base, cap, coef = p["base"].to_numpy(float), p["cap"].to_numpy(), p["coef"].to_numpy()
        lower, upper = hm.col_lower.copy(), hm.col_upper.copy()
        cost = np.zeros(len(lower))
        if self._x_keys is not None:
            s, pr, pair = self._x_keys
            posts = v.posts.reindex(pd.MultiIndex.from_arrays([s, pr])).fillna(0).to_numpy(float)
            upper[self.x_col] = np.maximum(np.fmin(posts, cap[pair]), 0.0)
            lower[self.x_col] = 0.0 if x_lower is None else np.minimum(x_lower,
                                                                       upper[self.x_col])
        y_bound = self._foreign_bounds(v, upper)
        cost[self.y_col] = v.eps_foreign
        pos_u, col_u, row_u = self.need["u"]
        pos_a, col_a, row_a = self.need["a"]
        pos_o, col_o, row_o = self.need["o"]
        cost[col_u] = coef[pos_u]
        cost[col_a] = coef[pos_a] * v.absence_penalty
        cost[col_o] = v.eps_over
        row_lo, row_up = hm.row_lower.copy(), hm.row_upper.copy()
        row_lo[row_u] = target[pos_u] - base[pos_u]
        row_lo[row_a] = presence[pos_a] - base[pos_a]
        row_lo[row_o] = base[pos_o] - target[pos_o]
        for key, row in self.posts_rows.items():
            n = float(v.posts.get(key, 0))
            row_lo[row], row_up[row] = (n if v.allocate_all else -INF), n
        for pos, row in self.cap_row.items():
            row_up[row] = INF if np.isnan(cap[pos]) else cap[pos]
        self._shared_rows(v, row_lo, row_up)
        return _Numbers(lower, upper, cost, row_lo, row_up, self._constant(v),
                        -np.where(y_bound > 0, y_bound, 1.0))

    def _refresh(self, v: ModelInputs, x_lower: np.ndarray | None) -> None:
        """Write the variant into HiGHS."""
        self._push(self._numbers(v, x_lower))

    def _constant(self, v: ModelInputs) -> float:
        """Objective share of pairs no variable of this model reaches (variables.py)."""
        p, fixed = v.pairs, ~self.movable
        target, presence = p["target"].to_numpy(), p["presence"].to_numpy()
        base, coef = p["base"].to_numpy(float), p["coef"].to_numpy()
        need = np.maximum(0, target - base) + v.absence_penalty * np.maximum(0, presence - base)
        return float(np.sum((coef * need)[fixed])
                     + v.eps_over * np.sum(np.maximum(0, base - target)[fixed]))

@dataclass(frozen=True)
class _Numbers:
    """Everything a variant changes in the HiGHS model."""

    lower: np.ndarray
    upper: np.ndarray
    cost: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    offset: float
    deploy_coef: np.ndarray


@dataclass(frozen=True)
class _LastOptimum:
    """The last proven optimum (gap 0) and the numbers it was proven for."""

    numbers: _Numbers
    col_value: np.ndarray
    row_value: np.ndarray
    result: SolveResult
