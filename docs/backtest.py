"""Write, or check, docs/backtest-2025.md: the 2025 round as published against the model.

Usage (from the repository root, with the project installed):

    python -m docs.backtest            # write docs/backtest-2025.md
    python -m docs.backtest --check    # exit 1 when docs/backtest-2025.md differs

The published figures are in data/sources/backtest-2025/ (round_2025.csv: posts per region or
province; national_2025.csv: the size of the 2025 promotion), with their provenance. The model's
2025 round is the embedded 2024 dataset moved on by one year: the 2025 posts (the promotion's
size, split over specialties like the 2024 posts) planned on the staff the model's own 2024 plan
leaves, with the baseline scenario. It is a comparison, not a fit: nothing here changes a
weight, a norm or a parameter, so that the gap to the published figures says something about
the model rather than about how it was tuned.

The page is written deterministically (no dates, rows sorted, fixed number formats), so that
`--check` can tell a stale page from a current one.
"""

from __future__ import annotations

import argparse
import difflib
import shutil
import sys
import tempfile
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimiser.pipeline import BASELINE_SCENARIO, Run, load_inputs, run_scenario

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "data" / "morocco-2024"
SOURCES = ROOT / "data" / "sources" / "backtest-2025"
DOC = ROOT / "docs" / "backtest-2025.md"
PROMOTION = 2025
LEVELS = ("region", "province")
"""The levels of round_2025.csv, in the order the page shows them."""
WIDTH = 96
"""Line length of the page's prose (tables are not wrapped)."""
ROUND_INDICATOR = "promotion_2025_specialists"
POSTS_SOURCE = ("estimate (docs/backtest.py): 2025 round = the {total} specialists of the 2025 "
                "promotion (data/sources/backtest-2025/national_2025.csv), split over "
                "specialties in proportion to the 2024 posts of data/morocco-2024/posts.csv, "
                "largest-remainder rounding")
STAFF_SOURCE = ("estimate (docs/backtest.py): current = staff after the model's 2024 baseline "
                "plan's national posts (its foreign doctors serve one year: the contingents "
                "are offered again in 2025); departures = the 2024 expected departures of "
                "data/morocco-2024/workforce.csv")


class BacktestError(Exception):
    """The published figures or the model's round cannot be compared (bad code, no plan)."""


@dataclass(frozen=True)
class Backtest:
    """Everything the page shows, computed once."""

    published: pd.DataFrame
    """round_2025.csv: level, code, name_fr, posts, source."""
    round_total: int
    """Posts of the 2025 round (estimate: the size of the 2025 promotion)."""
    posts: pd.DataFrame
    """Per specialty: posts_2024 (both promotions) and posts (2025, the estimate)."""
    run_2024: Run
    run_2025: Run
    clamped_departures: int
    """Pairs whose 2024 departures exceeded their 2025 staff and were lowered to it."""
    tables: dict[str, pd.DataFrame]
    """Per level: the published figure against the model's, one row per published figure."""


# --- the published figures -------------------------------------------------------------------

def read_published(dataset: Path = DATASET) -> pd.DataFrame:
    """round_2025.csv, checked: each row's code exists at its level and has a source."""
    table = pd.read_csv(SOURCES / "round_2025.csv", dtype={"code": str, "posts": "int64"},
                        keep_default_na=False)
    known = {"region": set(pd.read_csv(dataset / "regions.csv")["region_code"]),
             "province": set(pd.read_csv(dataset / "delegations.csv")["delegation_code"])}
    problems = [f"line {i + 2}: unknown {row.level} code {row.code!r}"
                for i, row in enumerate(table.itertuples())
                if row.code not in known.get(row.level, set())]
    problems += [f"line {i + 2}: no source" for i, row in enumerate(table.itertuples())
                 if not str(row.source).strip()]
    if table.duplicated(["level", "code"]).any():
        problems.append("a level and code appear twice")
    if problems:
        raise BacktestError("round_2025.csv: " + "; ".join(problems))
    order = {level: i for i, level in enumerate(LEVELS)}
    return (table.assign(_order=table["level"].map(order)).sort_values(["_order", "code"])
            .drop(columns="_order").reset_index(drop=True))


