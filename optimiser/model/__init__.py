"""Stage 2 of the pipeline: the allocation model of MODEL.md, built with PuLP."""

from optimiser.model.build import build_model
from optimiser.model.core import AllocationModel, BuildOptions

__all__ = ["AllocationModel", "BuildOptions", "build_model"]
