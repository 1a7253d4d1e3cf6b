"""The fingerprint of a dataset folder: what the registry records and a resumed sweep checks.

One definition for both, so that "the same dataset" means the same thing wherever a run is
compared with an earlier one.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path


def dataset_sha256(folder: Path) -> str | None:
    """A fingerprint of the dataset: its files, sorted by name, hashed.

    It is the SHA-256 of the lines `<sha256 of the file>  <name>` of every regular file of
    the folder whose name does not start with a dot, sorted by name: the same value as
    `cd DATASET && LC_ALL=C sha256sum * | sha256sum`. Hidden files (the builder's marker)
    are tooling, not data. None when the folder cannot be read. Files are opened
    non-blocking and checked again, so a FIFO in the folder never hangs the run.
    """
    try:
        names = sorted(entry.name for entry in os.scandir(folder)
                       if not entry.name.startswith("."))
    except OSError:
        return None
    lines = []
    for name in names:
        digest = _file_sha256(Path(folder) / name)
        if digest is not None:
            lines.append(f"{digest}  {name}\n")
    return hashlib.sha256("".join(lines).encode("utf-8", "surrogateescape")).hexdigest()


def _file_sha256(path: Path) -> str | None:
    """The file's SHA-256, or None when it is not a regular file (or cannot be read)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            digest = hashlib.sha256()
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()
