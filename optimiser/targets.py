"""Workload targets (NEED.md): targets.csv rows replace the norm-based target of their pair.

MODEL.md's target is norm x population / 100,000, a ratio that ignores what specialists
actually do. A workload study (WHO WISN: `optimiser data wisn`) says how many are needed where;
such a row is used as given, so a scenario's `norm_multiplier` (already applied to the norm)
scales only the pairs without a row. The presence threshold m = min(pres, target) follows from
the target the model uses (inputs.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimiser.data import Dataset


def workload_targets(ds: Dataset, index: pd.MultiIndex, norm_based: np.ndarray) -> np.ndarray:
    """The target of every (delegation, specialty) of `index`: the pair's targets.csv row
    when it has one, else the norm-based figure (one vectorised reindex, no loop)."""
    if ds.targets.empty:
        return norm_based
    table = ds.targets["target"].rename_axis(["delegation", "specialty"])
    given = table.reindex(index).to_numpy(float)
    return np.where(np.isnan(given), norm_based, given)


def from_workload(ds: Dataset, index: pd.MultiIndex) -> np.ndarray:
    """Which pairs of `index` take their target from targets.csv (for messages and reports)."""
    if ds.targets.empty:
        return np.zeros(len(index), dtype=bool)
    return index.isin(ds.targets.index)