def read_round_total() -> int:
    """The size of the 2025 promotion, taken as the size of the 2025 round (an estimate)."""
    table = pd.read_csv(SOURCES / "national_2025.csv").set_index("indicator")
    return int(table.loc[ROUND_INDICATOR, "value"])


# --- the model's 2025 round --------------------------------------------------------------------

def largest_remainder(weights: pd.Series, total: int) -> pd.Series:
    """Whole numbers proportional to `weights` that sum to `total` (Hamilton's method).

    Each gets the floor of its quota; the seats left go to the largest remainders, ties to the
    first in the series' order (here: specialty code), so the split is reproducible.
    """
    quota = weights.astype(float) * total / float(weights.sum())
    seats = np.floor(quota).astype("int64")
    left = total - int(seats.sum())
    order = sorted(range(len(quota)), key=lambda i: (-(quota.iloc[i] - seats.iloc[i]), i))
    for i in order[:left]:
        seats.iloc[i] += 1
    return seats


def posts_2025(total: int, dataset: Path = DATASET) -> pd.DataFrame:
    """The 2025 posts per specialty: `total` split like the 2024 posts (an estimate)."""
    posts = pd.read_csv(dataset / "posts.csv")
    by_specialty = posts.groupby("specialty_code", sort=True)["posts"].sum()
    return pd.DataFrame({"posts_2024": by_specialty,
                         "posts": largest_remainder(by_specialty, total)})


def workforce_2025(run_2024: Run) -> tuple[pd.DataFrame, int]:
    """Staff a year on: the 2024 plan's staff after without its foreign doctors (contingents
    serve one year at a time and are offered again in 2025), with the 2024 departures again.

    A departure cannot exceed the staff (the data contract's rule): such a pair's departures
    are lowered to its staff, and the number of pairs so lowered is returned with the table.
    """
    d = run_2024.plan.delegations
    current = (d["staff_after"] - d["foreign"]).astype("int64")
    departures = np.minimum(d["departures"].astype("int64"), current)
    table = pd.DataFrame({"delegation_code": d["delegation"], "specialty_code": d["specialty"],
                          "current": current, "departures": departures,
                          "source": STAFF_SOURCE})
    clamped = int((departures < d["departures"]).sum())
    return table.sort_values(["delegation_code", "specialty_code"]), clamped


def write_dataset(folder: Path, posts: pd.DataFrame, workforce: pd.DataFrame,
                  total: int) -> None:
    """A copy of the embedded dataset with the 2025 posts.csv and workforce.csv."""
    shutil.copytree(DATASET, folder)
    table = pd.DataFrame({"promotion": PROMOTION, "specialty_code": posts.index,
                          "posts": posts["posts"].to_numpy(),
                          "source": POSTS_SOURCE.format(total=total)})
    table.to_csv(folder / "posts.csv", index=False)
    workforce.to_csv(folder / "workforce.csv", index=False)


def solved(run: Run, what: str) -> Run:
    """The run, if it has a plan; the comparison needs one."""
    if run.plan is None:
        raise BacktestError(f"{what}: no plan ({run.result.status.value})")
    return run


def compute() -> Backtest:
    """Solve the 2024 baseline, move the dataset on to 2025, solve it, compare."""
    published = read_published()
    total = read_round_total()
    run_2024 = solved(run_scenario(load_inputs(None, None)), "the 2024 baseline")
    posts = posts_2025(total)
    workforce, clamped = workforce_2025(run_2024)
    with tempfile.TemporaryDirectory(prefix="backtest-2025-") as tmp:
        folder = Path(tmp) / "morocco-2025"
        write_dataset(folder, posts, workforce, total)
        run_2025 = solved(run_scenario(load_inputs(folder, BASELINE_SCENARIO)),
                          "the 2025 back-test")
    tables = compare(published, run_2025, total)
    return Backtest(published, total, posts, run_2024, run_2025, clamped, tables)


# --- the comparison ----------------------------------------------------------------------------

def model_by_level(run: Run) -> dict[str, pd.DataFrame]:
    """The model's national posts and foreign doctors per region and per province."""
    d = run.plan.delegations
    return {"region": d.groupby("region", sort=True)[["posts", "foreign"]].sum(),
            "province": d.groupby("delegation", sort=True)[["posts", "foreign"]].sum()}


