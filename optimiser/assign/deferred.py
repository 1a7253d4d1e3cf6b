"""Graduate-proposing deferred acceptance (Gale and Shapley 1962; UPTAKE.md,
`--method deferred-acceptance`).

Each delegation ranks the graduates of a group by its priority: graduates from its own region
(`origin_region` = the delegation's region) first, then by merit rank. Unmatched graduates
propose to the next delegation of their list; a delegation holds its best proposers up to its
number of posts and rejects the others, who propose further down their list. The result is
stable (no graduate and delegation would both rather be matched together than as assigned:
no blocking pair) and the best stable matching for every graduate; it does not depend on the
order in which graduates propose.

Each delegation's held graduates sit in a heap keyed by priority, so a proposal costs
O(log posts); the national cohort makes a few thousand proposals (milliseconds).
"""

from __future__ import annotations

import heapq

import numpy as np


def deferred_acceptance(prefs: np.ndarray, capacity: np.ndarray, origin: np.ndarray,
                        seat_region: np.ndarray) -> np.ndarray:
    """For each graduate (rows of `prefs`, in rank order), the column of `prefs` they get, or
    -1.

    Delegation d prefers graduate i to j when i is from d's region and j is not, or when both
    or neither are and i < j (a better rank). `origin[i]` is -1 for a graduate without an
    origin region (never from the delegation's region).
    """
    n = len(prefs)
    lists = prefs.tolist()
    width = prefs.shape[1] if prefs.ndim == 2 else 0
    origins, regions = origin.tolist(), seat_region.tolist()  # plain ints for the hot loop
    seats = [int(c) for c in capacity]
    held: list[list[tuple[int, int]]] = [[] for _ in seats]  # max-heaps of (-key, graduate)
    nxt = [0] * n
    chosen = [-1] * n
    free = list(range(n - 1, -1, -1))  # a stack: the best-ranked graduate proposes first
    while free:
        i = free.pop()
        row = lists[i]
        while nxt[i] < width:
            column = nxt[i]
            d = row[column]
            if d < 0:
                nxt[i] = width
                break
            nxt[i] += 1
            key = i if origins[i] == regions[d] else n + i
            heap = held[d]
            if len(heap) < seats[d]:
                heapq.heappush(heap, (-key, i))
                chosen[i] = column
                break
            if heap and -heap[0][0] > key:  # d prefers i to the worst graduate it holds
                _, out = heapq.heapreplace(heap, (-key, i))
                chosen[i], chosen[out] = column, -1
                free.append(out)
                break
    return np.array(chosen, dtype=np.int64)
