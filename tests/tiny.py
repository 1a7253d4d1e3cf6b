"""Write tiny datasets and scenarios from Python literals, and run the CLI in-process."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import yaml
from checker import check_plan
from click.testing import CliRunner

from optimiser.cli import main


def write_csv(path: Path, rows: list[dict]) -> None:
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def dataset(folder: Path, *, delegations: list[tuple], specialties: list[tuple],
            posts: list[tuple], workforce: list[tuple] = (), capacity: list[tuple] = (),
            contingents: list[dict] = (), supply: list[tuple] = ()) -> Path:
    """delegations: (code, region, population, weight); specialties: (code, norm, presence,
    weight); posts: (promotion, specialty, posts); workforce: (d, s, current, departures);
    capacity: (d, s, max_new); supply: (contingent, specialty, size)."""
    folder.mkdir(parents=True, exist_ok=True)
    regions = sorted({d[1] for d in delegations})
    write_csv(folder / "regions.csv",
              [{"region_code": r, "name_fr": f"Région {r}"} for r in regions])
    write_csv(folder / "delegations.csv", [
        {"delegation_code": c, "name_fr": f"Délégation {c}", "name_ar": "إقليم", "region_code": r,
         "population": p, "priority_weight": w} for c, r, p, w in delegations])
    write_csv(folder / "specialties.csv", [
        {"specialty_code": c, "name_fr": c, "norm_per_100k": n, "min_presence": m, "weight": w}
        for c, n, m, w in specialties])
    write_csv(folder / "posts.csv", [
        {"promotion": p, "specialty_code": s, "posts": n} for p, s, n in posts])
    if workforce:
        write_csv(folder / "workforce.csv", [
            {"delegation_code": d, "specialty_code": s, "current": c, "departures": dep}
            for d, s, c, dep in workforce])
    if capacity:
        write_csv(folder / "capacity.csv", [
            {"delegation_code": d, "specialty_code": s, "max_new": n} for d, s, n in capacity])
    if contingents:
        write_csv(folder / "contingents.csv", list(contingents))
        write_csv(folder / "contingent_supply.csv", [
            {"contingent_code": c, "specialty_code": s, "size": n} for c, s, n in supply])
    return folder


def scenario(path: Path, **content: object) -> Path:
    content = {"name": "test", **content}
    path.write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def solve(data: Path, scenario_path: Path | None, out: Path) -> tuple[int, str, dict | None]:
    """Run `optimiser solve` in-process; returns exit code, output and plan.json (if written)."""
    args = ["solve", "--data", str(data), "--out", str(out), "--quiet", "--no-report"]
    if scenario_path is not None:
        args += ["--scenario", str(scenario_path)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    plan_file = out / "plan.json"
    plan = None
    if result.exit_code == 0 and plan_file.exists():
        plan = json.loads(plan_file.read_text(encoding="utf-8"))
        # Every plan a test produces is re-checked by the independent checker.
        report = check_plan(data, scenario_path, plan)
        assert report.ok, str(report)
    return result.exit_code, result.output, plan


def _per_pair(rows: list[dict], value: str) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["delegation"], row["specialty"])
        out[key] = out.get(key, 0) + row[value]
    return out


def posts_of(plan: dict) -> dict[tuple[str, str], int]:
    """National posts per (delegation, specialty), summed over promotions."""
    return _per_pair(plan["allocations"], "posts")


def foreign_of(plan: dict) -> dict[tuple[str, str], int]:
    """Foreign doctors per (delegation, specialty), summed over contingents."""
    return _per_pair(plan["foreign"], "doctors")


def valid_dataset(folder: Path) -> Path:
    """A small valid dataset touching every file (contingent included): the base that the
    bad-input tests break one cell at a time."""
    return dataset(
        folder,
        delegations=[("D1", "R1", 100000, 1), ("D2", "R2", 50000, 1.5)],
        specialties=[("ANES", 2.0, 2, 1.0), ("GYN", 3.0, 1, 1.0)],
        posts=[(2024, "ANES", 2), (2023, "GYN", 1)],
        workforce=[("D1", "ANES", 3, 1)],
        capacity=[("D2", "GYN", 2)],
        contingents=[{"contingent_code": "CN", "name": "Mission", "origin": "CN", "min_team": 1,
                      "max_sites": 2, "cost_per_doctor": 10, "eligible": "R2"}],
        supply=[("CN", "ANES", 2)],
    )


def edit_file(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a file by `new` (which must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