def compare(published: pd.DataFrame, run: Run, total: int) -> dict[str, pd.DataFrame]:
    """Per level, one row per published figure: published and model posts, differences and
    shares (published and model national posts over `total`; posts and foreign doctors over
    `total` plus the model's foreign doctors)."""
    model = model_by_level(run)
    foreign_total = int(run.plan.delegations["foreign"].sum())
    region_of = run.plan.delegations.groupby("delegation")["region"].first()
    tables = {}
    for level in LEVELS:
        rows = published[published["level"] == level]
        got = model[level].reindex(rows["code"]).fillna(0).astype("int64")
        table = pd.DataFrame({
            "code": rows["code"].to_numpy(), "name": rows["name_fr"].to_numpy(),
            "published": rows["posts"].to_numpy(),
            "model": got["posts"].to_numpy(),
            "model_foreign": (got["posts"] + got["foreign"]).to_numpy()})
        if level == "province":
            table.insert(2, "region", region_of.reindex(table["code"]).to_numpy())
        table["difference"] = table["model"] - table["published"]
        table["difference_foreign"] = table["model_foreign"] - table["published"]
        table["published_share"] = table["published"] / total
        table["model_share"] = table["model"] / total
        table["model_foreign_share"] = table["model_foreign"] / (total + foreign_total)
        tables[level] = table
    return tables


# --- the page ----------------------------------------------------------------------------------

def n(value: float) -> str:
    """A whole number with thousands separators."""
    return f"{int(value):,}"


def signed(value: float) -> str:
    """A difference with its sign (`+3`, `-9`, `0`)."""
    return f"{int(value):+,}" if value else "0"


def pct(value: float) -> str:
    """A share as a percentage with one decimal."""
    return f"{100 * value:.1f}%"


def layout(lines: Sequence[str]) -> list[str]:
    """Prose lines wrapped at the docs' line length; list items keep a hanging indent, headings
    and table rows stay whole, and links and code spans are never split."""
    out = []
    for line in lines:
        if not line or line.startswith(("|", "#")):
            out.append(line)
            continue
        item = line.startswith("- ")
        out += textwrap.wrap(line[2:] if item else line, WIDTH,
                             initial_indent="- " if item else "",
                             subsequent_indent="  " if item else "",
                             break_long_words=False, break_on_hyphens=False)
    return out


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]],
                   right: Sequence[bool]) -> list[str]:
    """A Markdown table; `right` says which columns hold numbers."""
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" if r else "---" for r in right) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def comparison_lines(bt: Backtest, level: str) -> list[str]:
    """The table of one level, with a total row over the published figures."""
    table = bt.tables[level]
    names = ["code", "name"] + (["region"] if level == "province" else [])
    header = [*names, "published", "model posts", "difference", "model posts + foreign",
              "difference", "published share", "model share", "model share (+ foreign)"]
    rows = [[*(str(row[c]) for c in names), n(row["published"]), n(row["model"]),
             signed(row["difference"]), n(row["model_foreign"]),
             signed(row["difference_foreign"]), pct(row["published_share"]),
             pct(row["model_share"]), pct(row["model_foreign_share"])]
            for _, row in table.iterrows()]
    total = table[["published", "model", "model_foreign", "difference", "difference_foreign",
                   "published_share", "model_share", "model_foreign_share"]].sum()
    rows.append(["total", *([""] * (len(names) - 1)), n(total["published"]), n(total["model"]),
                 signed(total["difference"]), n(total["model_foreign"]),
                 signed(total["difference_foreign"]), pct(total["published_share"]),
                 pct(total["model_share"]), pct(total["model_foreign_share"])])
    return markdown_table(header, rows, [False] * len(names) + [True] * 8)


def relative(difference: float, published: float) -> str:
    """A difference as a share of the published figure."""
    return pct(difference / published) if published else "n/a"


