"""Regenerate, or check, every example output shown in README.md and docs/*.md.

Usage (from the repository root, with the project installed):

    python -m docs.examples            # run every example, rewrite the blocks that changed
    python -m docs.examples --check    # run every example, exit 1 if a block differs
    python -m docs.examples NAME ...   # only the sessions holding these examples

A block of generated output sits between two marker comments in the Markdown:

    <!-- example: sweep-ttah -->
    ```
    ...generated, never edited by hand...
    ```
    <!-- /example -->

Each example is a list of steps (a command of `optimiser`, possibly `> FILE` or `&& optimiser
...`, `python -c`, `cat`, `head`, `ls -A`, `cp -r`, `cut`, `sha256sum`, a `cmp` loop, or a Python
snippet taken from the docs; no shell: `cat` and the others are done by this script) run in a
fresh temporary folder that holds a copy of the repository's `scenarios/` and `data/example/`;
`optimiser` finds the embedded Morocco dataset by itself. Examples of one session share that
folder and run in order; sessions run in parallel. Output is made reproducible: terminal width
100, UTF-8, the temporary folder removed from printed paths, trailing spaces stripped, and run
times shown as `…`. `--check` also ignores the HiGHS version number (a new highspy release must
not fail CI; a change of plan it brings still does).

A Python snippet (`<!-- snippet: NAME -->` around a ```python block) is documentation written
by hand: the script runs it as written and shows its output in the example block that names it.

Every session records its solves in a plan registry of its own (XDG_DATA_HOME in the session
folder, so it starts empty), as user `planner`. In a session marked `run_ids`, the n-th run the
session made is shown as `20261130-090000-00000n` and every date and time as 2026-11-30 09:00:00
(run IDs and times are random); a command written with such an ID runs with the real one.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 100
TIMEOUT_S = 600
BLOCK = re.compile(r"(<!-- example: (?P<name>[\w.-]+) -->\n)(?P<body>.*?)(<!-- /example -->)",
                   re.S)
SNIPPET = re.compile(r"<!-- snippet: (?P<name>[\w.-]+) -->\n```python\n(?P<code>.*?)```\n"
                     r"<!-- /snippet -->", re.S)
TIMINGS = (
    (re.compile(r"build \d+(?:\.\d+)? s, solve \d+(?:\.\d+)? s"), "build … s, solve … s"),
    (re.compile(r"(\d+) points in \d+(?:\.\d+)? s \(\d+(?:\.\d+)? points/s"),
     r"\1 points in … s (… points/s"),
)
VERSION = re.compile(r"HiGHS \d+(?:\.\d+)+")
SLOW = {"horizon", "uptake", "assign", "registry", "explain-feasible", "monotone", "national",
        "registry-national", "registry-reproduce"}
"""Sessions started first (5 to 20 s each on 2 cores, the others 1 to 3 s)."""
USER = "planner"
"""The user the examples run as (recorded with each run)."""
RUN_ID = re.compile(r"\b\d{8}-\d{6}-[0-9a-f]{6}\b")
SHOWN_ID = re.compile(r"\b20261130-090000-(\d{6})\b")
MOMENT = re.compile(r"\b\d{4}-\d{2}-\d{2}(?P<sep>[ T])\d{2}:\d{2}(?P<s>:\d{2})?(?P<f>\.\d+)?")


def shown_id(n: int) -> str:
    """How the n-th run of a session (from 1) is shown in the docs."""
    return f"20261130-090000-{n:06d}"


def documents() -> list[Path]:
    """The Markdown files whose examples are generated: README.md and docs/*.md."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


# --- steps -------------------------------------------------------------------------------------

@dataclass
class Context:
    """A session's folder and the command that runs `optimiser`."""

    folder: Path
    optimiser: list[str]
    env: dict[str, str]
    runs: list[str] = field(default_factory=list)
    """The IDs of the runs recorded in the session's registry, oldest first (as far as known)."""

    def run(self, argv: Sequence[str], merge: bool = True) -> tuple[int, str]:
        """Exit status and output (stdout and stderr interleaved, as on a terminal; with
        `merge` false, stdout alone and stderr left to the script's)."""
        done = subprocess.run(list(argv), cwd=self.folder, env=self.env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT if merge else None, timeout=TIMEOUT_S,
                              check=False)
        return done.returncode, done.stdout.decode("utf-8", "replace")

    def _refresh_runs(self) -> None:
        """Learn the runs recorded since the last look (`optimiser runs list --json`)."""
        code, output = self.run([*self.optimiser, "runs", "list", "--json"], merge=False)
        if code != 0:
            raise ExampleFailed(f"`optimiser runs list --json` exited {code}")
        known = set(self.runs)
        runs = sorted(json.loads(output), key=lambda run: (run["created_at"], run["id"]))
        self.runs += [run["id"] for run in runs if run["id"] not in known]

    def real_ids(self, text: str) -> str:
        """`text` with each run ID as the docs show it replaced by the real one."""
        def real(found: re.Match[str]) -> str:
            n = int(found[1])
            if n > len(self.runs):
                self._refresh_runs()
            if not 1 <= n <= len(self.runs):
                raise ExampleFailed(f"run {found[0]}: the session has {len(self.runs)} runs")
            return self.runs[n - 1]
        return SHOWN_ID.sub(real, text)

    def shown_ids(self, text: str) -> str:
        """`text` with each real run ID as the docs show it, and every date and time fixed."""
        def shown(found: re.Match[str]) -> str:
            if SHOWN_ID.fullmatch(found[0]):  # a command as the doc writes it
                return found[0]
            if found[0] not in self.runs:
                self._refresh_runs()
            if found[0] not in self.runs:
                raise ExampleFailed(f"run {found[0]} is not in the session's registry")
            return shown_id(self.runs.index(found[0]) + 1)

        def moment(found: re.Match[str]) -> str:
            return ("2026-11-30" + found["sep"] + "09:00" + (":00" if found["s"] else "")
                    + ("." + "0" * (len(found["f"]) - 1) if found["f"] else ""))
        return MOMENT.sub(moment, RUN_ID.sub(shown, text))


class Step:
    """One step of an example: it does something in the folder and returns what is shown."""

    def show(self, ctx: Context) -> str:  # pragma: no cover - interface
        """The text shown in the doc for this step ("" for a hidden step)."""
        raise NotImplementedError


class ExampleFailed(Exception):
    """A command did not end as the example says it does (exit status, missing file)."""


@dataclass
class Optimiser(Step):
    """`$ optimiser ARGS` and its output; `exit N` too when `show_exit`."""

    args: str
    expect: int = 0
    show_exit: bool = False
    head: int | None = None
    """Show only the first lines of the output (the rest is said to be cut)."""
    shown: str | None = None
    """How the command is written in the doc, when not `optimiser ARGS` on one line."""
    into: str | None = None
    """Write the standard output to this file (`> FILE`) instead of showing it."""

    def show(self, ctx: Context) -> str:
        """Run the command; a different exit status than expected stops the script."""
        command, output = self.execute(ctx)
        return f"$ {command}\n{output}" if output else f"$ {command}"

    def execute(self, ctx: Context) -> tuple[str, str]:
        """The command as shown, and its output."""
        args = ctx.real_ids(self.args)
        code, output = ctx.run([*ctx.optimiser, *shlex.split(args)], merge=self.into is None)
        if code != self.expect:
            raise ExampleFailed(f"`optimiser {args}` exited {code}, expected "
                                f"{self.expect}:\n{output}")
        if self.into is not None:
            (ctx.folder / self.into).write_text(output, encoding="utf-8")
            output = ""
        output = strip_blank(output)
        if self.head is not None:
            lines = output.splitlines()
            if len(lines) > self.head:
                output = "\n".join([*lines[: self.head],
                                    f"[... {len(lines) - self.head} more lines cut here ...]"])
        command = self.shown or f"optimiser {self.args}"
        if self.into is not None:
            command += f" > {self.into}"
        if self.show_exit:
            command += '; echo "exit $?"'
            output = f"{output}\nexit {code}" if output else f"exit {code}"
        return command, output


@dataclass
class Chain(Step):
    """`$ optimiser A && optimiser B`: the commands in order, their outputs one after the other
    (each must end as expected)."""

    commands: Sequence[Optimiser]

    def show(self, ctx: Context) -> str:
        """Run the commands; show them on one line."""
        done = [command.execute(ctx) for command in self.commands]
        outputs = [output for _, output in done if output]
        return "\n".join([f"$ {' && '.join(command for command, _ in done)}", *outputs])


@dataclass
class Write(Step):
    """Write a file (hidden: show it with `Cat`). `data` may be a function of the folder."""

    path: str
    data: str | bytes | Callable[[Path], bytes]

    def show(self, ctx: Context) -> str:
        """Write the file; nothing is shown."""
        target = ctx.folder / self.path
        target.parent.mkdir(parents=True, exist_ok=True)
        data = self.data(ctx.folder) if callable(self.data) else self.data
        if isinstance(data, str):
            data = data.encode("utf-8")
        target.write_bytes(data)
        return ""


@dataclass
class Shown(Step):
    """A hidden step shown as a shell command that does the same (e.g. `iconv ...`)."""

    command: str
    action: Callable[[Path], None]

    def show(self, ctx: Context) -> str:
        """Do it; show the command."""
        self.action(ctx.folder)
        return f"$ {self.command}"


@dataclass
class Hidden(Step):
    """Something done in the folder and not shown (e.g. a file prepared by other means)."""

    action: Callable[[Path], None]

    def show(self, ctx: Context) -> str:
        """Do it; nothing is shown."""
        self.action(ctx.folder)
        return ""


@dataclass
class Python(Step):
    """`$ python -c "CODE"` (`> FILE` with `into`), run with this Python in the folder."""

    code: str
    into: str | None = None

    def show(self, ctx: Context) -> str:
        """Run the code; show its output, unless it goes to a file."""
        if '"' in self.code:
            raise ExampleFailed(f"python -c code must not hold a double quote: {self.code}")
        code, output = ctx.run([sys.executable, "-c", self.code], merge=self.into is None)
        if code != 0:
            raise ExampleFailed(f"python -c {self.code!r} exited {code}:\n{output}")
        command = f'$ python -c "{self.code}"'
        if self.into is not None:
            (ctx.folder / self.into).write_text(output, encoding="utf-8")
            return f"{command} > {self.into}"
        output = strip_blank(output)
        return f"{command}\n{output}" if output else command


@dataclass
class Sha256Sum(Step):
    """`$ (cd FOLDER && LC_ALL=C sha256sum * | sha256sum)`, done with hashlib: the SHA-256 of
    the lines `<sha256>  <name>` of the folder's files (no dot files), sorted by name."""

    path: str

    def show(self, ctx: Context) -> str:
        """The fingerprint, as `sha256sum` prints it for its standard input."""
        folder = ctx.folder / self.path
        names = sorted((p.name for p in folder.iterdir()
                        if p.is_file() and not p.name.startswith(".")), key=os.fsencode)
        lines = "".join(f"{hashlib.sha256((folder / name).read_bytes()).hexdigest()}  {name}\n"
                        for name in names)
        total = hashlib.sha256(lines.encode("utf-8")).hexdigest()
        return f"$ (cd {self.path} && LC_ALL=C sha256sum * | sha256sum)\n{total}  -"


@dataclass
class SameBytes(Step):
    """`$ for f in FILES; do cmp A/$f B/$f && echo "$f: same bytes"; done` (a difference
    stops the script: the doc says they are the same)."""

    first: str
    second: str
    files: Sequence[str]

    def show(self, ctx: Context) -> str:
        """Compare the files of the two folders."""
        for name in self.files:
            a, b = (ctx.folder / self.first / name, ctx.folder / self.second / name)
            if read_bytes(a) != read_bytes(b):
                raise ExampleFailed(f"{self.first}/{name} and {self.second}/{name} differ")
        return "\n".join([f"$ for f in {' '.join(self.files)}; do cmp {self.first}/$f "
                          f'{self.second}/$f && echo "$f: same bytes"; done',
                          *(f"{name}: same bytes" for name in self.files)])


def read_bytes(path: Path) -> bytes:
    """A file's bytes (ExampleFailed when it was not written)."""
    if not path.is_file():
        raise ExampleFailed(f"{path.name} was not written")
    return path.read_bytes()


@dataclass
class Cat(Step):
    """`$ cat FILE` (a UTF-8 byte-order mark is invisible on a terminal, so not shown)."""

    path: str

    def show(self, ctx: Context) -> str:
        """The file's text."""
        text = read_text(ctx.folder / self.path)
        return f"$ cat {self.path}\n{text.rstrip()}"


@dataclass
class Head(Step):
    """`$ head -N FILE`."""

    path: str
    lines: int

    def show(self, ctx: Context) -> str:
        """The first lines of the file."""
        text = read_text(ctx.folder / self.path)
        return "\n".join([f"$ head -{self.lines} {self.path}",
                          *text.splitlines()[: self.lines]])


@dataclass
class CutColumns(Step):
    """`$ cut -d, -fI,J,... FILE | head -N`: some columns of a CSV without quoted cells."""

    path: str
    columns: Sequence[str]
    lines: int

    def show(self, ctx: Context) -> str:
        """The named columns of the first lines."""
        rows = [line.split(",") for line in
                read_text(ctx.folder / self.path).splitlines()[: self.lines]]
        missing = [c for c in self.columns if c not in rows[0]]
        if missing:
            raise ExampleFailed(f"{self.path} has no column {missing}: {rows[0]}")
        positions = sorted(rows[0].index(c) for c in self.columns)
        fields = ",".join(str(i + 1) for i in positions)
        out = [",".join(row[i] for i in positions) for row in rows]
        return "\n".join([f"$ cut -d, -f{fields} {self.path} | head -{self.lines}", *out])


@dataclass
class ListFolder(Step):
    """`$ ls -A FOLDER` (one name a line, as `ls` writes to a pipe)."""

    path: str

    def show(self, ctx: Context) -> str:
        """The folder's entries, sorted."""
        names = sorted(p.name for p in (ctx.folder / self.path).iterdir())
        return "\n".join([f"$ ls -A {self.path}", *names])


@dataclass
class CopyTree(Step):
    """`$ cp -r SRC DST`."""

    source: str
    target: str

    def show(self, ctx: Context) -> str:
        """Copy the folder."""
        shutil.copytree(ctx.folder / self.source, ctx.folder / self.target)
        return f"$ cp -r {self.source} {self.target}"


@dataclass
class Snippet(Step):
    """Run the Python snippet NAME of a doc as written; show what it prints."""

    doc: str
    name: str
    expect: int = 0

    def show(self, ctx: Context) -> str:
        """The snippet's output (the snippet itself is in the doc, above)."""
        code = snippet(ROOT / self.doc, self.name)
        status, output = ctx.run([sys.executable, "-c", code])
        if status != self.expect:
            raise ExampleFailed(f"snippet {self.name} of {self.doc} exited {status}:\n{output}")
        return strip_blank(output)


def snippet(doc: Path, name: str) -> str:
    """The code of the snippet NAME in a Markdown file."""
    for found in SNIPPET.finditer(doc.read_text(encoding="utf-8")):
        if found["name"] == name:
            return found["code"]
    raise ExampleFailed(f"{doc.name} has no snippet {name!r}")


def read_text(path: Path) -> str:
    """A file's text as a terminal shows it."""
    if not path.is_file():
        raise ExampleFailed(f"{path.name} was not written")
    return path.read_text(encoding="utf-8-sig")


def strip_blank(text: str) -> str:
    """Without trailing spaces and leading or trailing blank lines (rich pads titles, and a
    finished progress bar leaves an empty line)."""
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")


# --- editing long outputs ------------------------------------------------------------------------

def _table_at(lines: list[str], title: str) -> tuple[int, int, int, int]:
    """(title line, header end, body start, bottom border) of the rich table titled `title`."""
    start = next((i for i, line in enumerate(lines) if title in line), None)
    if start is None:
        raise ExampleFailed(f"no table titled {title!r} in the output")
    top = next(i for i in range(start, len(lines)) if lines[i].startswith("┏"))
    body = next(i for i in range(top, len(lines)) if lines[i].startswith("┡")) + 1
    bottom = next(i for i in range(body, len(lines)) if lines[i].startswith("└"))
    return start, top, body, bottom


def drop_table(title: str, label: str) -> Callable[[str], str]:
    """Replace a whole table by one line saying it was cut."""
    def edit(text: str) -> str:
        lines = text.splitlines()
        start, _, body, bottom = _table_at(lines, title)
        note = f"[... the {label} table ({bottom - body} rows) cut here ...]"
        return "\n".join([*lines[:start], note, *lines[bottom + 1:]])
    return edit


def keep_rows(title: str, keep: int) -> Callable[[str], str]:
    """Keep the first `keep` rows of a table; say how many were cut."""
    def edit(text: str) -> str:
        lines = text.splitlines()
        _, _, body, bottom = _table_at(lines, title)
        cut = bottom - body - keep
        if cut <= 0:
            return text
        note = f"[... {cut} more rows cut here ...]"
        return "\n".join([*lines[: body + keep], lines[bottom], note, *lines[bottom + 1:]])
    return edit


# --- the examples --------------------------------------------------------------------------------

@dataclass
class Example:
    """A block of a doc: steps and optional edits of the joined output."""

    name: str
    steps: list[Step]
    edits: list[Callable[[str], str]] = field(default_factory=list)


@dataclass
class Session:
    """Examples run in order in one temporary folder."""

    name: str
    examples: list[Example]
    run_ids: bool = False
    """Show run IDs, dates and times as fixed placeholders (see the module's docstring)."""


HORIZON_ROLLING = """\
name: rolling-2030
description: 2024-2030 one round at a time (no look-ahead), to compare with horizon-2030
parameters:
  horizon:
    start: 2024
    end: 2030
    mode: rolling
"""

TATA_25 = """\
name: tata-25
description: Tata (region SM) receives at least 25 national posts
constraints:
  - {name: sm-floor, region: SM, min: 25}
"""

TTAH_200 = """\
name: ttah-200
description: Tanger-Tetouan-Al Hoceima receives at least 200 national posts
constraints:
  - {name: ttah-floor, region: TTAH, min: 200}
  - {name: oriental-cap, region: OR, max: 70}
"""

EXAMPLE_WHATIF = """\
name: south-first
description: Example what-if on data/example, every kind of entry once
parameters: {absence_penalty: 6, budget: 500000, time_limit_s: 30}
overrides:
  norm_multiplier: {ANES: 1.2}
  posts: [{promotion: 2024, specialty: PED, posts: 7}]
  priority_weight: {SIDI_IFNI: 2.0}
  capacity: [{delegation: TATA, specialty: PED, max_new: 2}]
constraints:
  - {name: tata-gyn, delegation: TATA, specialty: GYN, min: 1}
  - {name: ttah-cap, region: TTAH, max: 12}
  - {name: foreign-chir, specialty: CHIR, counts: foreign, max: 2}
"""

BAD_SCENARIO = """\
name: TTAH floor
parameters: {absence_penalty: -1, solver: gurobi}
constraints:
  - {name: ttah-floor, region: TTAH, min: 10, max: 5}
  - {delegation: TATA, specialty: GYN, counts: foreign, promotion: 2023, fix: 0}
  - {region: TTAH, mn: 3}
"""

BAD_POSTS = """\
promotion,specialty_code,posts,source
2023,ANES,6,estimate: example split of posts
2024,ANES,8.5,estimate: example split of posts
23,CHIR,3,estimate: example split of posts
2024,CHIR,5,estimate: example split of posts
2023,URO,2,estimate: example split of posts
2024,CHIR,4,estimate: example split of posts
"""


SIDI_IFNI_PED = """\
name: sidi-ifni-ped
description: A paediatrician for Sidi Ifni (which has no paediatric ward)
constraints:
  - {name: sidi-ifni-ped, delegation: SIDI_IFNI, specialty: PED, min: 1}
"""

TYPO = """\
name: typo
parameters: {absense_penalty: 2}
"""

EXPORTED = ["plan.json", "allocations.csv", "foreign.csv", "delegations.csv", "report.html"]


def _future_registry(name: str) -> Callable[[Path], None]:
    """An SQLite registry at schema revision 0003, as a newer optimiser would leave it."""
    def action(folder: Path) -> None:
        import sqlite3

        connection = sqlite3.connect(folder / name)
        with connection:
            connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
            connection.execute("INSERT INTO alembic_version VALUES ('0003')")
        connection.close()
    return action


def _utf16(source: str, target: str) -> Callable[[Path], None]:
    """What `iconv -f UTF-8 -t UTF-16` does: Excel's "Unicode text" encoding."""
    def action(folder: Path) -> None:
        text = (folder / source).read_text(encoding="utf-8")
        (folder / target).write_bytes(text.encode("utf-16"))
    return action


def _french_excel(source: str) -> Callable[[Path], bytes]:
    """A file as French Excel saves it as "CSV": `;` separators, decimal commas, CRLF line ends,
    a byte-order mark and an empty column after the last one."""
    def make(folder: Path) -> bytes:
        lines = []
        for i, line in enumerate((folder / source).read_text(encoding="utf-8").splitlines()):
            cells = _split_csv_line(line)
            if i:
                cells = [re.sub(r"^(\d+)\.(\d+)$", r"\1,\2", c) for c in cells]
            lines.append(";".join(cells) + ";")
        return b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n"
    return make


def _split_csv_line(line: str) -> list[str]:
    """The cells of one CSV line (text cells of data/example are quoted when they hold a comma;
    the French export has no comma to protect, so quotes are dropped)."""
    import csv

    return next(csv.reader([line]))


RUN1, RUN2, RUN3, RUN4, RUN5 = (shown_id(n) for n in range(1, 6))

UPTAKE_EXPECTED = """\
name: expected
description: plan for the doctors likely to come (uptake.csv), not for every post filled
parameters:
  uptake: expected
"""
UPTAKE_REMOTE = """\
delegation_code,specialty_code,p_accept,source
FIGUIG,*,0.26,"what-if: August 2025 uptake of remote posts (104 of 400)"
TATA,*,0.26,"what-if: August 2025 uptake of remote posts (104 of 400)"
ZAGORA,*,0.26,"what-if: August 2025 uptake of remote posts (104 of 400)"
ASSA_ZAG,*,0.26,"what-if: August 2025 uptake of remote posts (104 of 400)"
TINGHIR,*,0.26,"what-if: August 2025 uptake of remote posts (104 of 400)"
TINGHIR,ANES,0.5,"what-if: a housing allowance for anaesthetists"
"""
UPTAKE_BAD = """\
delegation_code,specialty_code,p_accept,source
FIGUIG,*,26%,what-if
TATA,*,0,what-if
ZAGORA,DERMATO,0.3,what-if
"""

SESSIONS = [
    Session("national", [
        Example("solve-baseline", [Optimiser("solve")]),
        Example("plan-folder-files", [
            ListFolder("reports/baseline"),
            Head("reports/baseline/allocations.csv", 4),
            Head("reports/baseline/foreign.csv", 3),
            Cat("reports/baseline/.optimiser-output.json"),
        ]),
    ]),
    Session("example-infeasible", [
        Example("infeasible-solve", [
            Write("tata-25.yaml", TATA_25), Cat("tata-25.yaml"),
            Optimiser("solve --data data/example --scenario tata-25.yaml", expect=3,
                      show_exit=True),
        ]),
        Example("explain-infeasible", [
            Optimiser("explain tata-25.yaml --data data/example", expect=3, show_exit=True),
        ]),
    ]),
    Session("uptake", [
        Example("uptake-solve", [
            Write("expected.yaml", UPTAKE_EXPECTED), Cat("expected.yaml"),
            Optimiser("solve --no-report", head=3),
            Optimiser("solve --scenario expected.yaml --no-report", head=3),
        ]),
        Example("simulate-national", [Optimiser("simulate reports/baseline")]),
        Example("simulate-remote", [
            Write("uptake-remote.csv", UPTAKE_REMOTE), Cat("uptake-remote.csv"),
            Optimiser("simulate reports/baseline --uptake uptake-remote.csv "
                      "--out reports/remote-26", head=6),
        ]),
        Example("simulate-bad", [
            Write("bad.csv", UPTAKE_BAD), Cat("bad.csv"),
            Optimiser("simulate reports/baseline --uptake bad.csv", expect=2, show_exit=True),
        ]),
    ]),
    Session("horizon", [
        Example("horizon-solve", [
            Cat("scenarios/horizon-2030.yaml"),
            Optimiser("solve --scenario scenarios/horizon-2030.yaml"),
            Head("reports/horizon-2030/allocations.csv", 4),
        ]),
        Example("horizon-rolling", [
            Write("rolling.yaml", HORIZON_ROLLING), Cat("rolling.yaml"),
            Optimiser("solve --scenario rolling.yaml --no-report"),
        ]),
    ]),
    Session("assign", [
        Example("assign-national", [
            Optimiser("solve --quiet"),
            Optimiser("assign reports/baseline --graduates data/morocco-2024/graduates.csv"),
            Head("reports/assign-baseline-serial/assignments.csv", 4),
        ]),
        Example("assign-deferred", [
            Optimiser("assign reports/baseline --graduates data/morocco-2024/graduates.csv "
                      "--method deferred-acceptance"),
        ]),
        Example("assign-refusals", [
            Optimiser("assign reports/baseline --graduates data/morocco-2024/graduates.csv "
                      "--allow-refusals --out reports/assign-refusals"),
        ]),
    ]),
    Session("sweep-ttah", [
        Example("sweep-ttah", [Optimiser(
            "sweep scenarios/ttah-97.yaml --vary constraints.ttah-floor.min=60:300:20 --jobs 2")]),
    ]),
    Session("sweep-grid", [
        Example("sweep-grid", [
            Optimiser("sweep scenarios/ttah-97.yaml --vary constraints.ttah-floor.min=100:300:50 "
                      "--vary parameters.absence_penalty=2,4 --out reports/sweep-ttah",
                      shown="optimiser sweep scenarios/ttah-97.yaml "
                            "--vary constraints.ttah-floor.min=100:300:50 \\\n"
                            "    --vary parameters.absence_penalty=2,4 --out reports/sweep-ttah"),
            CutColumns("reports/sweep-ttah/sweep.csv",
                       ["constraints.ttah-floor.min", "parameters.absence_penalty", "status",
                        "objective", "unmet_need", "unmet_before", "posts_allocated",
                        "foreign_deployed", "gap", "posts_TTAH", "model"], 4),
        ]),
    ]),
    Session("compare", [
        Example("compare-china", [
            Optimiser("compare scenarios/baseline.yaml scenarios/china-plus-30.yaml"),
            Head("reports/compare-baseline-vs-china-plus-30/comparison.csv", 4),
        ], edits=[drop_table("By specialty", '"By specialty"'),
                  keep_rows("Delegations whose allocation changes", 8),
                  keep_rows("Foreign deployment changes", 5)]),
    ]),
    Session("explain-feasible", [
        Example("explain-feasible", [
            Write("ttah-200.yaml", TTAH_200), Cat("ttah-200.yaml"),
            Optimiser("explain ttah-200.yaml", show_exit=True),
        ]),
        Example("sensitivity-output", [Snippet("docs/whatif.md", "sensitivity")]),
    ]),
    Session("monotone", [
        Example("monotone-output", [Write("ttah-200.yaml", TTAH_200),
                                    Snippet("docs/whatif.md", "monotone")]),
    ]),
    Session("scenarios", [
        Example("scenario-solve", [
            Write("south-first.yaml", EXAMPLE_WHATIF),
            Cat("south-first.yaml"),
            Optimiser("solve --data data/example --scenario south-first.yaml --no-report"),
        ]),
        Example("scenario-errors", [
            Write("ttah-floor.yaml", BAD_SCENARIO), Cat("ttah-floor.yaml"),
            Optimiser("solve --data data/example --scenario ttah-floor.yaml", expect=2,
                      show_exit=True),
        ]),
    ]),
    Session("dataset", [
        Example("data-errors", [
            CopyTree("data/example", "my-data"),
            Write("my-data/posts.csv", BAD_POSTS), Cat("my-data/posts.csv"),
            Shown("iconv -f UTF-8 -t UTF-16 data/example/capacity.csv > my-data/capacity.csv",
                  _utf16("data/example/capacity.csv", "my-data/capacity.csv")),
            Optimiser("solve --data my-data", expect=2, show_exit=True),
        ]),
        Example("data-french-excel", [
            CopyTree("data/example", "fr-data"),
            Write("fr-data/specialties.csv", _french_excel("data/example/specialties.csv")),
            Cat("fr-data/specialties.csv"),
            Optimiser("solve --data fr-data --no-report --out reports/fr-data", head=2),
            Optimiser("solve --data data/example --no-report --out reports/example", head=2),
        ]),
    ]),
    Session("registry-national", [
        Example("registry-fresh", [Chain([Optimiser("solve --quiet"), Optimiser("runs list")])]),
    ], run_ids=True),
    Session("registry", [
        Example("registry-outcomes", [
            Write("sidi-ifni-ped.yaml", SIDI_IFNI_PED), Write("typo.yaml", TYPO),
            Optimiser("solve --data data/example --quiet"),
            Optimiser("solve --data data/example --scenario scenarios/no-foreign.yaml --quiet"),
            Cat("sidi-ifni-ped.yaml"),
            Optimiser("solve --data data/example --scenario sidi-ifni-ped.yaml --quiet",
                      expect=3, show_exit=True),
            Cat("typo.yaml"),
            Optimiser("solve --data data/example --scenario typo.yaml --quiet", expect=2,
                      show_exit=True),
            Optimiser("runs list"),
        ]),
        Example("registry-fingerprint", [
            Optimiser(f"runs show {RUN2} --json", into="run.json"),
            Python("import json; r = json.load(open('run.json')); print(r['dataset_sha256'])"),
            Sha256Sum("data/example"),
        ]),
        Example("registry-show", [Optimiser(f"runs show {RUN4}")]),
        Example("registry-show-json", [Optimiser(f"runs show {RUN2} --json", head=28)]),
        Example("registry-diff", [Optimiser(f"runs diff {RUN1} {RUN2}")],
                edits=[drop_table("By specialty", '"By specialty"')]),
        Example("registry-adopt", [
            Optimiser(f'runs adopt {RUN1} --note "Validated by the steering committee"'),
            Optimiser(f'runs adopt {RUN2} --note "Contingents withdrawn"'),
            Optimiser(f"runs show {RUN1}"),
            Optimiser("runs list"),
        ]),
        Example("registry-export", [
            Optimiser(f"runs export {RUN2} --out adopted-plan"),
            ListFolder("adopted-plan"),
            Optimiser(f"runs export {RUN2} --out scenarios", expect=2, show_exit=True),
        ]),
    ], run_ids=True),
    Session("registry-reproduce", [
        Example("registry-reproduce", [
            Optimiser("solve --data data/example --scenario scenarios/no-foreign.yaml "
                      "--no-timestamp --quiet --out example-plan"),
            Optimiser("runs list"),
            Optimiser(f"runs show {RUN1} --json", into="run.json"),
            Python("import json; print(json.load(open('run.json'))['scenario_yaml'], end='')",
                   into="again.yaml"),
            Optimiser("solve --data data/example --scenario again.yaml --no-timestamp "
                      "--no-record --quiet --out again"),
            Optimiser(f"runs export {RUN1} --out exported"),
            SameBytes("exported", "again", EXPORTED),
        ]),
    ], run_ids=True),
    Session("registry-future", [
        Example("registry-newer", [
            Hidden(_future_registry("future.sqlite3")),
            Optimiser("runs list --db sqlite:///future.sqlite3", expect=2, show_exit=True),
            Optimiser("solve --data data/example --quiet --db sqlite:///future.sqlite3",
                      expect=2, show_exit=True),
            Optimiser("solve --data data/example --quiet --db sqlite:///future.sqlite3 "
                      "--no-record", show_exit=True),
        ]),
    ]),
]


# --- running and writing -----------------------------------------------------------------------

def _optimiser_command() -> list[str]:
    """The `optimiser` executable beside this Python, else the CLI module."""
    script = Path(sys.executable).with_name("optimiser")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from optimiser.cli import run; run()"]


def _environment() -> dict[str, str]:
    """A terminal of fixed width, UTF-8, no colour, no raised limits, the repository importable."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("OPTIMISER_") and k not in ("FORCE_COLOR", "TERM", "COLUMNS",
                                                             "LINES")}
    env.update(COLUMNS=str(WIDTH), LINES="50", NO_COLOR="1", PYTHONUNBUFFERED="1",
               PYTHONIOENCODING="utf-8", PYTHONUTF8="1", LC_ALL="C.UTF-8", LANG="C.UTF-8",
               TZ="UTC", LOGNAME=USER, USER=USER, USERNAME=USER,
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    return env


def normalise(text: str, folder: Path) -> str:
    """Printed paths relative to the session folder, run times as `…`, no trailing spaces."""
    for prefix in sorted({str(folder), os.path.realpath(folder)}, key=len, reverse=True):
        text = text.replace(prefix + os.sep, "").replace(prefix, ".")
    for pattern, replacement in TIMINGS:
        text = pattern.sub(replacement, text)
    return strip_blank(text)


def run_session(session: Session, wanted: set[str] | None) -> dict[str, str]:
    """Run a session's examples in a fresh folder; the text of each block by example name."""
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix=f"docs-{session.name}-") as tmp:
        folder = Path(tmp)
        shutil.copytree(ROOT / "scenarios", folder / "scenarios")
        shutil.copytree(ROOT / "data" / "example", folder / "data" / "example")
        (folder / "data" / "morocco-2024").mkdir()  # the synthetic cohort, for `assign`
        shutil.copyfile(ROOT / "data" / "morocco-2024" / "graduates.csv",
                        folder / "data" / "morocco-2024" / "graduates.csv")
        # The examples record their runs in a registry of their own, never the user's.
        env = {**_environment(), "XDG_DATA_HOME": str(folder / ".registry")}
        ctx = Context(folder, _optimiser_command(), env)
        for example in session.examples:
            parts = [step.show(ctx) for step in example.steps]
            text = "\n".join(part for part in parts if part)
            if session.run_ids:
                text = ctx.shown_ids(text)
            for edit in example.edits:
                text = edit(text)
            if wanted is None or example.name in wanted or session.name in wanted:
                out[example.name] = normalise(text, folder)
    return out


def fenced(text: str) -> str:
    """The block as written between the markers."""
    return f"```\n{text}\n```\n"


def blocks_in(paths: Sequence[Path]) -> dict[str, list[Path]]:
    """Example names used by the docs, with the files using them."""
    used: dict[str, list[Path]] = {}
    for path in paths:
        for found in BLOCK.finditer(path.read_text(encoding="utf-8")):
            used.setdefault(found["name"], []).append(path)
    return used


def rewrite(path: Path, texts: dict[str, str], check: bool) -> list[str]:
    """Put each generated block in place (or, with `check`, compare); the differences found."""
    old = path.read_text(encoding="utf-8")
    problems: list[str] = []

    def replace(found: re.Match[str]) -> str:
        name = found["name"]
        if name not in texts:
            return found.group(0)
        new_body = fenced(texts[name])
        if check and VERSION.sub("HiGHS …", found["body"]) != VERSION.sub("HiGHS …", new_body):
            diff = difflib.unified_diff(found["body"].splitlines(), new_body.splitlines(),
                                        f"{path.name} (in the doc)", f"{name} (generated)",
                                        lineterm="", n=2)
            problems.append("\n".join(diff))
        return found.group(1) + new_body + found.group(4)

    new = BLOCK.sub(replace, old)
    if not check and new != old:
        path.write_text(new, encoding="utf-8")
        problems.append(f"{path.relative_to(ROOT)} updated")
    return problems


def name_errors(docs: list[Path], wanted: set[str] | None = None) -> list[str]:
    """Blocks of the docs naming no example, and (running all) examples shown in no doc, or
    (running some) names that are neither an example nor a session."""
    used = blocks_in(docs)
    defined = {e.name for s in SESSIONS for e in s.examples}
    errors = [f"{', '.join(str(p.relative_to(ROOT)) for p in paths)}: no example named {name!r}"
              for name, paths in used.items() if name not in defined]
    if wanted is None:
        errors += [f"example {name!r} is shown in no doc" for name in sorted(defined - set(used))]
    else:
        unknown = wanted - defined - {s.name for s in SESSIONS}
        errors += [f"no example or session named {name!r}" for name in sorted(unknown)]
    return errors


def main(argv: Sequence[str] | None = None) -> int:
    """Run the examples; write the blocks, or with --check report every difference."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare only: exit 1 when a block differs from the current output")
    parser.add_argument("names", nargs="*", help="examples or sessions to run (default: all)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2,
                        help="sessions run at the same time")
    args = parser.parse_args(argv)
    docs = documents()
    wanted = set(args.names) or None
    errors = name_errors(docs, wanted)
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    sessions = [s for s in SESSIONS if wanted is None or s.name in wanted
                or any(e.name in wanted for e in s.examples)]
    sessions.sort(key=lambda s: s.name not in SLOW)  # the longest first: better packing
    texts: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_session, s, wanted) for s in sessions]
        try:
            for future in futures:
                texts.update(future.result())
        except ExampleFailed as exc:
            print(f"example failed: {exc}", file=sys.stderr)
            return 1
    problems = [p for path in docs for p in rewrite(path, texts, args.check)]
    if problems:
        print("\n\n".join(problems), file=sys.stderr if args.check else sys.stdout)
    if args.check and problems:
        print("\nthe docs are stale: run `python -m docs.examples` and review the diff",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
