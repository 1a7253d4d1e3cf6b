"""Datasets the service knows: the embedded one (`default`) and uploaded ones.

An uploaded dataset lives in a folder named by an id the server draws; requests name
datasets by id only, never by path, and an id is looked up among the folders that exist.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import threading
from pathlib import Path

from pydantic import BaseModel

from optimiser.data import load_dataset
from optimiser.errors import InputError
from optimiser.pipeline import default_data_dir
from optimiser.registry.record import dataset_sha256
from optimiser.web.uploads import unpack

DEFAULT_ID = "default"
ID_PATTERN = re.compile(r"^[0-9a-f]{16}$")
META = ".dataset.json"


class DatasetInfo(BaseModel):
    """A dataset as GET /api/datasets lists it."""

    id: str
    name: str
    sha256: str | None
    delegations: int
    posts: int


class DatasetStore:
    """The embedded dataset and the uploaded ones under `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, DatasetInfo] = {}
        self._lock = threading.Lock()

    def folder(self, dataset_id: str) -> Path | None:
        """The folder of a dataset id, or None when there is no such dataset."""
        if dataset_id == DEFAULT_ID:
            return default_data_dir()
        if not ID_PATTERN.match(dataset_id):
            return None
        folder = self.root / dataset_id
        return folder if (folder / META).is_file() else None

    def ids(self) -> list[str]:
        """Every dataset id, the embedded one first."""
        uploaded = sorted(p.name for p in self.root.glob("*") if self.folder(p.name)) \
            if self.root.is_dir() else []
        return [DEFAULT_ID, *uploaded]

    def info(self, dataset_id: str) -> DatasetInfo:
        """Name, fingerprint and size of a dataset (computed once)."""
        with self._lock:
            if dataset_id in self._cache:
                return self._cache[dataset_id]
        folder = self.folder(dataset_id)
        if folder is None:
            raise KeyError(dataset_id)
        name = folder.name if dataset_id == DEFAULT_ID else json.loads(
            (folder / META).read_text(encoding="utf-8"))["name"]
        dataset = load_dataset(folder)
        found = DatasetInfo(id=dataset_id, name=name, sha256=dataset_sha256(folder),
                            delegations=len(dataset.delegations),
                            posts=int(dataset.posts["posts"].sum()))
        with self._lock:
            self._cache[dataset_id] = found
        return found

    def add(self, data: bytes, name: str, max_unzipped: int) -> DatasetInfo:
        """Unpack and validate an uploaded zip; InputError/UploadRefused leave nothing."""
        self.root.mkdir(parents=True, exist_ok=True)
        dataset_id = secrets.token_hex(8)
        staging = self.root / f".upload-{dataset_id}"
        staging.mkdir()
        try:
            unpack(data, staging, max_unzipped)
            load_dataset(staging)  # InputError: every problem with file, line, column
            (staging / META).write_text(json.dumps({"id": dataset_id, "name": name}),
                                        encoding="utf-8")
            staging.rename(self.root / dataset_id)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return self.info(dataset_id)


__all__ = ["DEFAULT_ID", "DatasetInfo", "DatasetStore", "InputError"]