def reading_lines(bt: Backtest) -> list[str]:
    """The reading of the tables, sentence by sentence from the numbers (nothing by hand)."""
    rows = pd.concat([bt.tables[level].assign(level=level) for level in LEVELS],
                     ignore_index=True)
    lines = []
    for label, column in (("national posts", "difference"),
                          ("national posts and foreign doctors together", "difference_foreign")):
        below, above = rows[rows[column] < 0], rows[rows[column] > 0]
        equal = rows[rows[column] == 0]
        lines.append(f"- Counting {label}, the model is below {len(below)} of the {len(rows)} "
                     f"published figures, above {len(above)} and equal to {len(equal)}.")
    for _, row in rows.iterrows():
        gap = row["difference"]
        where = "equal to" if gap == 0 else ("below" if gap < 0 else "above")
        by = "" if gap == 0 else (f" by {n(abs(gap))} ({relative(abs(gap), row['published'])}"
                                  " of the published figure)")
        extra = ""
        if row["model_foreign"] != row["model"]:
            extra = (f"; with its {n(row['model_foreign'] - row['model'])} foreign doctors, "
                     f"{n(row['model_foreign'])} ({signed(row['difference_foreign'])})")
        lines.append(f"- {row['name']} ({row['level']}): the model gives {n(row['model'])} "
                     f"national posts, {where} the published {n(row['published'])}{by}{extra}.")
    for level in LEVELS:
        table = bt.tables[level]
        lines.append(f"- The {len(table)} published {level} figures add up to "
                     f"{n(table['published'].sum())} posts ({pct(table['published_share'].sum())}"
                     f" of {n(bt.round_total)}); the model gives them {n(table['model'].sum())} "
                     f"({pct(table['model_share'].sum())}).")
    return lines


def assumption_lines(bt: Backtest) -> list[str]:
    """What the model's 2025 round is made of, each estimate named as such."""
    plan_2024, plan_2025 = bt.run_2024.plan, bt.run_2025.plan
    staff = bt.run_2025.plan.delegations
    return [
        f"- **2025 posts: {n(bt.round_total)}** (estimate). The press reports "
        f"{n(bt.round_total)} specialists in the 2025 promotion; the round is taken to open "
        "one post per specialist. The round's published national total is not held here.",
        "- **Split over specialties** (estimate): the 2025 posts shared in proportion to the "
        f"2024 posts of `data/morocco-2024/posts.csv` ({n(bt.posts['posts_2024'].sum())} posts, "
        "both promotions), whole numbers by the largest-remainder method (ties to the first "
        "specialty code); one promotion, 2025. The published split by specialty is not held.",
        f"- **Staff at the start of 2025** (estimate): the staff after the model's own 2024 "
        f"plan, {n(staff['current'].sum())} specialists "
        f"({n(plan_2024.delegations['staff_before'].sum())} after the 2024 departures, plus "
        f"the baseline plan's {n(plan_2024.delegations['posts'].sum())} national posts; its "
        f"{n(plan_2024.delegations['foreign'].sum())} foreign doctors are not carried over); not "
        "the posts actually "
        "given in 2024, which are not published by delegation and specialty.",
        f"- **Departures in 2025** (estimate): the 2024 expected departures again, "
        f"{n(staff['departures'].sum())} in all ({bt.clamped_departures} pairs lowered to "
        "their staff).",
        "- **Foreign doctors**: the contingents of the dataset are offered again in 2025 "
        f"(the model places {n(plan_2025.delegations['foreign'].sum())}), as contingents serve "
        "one year at a time: the foreign doctors of the 2024 plan are not in the 2025 staff.",
        "- **Everything else** as in the embedded dataset and the baseline scenario "
        "(`scenarios/baseline.yaml`): populations, priorities, norms, specialty weights, "
        "capacities, dependencies and parameters. No weight, norm or parameter was changed to "
        "approach the published figures.",
    ]


def specialty_lines(bt: Backtest) -> list[str]:
    """The estimated 2025 posts per specialty, next to the 2024 posts they come from."""
    posts = bt.posts
    rows = [[code, n(row["posts_2024"]), pct(row["posts_2024"] / posts["posts_2024"].sum()),
             n(row["posts"])] for code, row in posts.iterrows()]
    rows.append(["total", n(posts["posts_2024"].sum()), pct(1.0), n(posts["posts"].sum())])
    return markdown_table(["specialty", "2024 posts", "2024 share", "2025 posts (estimate)"],
                          rows, [False, True, True, True])


