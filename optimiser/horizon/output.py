"""plan.json of a horizon plan (NEED.md, several years; docs/horizon.md).

The document is a one-year plan.json of the FIRST year (the round decided now: its summary
figures, reach, worst-off delegation, dependencies, sources, reference tables), with:

- `allocations`, `foreign`, `delegations`, `scenario_constraints`: every year, with a `year`
  column first (NEED.md: "allocations gain a year column; delegations rows gain year");
- `objective`, `best_bound`, `gap`, `status`: the whole horizon's (discounted sum);
- `unmet_need`: before the first year and after the last;
- `totals`, `posts_by_category`, `posts_by_promotion`: summed over the years (a year's posts
  are its own promotion);
- `horizon` (start, end, discount, mode) and `years` (one row of figures per year).
"""

from __future__ import annotations

from optimiser.horizon.run import HorizonRun, year_rows
from optimiser.output import _records, json_ready, plan_document
from optimiser.solve import relative_gap


def horizon_document(run: HorizonRun, timestamp: bool = True) -> dict:
    """plan.json of a solved horizon (run.plan is not None)."""
    assert run.plan is not None
    first = run.runs[0]
    document = plan_document(first.inputs, run.result, first.plan, run.build_seconds,
                             timestamp=timestamp)
    plan, result, h = run.plan, run.result, run.inputs.horizon
    bound = result.best_bound
    document.update(json_ready({
        "status": result.status.value,
        "objective": plan.objective,
        "best_bound": bound,
        "gap": relative_gap(plan.objective, bound),
        "posts_by_category": plan.posts_by_category,
        "scenario_constraints": plan.scenario_values,
        "unmet_need": {"before": plan.unmet_before, "after": plan.unmet_after},
        "totals": {
            "posts_available": sum(int(r.inputs.posts.sum()) for r in run.runs),
            "posts_allocated": int(plan.allocations["posts"].sum()),
            "foreign_available": sum(int(r.inputs.supply.sum()) for r in run.runs),
            "foreign_deployed": int(plan.foreign["doctors"].sum()),
        },
        "posts_by_promotion": {str(k): int(v) for k, v in
                               plan.allocations.groupby("promotion")["posts"].sum().items()},
        "horizon": {"start": h.start, "end": h.end, "discount": h.discount, "mode": h.mode},
        "years": year_rows(run),
    }))
    for key in ("allocations", "foreign", "delegations"):
        document[key] = _records(getattr(plan, key))
    document["parameters"]["horizon"] = document["horizon"]
    return document
