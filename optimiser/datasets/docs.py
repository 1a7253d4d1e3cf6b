"""Render data/morocco-2024/SOURCES.md (stub, replaced below)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from optimiser.datasets.morocco import MoroccoData


def render(data: MoroccoData, sources: Path) -> str:
    """SOURCES.md text."""
    return "# stub\n"
