"""The HTML report opens in headless Chromium without console errors (needs /usr/bin/chromium)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from optimiser.report import write_reports
from optimiser.report.browser import CHROMIUM, screenshot

FIXTURE = Path(__file__).parent / "fixtures" / "plan_small"

pytestmark = [
    pytest.mark.chromium,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"{CHROMIUM} not found: install Debian's `chromium` package to "
                              "check that the report opens in a browser"),
]


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


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_report_opens_without_console_errors(tmp_path: Path, lang: str) -> None:
    plan = tmp_path / "plan"
    shutil.copytree(FIXTURE, plan, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    write_reports(plan, lang=lang)
    png = tmp_path / f"report-{lang}.png"
    run = screenshot(plan / "report.html", png, 1280, 2000)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.console == [], "\n".join(run.console)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000, "the screenshot looks blank"
