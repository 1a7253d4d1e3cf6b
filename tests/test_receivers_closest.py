"""The rows of the closest-plan model (`receivers._closest`), built with array arithmetic, are
the rows written one group at a time."""

from __future__ import annotations

import numpy as np

from optimiser.whatif.receivers import _distance_rows


def _one_group_at_a_time(groups: list[list[int]], first: int):
    starts, index, value = [], [], []
    for i, cols in enumerate(groups):
        starts.append(len(index))
        index += [*cols, first + 2 * i, first + 2 * i + 1]
        value += [1.0] * len(cols) + [-1.0, 1.0]
    return np.array(starts), np.array(index), np.array(value)


def test_distance_rows_are_the_group_by_group_rows():
    rng = np.random.default_rng(7)
    for _ in range(50):
        groups = [rng.integers(0, 500, rng.integers(0, 5)).tolist()
                  for _ in range(rng.integers(0, 12))]
        members = np.array([c for g in groups for c in g], np.int32)
        lengths = np.array([len(g) for g in groups], np.int64)
        got = _distance_rows(members, lengths, 500)
        want = _one_group_at_a_time(groups, 500)
        for a, b in zip(got, want, strict=True):
            assert a.shape == b.shape and np.array_equal(a, b)
