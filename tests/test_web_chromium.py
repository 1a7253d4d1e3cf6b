"""The planner's yearly cycle end to end in a real browser: `optimiser serve` (uvicorn, worker
processes, a registry file) driven by Playwright in Debian's headless Chromium.

Upload a dataset, solve the baseline, build a scenario in the form (a regional floor above what
the baseline gives), preview its YAML, run it, see the plan and its map, compare with the
baseline, adopt it with a note; the Arabic page is right to left. The checks are on what the
service recorded and wrote (plan.json, the registry), not only on what the pages say, and no
page may log a script error or a Content-Security-Policy violation.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from docs.web_tour import tour
from optimiser.report.browser import CHROMIUM
from optimiser.web.live import live_service

playwright = pytest.importorskip("playwright.sync_api",
                                 reason="the playwright package drives the browser tests")

pytestmark = [
    pytest.mark.chromium,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"{CHROMIUM} not found: install Debian's `chromium` package to "
                              "run the browser tests of the web service"),
]

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example"


def _example_zip(folder: Path) -> Path:
    path = folder / "exemple.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for csv in sorted(EXAMPLE.glob("*.csv")):
            archive.write(csv, csv.name)
    return path


def test_yearly_cycle_in_chromium(tmp_path: Path) -> None:
    with live_service(tmp_path / "home") as service, playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM),
                                         args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(60_000)
            result = tour(page, service.url, dataset_zip=_example_zip(tmp_path))
            dir_ar = page.evaluate("document.documentElement.dir")
            map_title = page.locator("#map svg").count()
        finally:
            browser.close()

        assert result.dataset != "default" and len(result.dataset) == 16
        assert result.baseline_posts < result.floor <= result.scenario_posts
        assert result.failed_requests == []
        assert result.console_errors == []
        assert dir_ar == "rtl" and map_title == 1
        assert f"min: {result.floor}" in result.pages["editor"]
        compare = result.pages["compare"]
        assert result.baseline in compare and result.scenario in compare
        assert "Retenu en réunion du 30 novembre" in result.pages["history"]

        from optimiser.registry.store import Registry

        registry = Registry.open(f"sqlite:///{service.home / 'registry.sqlite3'}")
        try:
            adopted = registry.get(result.scenario)
            baseline = registry.get(result.baseline)
            embedded = registry.get(result.embedded)
        finally:
            registry.close()
        assert adopted.decision == "adopted" and baseline.decision != "adopted"
        totals = json.loads(embedded.plan_json)["totals"]  # the embedded 2024 round: 695 posts
        assert embedded.status == "optimal" and embedded.scenario == "baseline"
        assert totals["posts_allocated"] == totals["posts_available"] == 695
        assert adopted.decision_note == "Retenu en réunion du 30 novembre"
        constraints = json.loads(adopted.plan_json)["scenario_constraints"]
        assert any(c.get("name") == "plancher-region" for c in constraints)
