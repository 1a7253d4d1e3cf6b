"""The HTML report in headless Chromium (needs /usr/bin/chromium): it opens without console
errors in every language, its script runs under its Content-Security-Policy and sorts and
filters the delegation x specialty table, the Arabic page is laid out right to left, the
print layout fits A4 landscape, and report.pdf prints."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_report_support import copy_fixture

from optimiser.report import write_reports
from optimiser.report.browser import CHROMIUM, dump_dom, screenshot
from optimiser.report.command import report_command
from optimiser.report.pdf import print_pdf

pytestmark = [
    pytest.mark.chromium,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"{CHROMIUM} not found: install Debian's `chromium` package to "
                              "check that the report opens and prints in a browser"),
]

A4_LANDSCAPE_WIDTH_PX = 1054  # 297 mm less the 2 x 9 mm page margins, at 96 px per inch

PROBE = """<script>
window.addEventListener("load", function () {
  var table = document.getElementById("matrix-table");
  var result = {dir: getComputedStyle(document.body).direction,
                tableDir: getComputedStyle(table).direction,
                nameLeft: table.tHead.rows[0].cells[0].getBoundingClientRect().left,
                totalLeft: table.tHead.rows[0].cells[table.tHead.rows[0].cells.length - 1]
                  .getBoundingClientRect().left,
                controls: !document.getElementById("matrix-controls").hidden};
  var total = table.tHead.rows[0].cells[table.tHead.rows[0].cells.length - 1];
  total.querySelector("button").click();  /* sort by total, largest first */
  result.sorted = Array.prototype.map.call(
    table.querySelectorAll("tbody:not([hidden]) tr[data-d]"),
    function (row) { return row.getAttribute("data-d"); });
  var form = document.getElementById("matrix-controls");
  form.elements.grouped.checked = false;
  form.elements.grouped.dispatchEvent(new Event("change", {bubbles: true}));
  result.national = Array.prototype.map.call(
    document.querySelectorAll("#matrix-flat tr[data-d]"),
    function (row) { return row.getAttribute("data-d"); });
  form.elements.q.value = "zag";
  form.elements.q.dispatchEvent(new Event("input", {bubbles: true}));
  result.filtered = Array.prototype.map.call(
    table.querySelectorAll("tr[data-d]:not([hidden])"),
    function (row) { return row.getAttribute("data-d"); });
  result.count = document.getElementById("matrix-count").textContent;
  console.log("PROBE " + JSON.stringify(result));
});
</script></body>"""

OVERFLOW = """<script>
window.addEventListener("load", function () {
  var width = document.documentElement.clientWidth, out = [];
  document.querySelectorAll("table, svg, figure, .cards, ul.why, p").forEach(function (el) {
    var box = el.getBoundingClientRect();
    if (box.right > width + 0.5 || box.left < -0.5) {
      out.push((el.getAttribute("data-table") || el.tagName) + " " + Math.round(box.left)
               + ".." + Math.round(box.right));
    }
  });
  console.log("OVERFLOW " + JSON.stringify({width: width, out: out}));
});
</script></body>"""


@pytest.fixture()
def plan_dir(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path)


def probed(plan: Path, name: str, script: str, print_style: bool = False) -> Path:
    """A copy of report.html with a test script (its CSP removed so that script may run)."""
    page = (plan / "report.html").read_text(encoding="utf-8")
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
    if print_style:  # lay the page out as it prints (the A4 landscape style sheet)
        page = page.replace('<style media="print">', "<style>")
    out = plan / name
    out.write_text(page.replace("</body>", script), encoding="utf-8")
    return out


def logged(lines: list[str], tag: str) -> dict:
    for line in lines:
        match = re.search(tag + r' (\{.*\})"', line)
        if match:
            return json.loads(match.group(1).replace('\\"', '"'))
    raise AssertionError(f"no {tag} message in the console:\n" + "\n".join(lines))


def test_console_errors_are_detected(tmp_path: Path) -> None:
    """Canary: a page with a script error must show up, or the next test proves nothing."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><body><p>x</p>"
                    "<script>console.error('boom'); undefinedFunction();</script></body></html>",
                    encoding="utf-8")
    run = screenshot(page, tmp_path / "broken.png", 400, 300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert any("boom" in line for line in run.console), run.stderr[-2000:]
    assert any("undefinedFunction" in line for line in run.console), run.stderr[-2000:]


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_report_opens_without_console_errors(plan_dir: Path, tmp_path: Path,
                                             lang: str) -> None:
    write_reports(plan_dir, lang=lang)
    png = tmp_path / f"report-{lang}.png"
    run = screenshot(plan_dir / "report.html", png, 1280, 2000)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.console == [], "\n".join(run.console)  # a CSP violation would show here
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000, "the screenshot looks blank"


def test_script_runs_under_the_page_policy(plan_dir: Path) -> None:
    """The real page (with its CSP): the script shows the controls and counts the rows."""
    write_reports(plan_dir)
    run = dump_dom(plan_dir / "report.html")
    assert run.returncode == 0, run.stderr[-2000:]
    assert '<form id="matrix-controls" class="controls">' in run.dom  # `hidden` removed
    assert "6 délégations affichées sur 6" in run.dom
    assert 'aria-sort="none"><button type="button">' in run.dom


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_direction_sorting_and_filtering(plan_dir: Path, lang: str) -> None:
    write_reports(plan_dir, lang=lang)
    run = screenshot(probed(plan_dir, "probe.html", PROBE), plan_dir / "probe.png", 1280, 900)
    result = logged(run.console, "PROBE")
    rtl = lang == "ar"
    assert result["dir"] == result["tableDir"] == ("rtl" if rtl else "ltr")
    assert (result["nameLeft"] > result["totalLeft"]) is rtl  # names on the right in Arabic
    assert result["controls"] is True
    # by total, largest first: within each region, then nationally once ungrouped
    assert result["sorted"] == ["INJ", "CASA", "ZAGORA", "ERRACH", "CHEF", "TANGER"]
    assert result["national"] == ["ZAGORA", "CHEF", "ERRACH", "INJ", "CASA", "TANGER"]
    assert result["filtered"] == ["ZAGORA"]
    assert result["count"].startswith("1 ")


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_print_layout_fits_a4_landscape(plan_dir: Path, lang: str) -> None:
    """With the print style sheet, nothing is wider than the printable width of the page."""
    write_reports(plan_dir, lang=lang)
    page = probed(plan_dir, "print.html", OVERFLOW, print_style=True)
    run = screenshot(page, plan_dir / "print.png", A4_LANDSCAPE_WIDTH_PX, 1200)
    result = logged(run.console, "OVERFLOW")
    assert result["width"] == A4_LANDSCAPE_WIDTH_PX
    assert result["out"] == [], result["out"]


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_print_to_pdf(plan_dir: Path, lang: str) -> None:
    write_reports(plan_dir, lang=lang)
    first = print_pdf(plan_dir / "report.html", plan_dir / "report.pdf",
                      stamp="2025-11-26T01:30:00Z").read_bytes()
    assert first.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", first)
    assert len(boxes) >= 3, "several pages: one per section at least"
    assert all(round(float(w)) == 842 and round(float(h)) == 595 for w, h in boxes)  # A4 land.
    assert b"(D:20251126013000+00'00')" in first
    again = print_pdf(plan_dir / "report.html", plan_dir / "report.pdf",
                      stamp="2025-11-26T01:30:00Z").read_bytes()
    assert again == first  # same report, same PDF


def test_cli_pdf(plan_dir: Path) -> None:
    result = CliRunner().invoke(report_command, [str(plan_dir), "--pdf", "--no-timestamp"])
    assert result.exit_code == 0, result.output
    assert (plan_dir / "report.pdf").read_bytes().startswith(b"%PDF")
    marker = json.loads((plan_dir / ".optimiser-output.json").read_text(encoding="utf-8"))
    assert {"report.html", "report.pdf"} <= set(marker["files"])  # the folder stays ours
