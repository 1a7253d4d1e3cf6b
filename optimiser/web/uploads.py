"""Unpacking an uploaded dataset zip without letting it touch anything else on the server.

Only the contract's CSV files at the top level of the zip are read; a member that could
escape its folder (absolute path, `..`, a symlink) refuses the whole upload, and the bytes
actually unpacked are counted, so a zip bomb stops at the cap whatever its headers claim.
"""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path, PurePosixPath

from optimiser.data.contract import FILES
from optimiser.errors import InputIssue

CHUNK = 1 << 16


class UploadRefused(Exception):
    """The upload is refused as a whole; `issues` say why (422), `status` overrides it."""

    def __init__(self, issues: list[InputIssue], status: int = 422) -> None:
        self.issues, self.status = issues, status
        super().__init__("; ".join(map(str, issues)))


def _refuse(name: str, message: str, status: int = 422) -> UploadRefused:
    return UploadRefused([InputIssue(name, None, None, None, message)], status)


def member_problem(info: zipfile.ZipInfo) -> str | None:
    """Why a zip member may not be unpacked (None: it may)."""
    name = info.filename
    if "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "absolute or Windows path in the zip: refused"
    if ".." in PurePosixPath(name).parts:
        return "path with `..` in the zip: refused"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "symbolic link in the zip: refused"
    return None


def unpack(data: bytes, into: Path, max_total: int) -> list[str]:
    """Write the contract's top-level CSV files of the zip `data` into `into`; their names."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise _refuse("upload", "not a zip file") from exc
    with archive:
        infos = archive.infolist()
        problems = [InputIssue(i.filename[:200], None, None, None, p)
                    for i in infos if (p := member_problem(i)) is not None]
        if problems:
            raise UploadRefused(problems)
        wanted = [i for i in infos if not i.is_dir() and i.filename in FILES]
        if not wanted:
            raise _refuse("upload", f"no dataset file at the top of the zip (expected "
                                    f"{', '.join(FILES)})")
        if sum(i.file_size for i in wanted) > max_total:
            raise _refuse("upload", "the files are too large once unzipped", 413)
        total = 0
        for info in wanted:
            with archive.open(info) as source, (into / info.filename).open("wb") as target:
                while chunk := source.read(CHUNK):
                    total += len(chunk)
                    if total > max_total:  # headers can lie: count what is unpacked
                        raise _refuse("upload", "the files are too large once unzipped", 413)
                    target.write(chunk)
    return [i.filename for i in wanted]
