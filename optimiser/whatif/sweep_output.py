"""The sweep folder: sweep.csv and its plot, or the finished part of an interrupted sweep.

An interrupted sweep (Ctrl-C, SIGTERM) keeps what it solved: the folder then holds sweep.csv
with the finished points only and `sweep.partial.json`, the same rows with their grid
positions and a fingerprint of what was swept (scenario file, dataset files, the varied
PATHs and values, --rebuild). `--resume` reads it back and solves only the missing points;
it refuses a folder whose fingerprint differs, since mixing two sweeps would be silently
wrong.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from optimiser.errors import InputError, InputIssue
from optimiser.folders import read_marker, write_folder
from optimiser.whatif.paths import Vary
from optimiser.whatif.sweep import Row, SweepSpec, sweep_table

PARTIAL = "sweep.partial.json"


def fingerprint(spec: SweepSpec, data_dir: Path) -> str:
    """A hash of everything a sweep's rows depend on (not of --jobs: rows do not): the
    scenario file, the dataset's fingerprint (the registry's), the grid and --rebuild."""
    from optimiser.data.fingerprint import dataset_sha256

    digest = hashlib.sha256()
    digest.update(Path(spec.scenario_path).read_bytes())
    digest.update(str(dataset_sha256(Path(data_dir))).encode())
    grid = [[v.path, [repr(x) for x in v.values]] for v in spec.varies]
    digest.update(json.dumps([grid, spec.reuse]).encode())
    return digest.hexdigest()


def plot_sweep(table: pd.DataFrame, varies: tuple[Vary, ...], path: Path, title: str) -> None:
    """Unmet need against the first PATH; one line per value of the second PATH, if any."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    x_path = varies[0].path
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool)
                  for v in varies[0].values)
    positions = {v: (v if numeric else i) for i, v in enumerate(varies[0].values)}
    groups = [(None, table)] if len(varies) == 1 else [
        (value, table[table[varies[1].path].map(repr) == repr(value)])
        for value in varies[1].values]
    missing = 0
    for value, part in groups:
        ok = part[part["unmet_need"].notna()]
        missing += len(part) - len(ok)
        xs = [positions[v] for v in ok[x_path]]
        label = None if value is None else f"{varies[1].path} = {value}"
        ax.plot(xs, ok["unmet_need"].astype(float), marker="o", label=label)
    if not numeric:
        ax.set_xticks(list(positions.values()), [str(v) for v in positions])
    ax.set_xlabel(x_path)
    ax.set_ylabel("weighted unmet need after the plan")
    note = f" ({missing} point(s) without a plan not shown)" if missing else ""
    ax.set_title(f"{title}{note}", fontsize=10)
    ax.grid(True, alpha=0.3)
    if len(groups) > 1:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120, metadata={"Date": None} if path.suffix == ".svg" else None)
    plt.close(fig)


def write_sweep(out: Path, table: pd.DataFrame, varies: tuple[Vary, ...], title: str,
                plot_format: str = "png", protected: Iterable[Path] = ()) -> Path:
    """sweep.csv and sweep.<png|svg> in `out`, written atomically (`folders.write_folder`)."""
    def fill(tmp: Path) -> None:
        table.to_csv(tmp / "sweep.csv", index=False, lineterminator="\n", float_format="%.9g")
        plot_sweep(table, varies, tmp / f"sweep.{plot_format}", title)

    return write_folder(out, fill, "sweep", protected, {"complete": True})


def write_partial(out: Path, spec: SweepSpec, done: dict[int, Row], total: int, key: str,
                  protected: Iterable[Path] = ()) -> Path:
    """The finished points of an interrupted sweep: sweep.csv (those rows, grid order) and
    sweep.partial.json (rows by grid position, for --resume). No plot: it would mislead."""
    from optimiser.output import json_ready

    positions = sorted(done)

    def fill(tmp: Path) -> None:
        table = sweep_table(spec.varies, [done[i] for i in positions])
        table.to_csv(tmp / "sweep.csv", index=False, lineterminator="\n", float_format="%.9g")
        state = {"fingerprint": key, "points": total, "done": len(positions),
                 "rows": [[i, json_ready(done[i])] for i in positions]}
        (tmp / PARTIAL).write_text(json.dumps(state, ensure_ascii=False, allow_nan=False),
                                   encoding="utf-8")

    return write_folder(out, fill, "sweep", protected, {"complete": False})


def read_partial(out: Path, key: str) -> dict[int, Row] | None:
    """Rows of an interrupted sweep in `out` to resume; None when `out` holds a complete one.

    Raises InputError when there is nothing to resume, or when it was another sweep.
    """
    out = Path(out)
    marker = read_marker(out) if out.is_dir() else None

    def refuse(message: str) -> InputError:
        return InputError([InputIssue(str(out), None, None, None, message)])

    if marker is None or marker.get("kind") != "sweep":
        raise refuse("--resume: no sweep written by optimiser here (give the --out of the "
                     "interrupted sweep)")
    if marker.get("complete"):
        return None
    try:
        state = json.loads((out / PARTIAL).read_text(encoding="utf-8"))
        rows = {int(i): dict(row) for i, row in state["rows"]}
        stored = state["fingerprint"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise refuse(f"--resume: {PARTIAL} is unreadable ({exc})") from exc
    if stored != key:
        raise refuse("--resume: this sweep was started with another scenario file, dataset, "
                     "grid or --rebuild; run it without --resume (and another --out) instead")
    return rows
