"""Posts per promotion and specialty: the curated split of the 695 posts, by promotion.

The announcement gives the promotions' totals (241 for 2023, 454 for 2024) but no split by
specialty; the curated per-specialty totals (an estimate) are divided between the two
promotions in proportion to those totals, by largest remainder so both sum exactly.
"""

from __future__ import annotations

from optimiser.datasets.csvio import Row
from optimiser.datasets.numeric import round_preserving

PROMOTIONS = (2023, 2024)


def announced(rows: list[Row]) -> dict[str, int]:
    """The announcement's figures by indicator name."""
    return {r["indicator"]: int(r["value"]) for r in rows}


def posts_by_promotion(rows: list[Row], figures: dict[str, int]) -> dict[tuple[int, str], int]:
    """Posts keyed by (promotion, specialty); totals match the announcement exactly."""
    per_specialty = {r["specialty_code"]: int(r["posts"]) for r in rows}
    total = sum(per_specialty.values())
    if total != figures["posts_total"]:
        raise ValueError(f"posts_by_specialty.csv sums to {total}, "
                         f"the announcement to {figures['posts_total']}")
    first, second = PROMOTIONS
    quota = figures[f"posts_promotion_{first}"]
    if quota + figures[f"posts_promotion_{second}"] != total:
        raise ValueError("the promotions' totals do not add up to the posts")
    earlier = round_preserving({s: n * quota / total for s, n in per_specialty.items()}, quota)
    result = {}
    for code, n in per_specialty.items():
        result[(first, code)] = earlier[code]
        result[(second, code)] = n - earlier[code]
    return result
