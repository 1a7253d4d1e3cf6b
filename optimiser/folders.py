"""Output folders: which ones the tool may replace, and replacing them safely.

A planner points `--out` at a folder; a typo (`--out .`, `--out ~/Documents`, the dataset
folder) must never cost them their files. So a folder is replaced only when it is empty or
when optimiser wrote it: every folder the tool writes holds a marker, `.optimiser-output.json`,
listing the files it wrote, and a folder holding anything else is refused (exit 2, nothing
touched). `--out` may never be the current folder, the dataset folder, or a parent of either.

Writing happens in a temp folder beside the target, under a per-target lock (one writer wins,
concurrent ones fail cleanly), and the new folder is swapped in with one atomic
`renameat2(RENAME_EXCHANGE)` where the system has it, so readers never see the target absent.
Temp folders left by a killed run are removed by the next run that writes the same target.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from optimiser.errors import InputError, InputIssue

MARKER = ".optimiser-output.json"
"""Written last into every output folder: what kind of output it is and which files it holds."""

LEGACY_FILES: dict[str, frozenset[str]] = {
    "plan": frozenset({"plan.json", "allocations.csv", "foreign.csv", "delegations.csv",
                       "report.html", "plan.xlsx", "summary.md"}),
    "sweep": frozenset({"sweep.csv", "sweep.png", "sweep.svg"}),
    "comparison": frozenset({"comparison.csv", "comparison.json"}),
}
"""Files that folders written before the marker existed (versions up to 0.1.0) could hold; such
a folder is recognised by its signature file (the first of each set, below)."""
_SIGNATURE = {"plan": "plan.json", "sweep": "sweep.csv", "comparison": "comparison.csv"}


class OutputBusy(RuntimeError):
    """Another optimiser run is writing the same folder right now (exit status 1)."""


def refuse(path: Path, message: str) -> InputError:
    """An exit-2 error naming the output path."""
    return InputError([InputIssue(str(path), None, None, None, message)])


def read_marker(folder: Path) -> dict | None:
    """The marker of an output folder, or None when it has none (or a broken one)."""
    try:
        with (folder / MARKER).open(encoding="utf-8") as handle:
            marker = json.loads(handle.read(1_000_000))
    except (OSError, ValueError):
        return None
    ok = (isinstance(marker, dict) and marker.get("tool") == "optimiser"
          and isinstance(marker.get("files"), list))
    return marker if ok else None


_OWN_TEMP_FILE = re.compile(
    r"^\.(?:report\.html|plan\.xlsx|summary\.md)\.[a-z0-9_]{8}\.tmp$"  # optimiser report
    rf"|^{re.escape(MARKER)}\.\d+\.tmp$")
"""Temp files a killed `optimiser report` can leave inside a plan folder: still ours."""


def _written_by_us(folder: Path, entries: set[str]) -> bool:
    """Whether every entry of `folder` is a file optimiser wrote there."""
    entries = {e for e in entries if not _OWN_TEMP_FILE.match(e)}
    marker = read_marker(folder)
    if marker is not None:
        return entries <= {*map(str, marker["files"]), MARKER}
    for kind, names in LEGACY_FILES.items():
        if entries <= names and _SIGNATURE[kind] in entries:
            return True
    return False


def _shown(names: Iterable[str], most: int = 3) -> str:
    names = sorted(names)
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return ", ".join(names[:most]) + more


def check_out(out: Path, protected: Iterable[Path] = ()) -> Path:
    """The absolute output path, after refusing any target the tool may not replace.

    Refused (InputError, exit 2): a symbolic link; an existing file; the current folder, a
    `protected` folder (the dataset) or a parent of one of them; a non-empty folder that
    optimiser did not write, or that holds files besides those optimiser wrote.
    """
    path = Path(os.path.abspath(out))
    if path.is_symlink():
        return _raise(refuse(path, "is a symbolic link: give the folder itself as --out"))
    real = path.resolve()
    for kept in [Path.cwd(), *protected]:
        kept = Path(kept).resolve()
        if real == kept or real in kept.parents:
            what = "the current folder" if kept == Path.cwd().resolve() else f"'{kept}'"
            relation = "is" if real == kept else "is a parent of"
            return _raise(refuse(path, f"{relation} {what}: choose a new folder for --out"))
    if len(path.name.encode("utf-8", "surrogateescape")) > 255:
        return _raise(refuse(path, "the folder name is longer than the 255 bytes a file system "
                                   "allows: choose a shorter --out"))
    if path.exists() and not path.is_dir():
        return _raise(refuse(path, "is a file, not a folder: choose a folder for --out"))
    if path.is_dir():
        check_ours(path)
    return path


def check_ours(path: Path) -> None:
    """Refuse (InputError) a non-empty folder that holds anything optimiser did not write."""
    try:
        entries = set(os.listdir(path))
    except OSError as exc:
        raise refuse(path, f"cannot be read ({exc.strerror}): choose another --out") from exc
    if entries and not _written_by_us(path, entries):
        marker = read_marker(path)
        foreign = entries - {*map(str, marker["files"]), MARKER} if marker else entries
        raise refuse(path, f"holds files optimiser did not write ({_shown(foreign)}): nothing "
                           "was replaced; choose a new or empty folder for --out, or move "
                           "those files")


def _raise(error: InputError) -> Path:
    raise error


def _prefix(out: Path) -> str:
    """Short, fixed-length names for the lock and temp folders (a 250-character --out name
    must not make them longer than the file system allows)."""
    digest = hashlib.sha256(out.name.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return f".optimiser-{digest}"


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold the write lock of `out` (a lock file beside it) or raise OutputBusy."""
    lock = out.parent / f"{_prefix(out)}.lock"
    try:
        import fcntl
    except ImportError:  # not POSIX: an exclusive create serves as the lock
        yield from _locked_exclusive(lock, out)
        return
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutputBusy(f"another optimiser run is writing {out} right now: nothing was "
                             "written by this one; run it again when that one has finished"
                             ) from None
        # The holder before us may have unlinked the file after we opened it: lock the file
        # that is at the path now, or two writers would each hold a lock.
        try:
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)


