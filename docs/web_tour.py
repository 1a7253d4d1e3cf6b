"""A planner's yearly cycle in the browser, driven by Playwright in headless Chromium.

One tour, two users: tests/test_web_chromium.py runs it against a real `optimiser serve` and
checks every step; docs/make_web_screenshots.py runs it on the embedded dataset and keeps a
picture of each page for the README and docs/web.md. The steps are what a planner does:
upload the year's dataset (or take the embedded one), solve the baseline, build a scenario in
the form (a regional floor above what the baseline gives), preview its YAML, run it, read the
plan and its map, compare it with the baseline, adopt it with a note.

Everything goes through the pages as a person would (clicks, selects, typing); the figures the
tour returns come from the runs' plan.json files, fetched through the service.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SOLVE_TIMEOUT_MS = 180_000
"""A run in a worker process: start-up, solve, report (the national plan takes ~10 s here)."""


@dataclass
class TourResult:
    """What the tour did: ids, the floor it asked for, the plans, and browser errors."""

    dataset: str = "default"
    embedded: str = ""
    """The baseline of the embedded dataset, solved from the home page's button."""
    baseline: str = ""
    scenario: str = ""
    region: str = ""
    floor: int = 0
    baseline_posts: int = 0
    scenario_posts: int = 0
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    """Requests answered 4xx/5xx (a missing script, style or picture) or not answered."""
    pages: dict[str, str] = field(default_factory=dict)
    """The HTML of each page the tour looked at, by step name."""


def region_posts(plan: dict[str, Any], region: str) -> int:
    """National posts a plan gives a region (plan.json's `allocations`)."""
    return sum(int(row["posts"]) for row in plan["allocations"] if row["region"] == region)


def _run_id(url: str) -> str:
    match = re.search(r"/runs/([^/?#]+)", url)
    if match is None:
        raise AssertionError(f"not a run page: {url}")
    return match.group(1)


def _wait_for_plan(page: Any) -> None:
    """The run page reloads by itself when the run ends (htmx polling, HX-Refresh)."""
    page.wait_for_selector("#map svg", timeout=SOLVE_TIMEOUT_MS)


def _solve_in_form(page: Any, base: str, dataset: str, name: str,
                   fill: Callable[[Any], None] | None = None) -> str:
    page.goto(f"{base}/runs/new?dataset={dataset}&lang=fr")
    page.fill("input[name=name]", name)
    if fill is not None:
        fill(page)
    page.click("button[value=run]")
    page.wait_for_url(re.compile(r"/runs/(?!new)[^/?]+"))
    _wait_for_plan(page)
    return _run_id(page.url)


def tour(page: Any, base: str, dataset_zip: Path | None = None, region: str = "TTAH",
         extra: int = 2, shots: Path | None = None) -> TourResult:
    """Drive the whole cycle at `base` (the service's URL): the scenario asks `extra` more posts
    for `region` than the baseline gives it; screenshots into `shots` if given."""
    result = TourResult(region=region)
    page.on("console", lambda m: result.console_errors.append(m.text)
            if m.type == "error" else None)
    page.on("pageerror", lambda e: result.console_errors.append(str(e)))
    page.on("response", lambda r: result.failed_requests.append(f"{r.status} {r.url}")
            if r.status >= 400 else None)
    page.on("requestfailed", lambda r: result.failed_requests.append(f"failed {r.url}"))

    def shot(name: str) -> None:
        result.pages[name] = page.content()
        if shots is not None:
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(shots / f"web-{name}.png"), full_page=False)

    def plan_of(run_id: str) -> dict[str, Any]:
        answer = page.request.get(f"{base}/runs/{run_id}/plan.json")
        assert answer.ok, f"plan.json of {run_id}: {answer.status}"
        return answer.json()

    page.goto(f"{base}/?lang=fr")  # a fresh service opens on the embedded dataset
    shot("home")
    page.click("section.start button[type=submit]")
    page.wait_for_url(re.compile(r"/runs/(?!new)[^/?]+"))
    _wait_for_plan(page)
    result.embedded = _run_id(page.url)

    page.goto(f"{base}/datasets?lang=fr")
    if dataset_zip is not None:
        page.set_input_files("input[name=file]", str(dataset_zip))
        page.fill("form[enctype] input[name=name]", "exemple-tour")
        page.click("form[enctype] button[type=submit]")
        page.wait_for_url(re.compile(r"added="))
        result.dataset = page.locator("tr.added code").first.inner_text().strip()
    shot("datasets")

    result.baseline = result.embedded if dataset_zip is None else _solve_in_form(
        page, base, result.dataset, "reference")
    result.baseline_posts = region_posts(plan_of(result.baseline), region)
    result.floor = result.baseline_posts + extra

    def floor(form: Any) -> None:
        form.fill("textarea[name=description]", f"Au moins {result.floor} postes pour {region}")
        form.fill("input[name=c-0-name]", "plancher-region")
        form.select_option("select[name=c-0-region]", region)
        form.fill("input[name=c-0-min]", str(result.floor))
        form.click("button[value=preview]")  # htmx swaps the YAML in without a reload
        form.wait_for_selector(f"#yaml-preview :text('min: {result.floor}')")
        shot("editor")

    result.scenario = _solve_in_form(page, base, result.dataset, "plancher-region", floor)
    result.scenario_posts = region_posts(plan_of(result.scenario), region)
    shot("plan")

    page.click(f"a[href^='/compare?a={result.scenario}']")
    page.select_option("select[name=a]", result.baseline)  # A the reference, B the scenario
    page.select_option("select[name=b]", result.scenario)
    page.click("form.pick button[type=submit]")
    page.wait_for_url(re.compile(rf"b={re.escape(result.scenario)}"))
    shot("compare")

    page.goto(f"{base}/runs/{result.scenario}?lang=fr")
    page.fill("input[name=note]", "Retenu en réunion du 30 novembre")
    page.click("section.decision button[type=submit]")
    page.wait_for_selector("section.decision.adopted")
    page.goto(f"{base}/?lang=fr")
    shot("history")
    page.goto(f"{base}/runs/{result.scenario}?lang=ar")
    _wait_for_plan(page)
    shot("plan-ar")
    return result
