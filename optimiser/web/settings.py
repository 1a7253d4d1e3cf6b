"""What one running service is configured with (the `serve` options), in one value."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from optimiser.registry.url import data_home, resolve

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
"""Addresses the service may listen on without `--auth`: only this machine can reach them."""


def default_root() -> Path:
    """Server-side folders (uploaded datasets, plan folders of runs) in the user's data folder."""
    return data_home() / "optimiser" / "web"


@dataclass(frozen=True)
class Settings:
    """The service's configuration; `root` holds every file the service writes."""

    db_url: str = field(default_factory=lambda: resolve(None))
    root: Path = field(default_factory=default_root)
    workers: int = 2
    queue: int = 8
    """Runs waiting beyond the busy workers; past it POST /api/runs answers 503."""
    tokens: tuple[str, ...] = ()
    """Bearer tokens accepted (empty: no login, only allowed on a local address)."""
    upload_bytes: int = 20 * 1024 * 1024
    unzipped_bytes: int = 200 * 1024 * 1024

    @property
    def datasets_dir(self) -> Path:
        """Uploaded datasets, one folder per dataset id."""
        return self.root / "datasets"

    @property
    def runs_dir(self) -> Path:
        """One folder per run: scenario.yaml, plan/ (the plan folder), conflict.json."""
        return self.root / "runs"
