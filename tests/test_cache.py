"""The user cache (optimiser/cache.py) saves time and changes nothing: reports written with an
empty cache, a filled one, a damaged one and none at all are the same bytes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_report_support import copy_fixture

from optimiser import cache
from optimiser.report import REPORT_FILES, geometry, html, markdown, write_reports


def _forget() -> None:
    """Drop what this process remembers, so the next report reads the cache (or derives)."""
    geometry.load_boundaries.cache_clear()
    html._environment.cache_clear()
    markdown._environment.cache_clear()


def _report(tmp_path: Path, name: str) -> dict[str, bytes]:
    folder = copy_fixture(tmp_path / name)
    _forget()
    write_reports(folder, lang="fr", timestamp=False)
    return {f: (folder / f).read_bytes() for f in REPORT_FILES}


@pytest.fixture(autouse=True)
def _fresh_memory():
    _forget()
    yield
    _forget()


def test_reports_identical_without_with_and_with_damaged_cache(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    monkeypatch.setenv("OPTIMISER_CACHE_DIR", "off")
    without = _report(tmp_path, "off")
    store = tmp_path / "cache"
    monkeypatch.setenv("OPTIMISER_CACHE_DIR", str(store))
    filling = _report(tmp_path, "filling")
    entries = sorted(p for p in store.rglob("*") if p.is_file())
    kinds = {p.parent.name for p in entries}
    assert {"templates-html-1", "templates-markdown-1"} <= kinds
    if geometry.load_boundaries() is not None:
        assert "boundaries" in kinds
    filled = _report(tmp_path, "filled")
    for entry in entries:  # damaged entries are ignored (and replaced), never trusted
        entry.write_bytes(b"not a cache entry")
    damaged = _report(tmp_path, "damaged")
    assert without == filling == filled == damaged


def test_cache_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPTIMISER_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir("boundaries") is None
    _report(tmp_path, "plan")
    assert not (tmp_path / "xdg").exists()


def test_default_folder_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPTIMISER_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = cache.cache_dir("boundaries")
    assert folder == tmp_path / "xdg" / "optimiser" / "boundaries"
    assert folder.is_dir() and (folder.stat().st_mode & 0o777) == 0o700


def test_folder_others_can_write_is_not_used(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "shared"
    (shared / "boundaries").mkdir(parents=True)
    os.chmod(shared / "boundaries", 0o777)
    monkeypatch.setenv("OPTIMISER_CACHE_DIR", str(shared))
    assert cache.cache_dir("boundaries") is None
    os.chmod(shared / "boundaries", 0o700)
    assert cache.cache_dir("boundaries") == shared / "boundaries"


def test_unusable_location_means_no_cache(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("OPTIMISER_CACHE_DIR", str(blocker))
    assert cache.cache_dir("boundaries") is None
    assert cache.template_cache("html-1") is None


def test_write_atomically_replaces_whole_entry(tmp_path: Path) -> None:
    entry = tmp_path / "entry.bin"
    cache.write_atomically(entry, b"first")
    cache.write_atomically(entry, b"second")
    assert entry.read_bytes() == b"second"
    assert [p.name for p in tmp_path.iterdir()] == ["entry.bin"]  # no temporary left