def _locked_exclusive(lock: Path, out: Path) -> Iterator[None]:
    """Lock by creating the lock file exclusively; a lock whose process is gone is taken over."""
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            if _pid_alive(_read_pid(lock)):
                raise OutputBusy(f"another optimiser run is writing {out} right now") from None
            with contextlib.suppress(OSError):
                os.unlink(lock)
            continue
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.unlink(lock)
        return
    raise OutputBusy(f"another optimiser run is writing {out} right now")


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def _pid_alive(pid: int | None) -> bool:
    if pid is None or pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _stale_temps(out: Path) -> list[Path]:
    """Temp folders of earlier runs writing `out` whose process is gone.

    Called under the lock: a live writer of `out` would hold it, so a temp folder of a dead
    process is garbage. Also recognises the temp names of versions up to 0.1.0
    (`.NAME.xxxxxxxx`, `.NAME.old.xxxxxxxx`) when they hold only output files.
    """
    own = re.compile(rf"^{re.escape(_prefix(out))}\.tmp-(\d+)-[0-9a-f]+$")
    legacy = re.compile(rf"^\.{re.escape(out.name)}\.(old\.)?[a-z0-9_]{{8}}$")
    found = []
    for entry in os.scandir(out.parent):
        if not entry.is_dir(follow_symlinks=False):
            continue
        match = own.match(entry.name)
        if match and not _pid_alive(int(match.group(1))):
            found.append(Path(entry.path))
        elif legacy.match(entry.name) and _legacy_temp(Path(entry.path), out.name):
            found.append(Path(entry.path))
    return found


def _legacy_temp(folder: Path, name: str) -> bool:
    """A temp folder of an older version: output files only, or one old output folder."""
    entries = set(os.listdir(folder))
    if entries == {name} and (folder / name).is_dir():
        folder, entries = folder / name, set(os.listdir(folder / name))
    known = frozenset().union(*LEGACY_FILES.values())
    return entries <= known


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _swap_into_place(new: Path, out: Path) -> None:
    """Put `new` at `out`; the previous `out` (verified to be ours) ends up in `new`."""
    if not out.exists():
        os.rename(new, out)  # also atomically replaces an empty folder
        return
    if _exchange(new, out):
        return
    aside = new.with_name(new.name + "-old")
    os.rename(out, aside)
    try:
        os.rename(new, out)
    except BaseException:
        os.rename(aside, out)
        raise
    os.rename(aside, new)


def write_marker(folder: Path, kind: str, extra: dict | None = None) -> None:
    """Record that optimiser wrote `folder` and which files it holds (written last)."""
    files = sorted(name for name in os.listdir(folder) if name != MARKER)
    marker = {"tool": "optimiser", "kind": kind, "files": files, **(extra or {})}
    (folder / MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")


def write_folder(out: Path, fill: Callable[[Path], None], kind: str,
                 protected: Iterable[Path] = (), marker_extra: dict | None = None) -> Path:
    """Let `fill` write a temp folder beside `out`, then swap it into place.

    Refuses (InputError) a target `check_out` refuses; raises OutputBusy when another run is
    writing it. On any failure or interruption the temp folder is removed and `out` is
    untouched: readers never see a partial folder, nor (on Linux) a missing one.
    """
    protected = list(protected)
    out = check_out(out, protected)
    out.parent.mkdir(parents=True, exist_ok=True)
    with _locked(out):
        out = check_out(out, protected)  # the folder may have changed while we solved
        for stale in _stale_temps(out):
            shutil.rmtree(stale, ignore_errors=True)
        tmp = out.parent / f"{_prefix(out)}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            # made inside the try: a signal delivered right after mkdir (a loaded machine can
            # pause the process there) must still remove it
            tmp.mkdir(mode=0o755)
            fill(tmp)
            write_marker(tmp, kind, marker_extra)
            _swap_into_place(tmp, out)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)  # the new folder on failure, else the old
    return out


def add_to_marker(folder: Path, names: Iterable[str], removed: Iterable[str] = ()) -> None:
    """Record files written later into an output folder (e.g. `optimiser report`), and
    forget the ones it has since removed."""
    marker = read_marker(folder) or {"tool": "optimiser", "kind": "plan", "files": []}
    marker["files"] = sorted({*map(str, marker["files"]), *names} - set(removed))
    tmp = folder / f"{MARKER}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, folder / MARKER)


def check_file_out(path: Path, signature: str) -> Path:
    """A single output file (e.g. `explain --json`) may replace only a file optimiser wrote:
    one whose first 200 bytes hold `"written_by": "<signature>"`."""
    path = Path(os.path.abspath(path))
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise refuse(path, "is not a plain file: choose another output file")
    if path.exists():
        with path.open("rb") as handle:
            head = handle.read(200).decode("utf-8", "replace")
        if f'"written_by": "{signature}"' not in head:
            raise refuse(path, "exists and was not written by optimiser: not replaced "
                               "(choose another file name)")
    return path


def write_file(path: Path, text: str, signature: str) -> Path:
    """Write one output file atomically (temp file + rename), after `check_file_out`."""
    path = check_file_out(path, signature)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{_prefix(path)}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return path
