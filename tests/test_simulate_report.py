"""The report section "Where posts may stay empty" (UPTAKE.md): shown when the plan has
p_accept or a simulation of it lies beside it, exact figures, in French, English and Arabic;
absent otherwise, the report then unchanged byte for byte."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from simulate_support import UPTAKE, inject_p, meta, random_p, run, solve_example
from test_report_i18n import ENGLISH, report_words
from test_report_support import parse_report

from optimiser.cli import main
from optimiser.report import write_reports


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example dataset's plan, solved once for the module."""
    return solve_example(tmp_path_factory.mktemp("solved") / "plan")


@pytest.fixture()
def plan(solved: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "plan"
    shutil.copytree(solved, folder)
    return folder


def test_report_section_after_a_simulation(plan: Path, tmp_path: Path) -> None:
    uptake = tmp_path / "uptake.csv"
    uptake.write_text(UPTAKE, encoding="utf-8")
    assert run(plan, "--draws", 2000, "--uptake", uptake, "--quiet").exit_code == 0
    result = CliRunner().invoke(main, ["report", str(plan), "--lang", "en", "--no-timestamp"])
    assert result.exit_code == 0, result.output  # the simulation folder is listed as ours
    report = parse_report(plan)
    header, *rows = report.tables["uptake"]
    assert header == ["Code", "Name", "Specialty", "Posts", "Probability a post is taken",
                      "Expected arrivals", "Expected empty posts",
                      "Probability that no doctor arrives"]
    # sorted by expected empty posts: TINGHIR CHIR has 7 posts at p = 0.4 -> 4.2 empty
    assert rows[0][0] == "TINGHIR" and rows[0][3:] == ["7", "40.0%", "2.80", "4.20", "2.8%"]
    empty = [float(r[6]) for r in rows]
    assert empty == sorted(empty, reverse=True) and len(rows) == 9
    tata = [r for r in rows if r[0] == "TATA" and r[2].startswith("ANES")][0]
    assert tata[3:] == ["2", "30.0%", "0.60", "1.40", "49.0%"]  # (1 - 0.3)^2 = 0.49
    page = (plan / "report.html").read_text(encoding="utf-8")
    document = json.loads((plan / "simulation" / "simulation.json").read_text(encoding="utf-8"))
    assert "Simulation (2,000 draws, seed 0): mean weighted unmet need " \
           f"{document['unmet_need']['mean']:,.1f}" in page
    assert 'href="#uptake"' in page
    summary = (plan / "summary.md").read_text(encoding="utf-8")
    assert "## Where posts may stay empty" in summary
    assert "1. Tinghir (CHIR): 7 posts, p = 40%, none arrives: 3%" in summary


def test_report_section_from_the_plan_alone(plan: Path) -> None:
    inject_p(plan, {("TATA", "ANES"): 0.25, ("TINGHIR", "PED"): 0.5})
    write_reports(plan, lang="fr", timestamp=False)
    report = parse_report(plan)
    header, *rows = report.tables["uptake"]
    assert [r[0] for r in rows] == ["TINGHIR", "TATA"]  # 2.0 then 1.5 expected empty posts
    assert rows[1][3:] == ["2", "25,0\u202f%", "0,50", "1,50", "56,2\u202f%"]  # 0.75^2
    page = (plan / "report.html").read_text(encoding="utf-8")
    assert "Simulation (" not in page and "tirages" not in page
    book = openpyxl.load_workbook(plan / "plan.xlsx")
    assert {"Postes vacants", "Postes vacants (synthèse)"} <= set(book.sheetnames)
    sheet = book["Postes vacants (synthèse)"]
    assert [c.value for c in sheet["B"]][1:4] == [36, 32.5, 3.5]


def test_no_uptake_data_no_section_and_stale_simulations_ignored(plan: Path) -> None:
    write_reports(plan, lang="fr", timestamp=False)
    files = {name: (plan / name).read_bytes() for name in ("report.html", "plan.xlsx",
                                                           "summary.md")}
    assert b'id="uptake"' not in files["report.html"]
    inject_p(plan, random_p(plan))
    assert run(plan, "--draws", 100, "--quiet").exit_code == 0
    inject_p(plan, 1.0)  # a new plan.json: the simulation no longer describes it ...
    data = meta(plan)
    for row in data["delegations"]:
        del row["p_accept"]  # ... and the plan has no probabilities of its own
    (plan / "plan.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    write_reports(plan, lang="fr", timestamp=False)
    for name, content in files.items():
        assert (plan / name).read_bytes() == content, name


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_section_has_no_english_in_french_or_arabic(plan: Path, lang: str) -> None:
    inject_p(plan, random_p(plan))
    assert run(plan, "--draws", 100, "--quiet").exit_code == 0
    write_reports(plan, lang=lang, timestamp=False)
    page = (plan / "report.html").read_text(encoding="utf-8")
    assert '<section id="uptake">' in page
    leaks = sorted({w for w in report_words(plan, meta(plan)) if w.lower() in ENGLISH})
    assert leaks == [], leaks