def render(bt: Backtest) -> str:
    """The whole page."""
    plan = bt.run_2025.plan
    result = bt.run_2025.result
    lines = [
        "# Back-test: the 2025 round as published against the model",
        "",
        "*Generated by `python -m docs.backtest` from `data/sources/backtest-2025/` and the "
        "embedded dataset; do not edit by hand. `python -m docs.backtest --check` fails when "
        "this page is stale.*",
        "",
        "The press published some regional and provincial figures of the 2025 round of "
        "specialist appointments. This page sets them against what the model would have done "
        f"with the same number of posts, {n(bt.round_total)}. **It is a comparison, not a fit**: "
        "the model runs with the weights, norms and parameters it has for every plan; none was "
        "changed to come closer to these figures. A gap does not by itself say which side is "
        "wrong: the ministry weighs things the model does not see, and many of the model's "
        "inputs are estimates. The published figures, their provenance and their limits are in "
        "[data/sources/backtest-2025/README.md](../data/sources/backtest-2025/README.md).",
        "",
        "## The model's 2025 round",
        "The embedded dataset (`data/morocco-2024/`, the 2024 round) moved on by one year, in a "
        "temporary copy with a new `posts.csv` and `workforce.csv`:",
        "",
        *assumption_lines(bt),
        "",
        *specialty_lines(bt),
        "",
        f"Solved with the baseline scenario: {result.status.value} ({result.solver}); weighted "
        f"unmet need {plan.unmet_before:,.1f} before, {plan.unmet_after:,.1f} after; "
        f"{n(plan.delegations['posts'].sum())} national posts and "
        f"{n(plan.delegations['foreign'].sum())} foreign doctors placed; "
        f"{n(plan.delegations.groupby('delegation')['posts'].sum().gt(0).sum())} delegations "
        "receive at least one national post.",
        "",
        "## Published figures against the model",
        f"*published*: the press figure; *model posts*: the model's national posts; *model posts "
        "+ foreign*: with the foreign doctors it places there (the published figures count "
        "national posts only, so this column is context). A difference is the model's figure "
        f"minus the published one. Shares: published and model posts over {n(bt.round_total)} "
        "(the round's posts; the published share takes the same denominator, the round's "
        f"published total not being held); model posts + foreign over {n(bt.round_total)} + "
        f"{n(plan.delegations['foreign'].sum())} foreign doctors.",
        "",
        "### Regions",
        *comparison_lines(bt, "region"),
        "",
        "### Provinces",
        *comparison_lines(bt, "province"),
        "",
        "## Reading",
        *reading_lines(bt),
        "",
        "## Limits",
        "- **Estimates.** The round's size (the promotion's), its split by specialty, the staff "
        "at the start of 2025 and the departures are estimates (above); so are most inputs of "
        "the embedded dataset (`data/morocco-2024/SOURCES.md`). A different split by specialty "
        "alone could move a province's posts.",
        f"- **Partial published data.** Only {len(bt.published)} figures are held: "
        f"{len(bt.tables['region'])} regions and {len(bt.tables['province'])} provinces, as "
        "compiled from press reports (the articles themselves are not held here). The other "
        "regions and provinces, the round's national total and its split by specialty are not "
        "published here, so the comparison cannot say where the rest of the posts went.",
        "- **Posts, not arrivals.** Both sides count posts; neither says how many doctors took "
        "them up.",
        "- **A comparison, not a fit.** Nothing was tuned to these figures; a closer match "
        "obtained by tuning would say nothing about the model.",
        "",
    ]
    return "\n".join(layout(lines))


# --- command line ------------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    """Write the page, or with --check say whether it is current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare only: exit 1 when docs/backtest-2025.md differs")
    args = parser.parse_args(argv)
    try:
        text = render(compute())
    except BacktestError as exc:
        print(f"back-test failed: {exc}", file=sys.stderr)
        return 1
    current = DOC.read_text(encoding="utf-8") if DOC.is_file() else ""
    if args.check:
        if current == text:
            return 0
        diff = difflib.unified_diff(current.splitlines(), text.splitlines(),
                                    "docs/backtest-2025.md", "expected", lineterm="")
        print("\n".join(diff), file=sys.stderr)
        print("\nthe page is stale: run `python -m docs.backtest` and review the diff",
              file=sys.stderr)
        return 1
    if current != text:
        DOC.write_text(text, encoding="utf-8")
        print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
