"""Stage 1 of the pipeline: the data contract, loading and consistency checks."""

from optimiser.data.dataset import Dataset, load_dataset
from optimiser.errors import InputError as DatasetError
from optimiser.errors import InputIssue

__all__ = ["Dataset", "DatasetError", "InputIssue", "load_dataset"]
