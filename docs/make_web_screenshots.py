"""Make docs/web-*.png, the pictures of the web application in the README and docs/web.md.

Usage: python docs/make_web_screenshots.py [--out-dir DIR]

Starts a private `optimiser serve` (its own data folder and registry: yours are not touched)
and drives the planner's tour of docs/web_tour.py on the embedded national dataset in headless
Chromium, keeping a 1280 x 900 picture of each page. Needs /usr/bin/chromium and playwright.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from docs.web_tour import tour  # noqa: E402
from optimiser.report.browser import CHROMIUM  # noqa: E402
from optimiser.web.live import live_service  # noqa: E402


def main() -> int:
    """Run the tour against a fresh service and write one PNG per page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} not found: apt-get install chromium", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="optimiser-web-shots-") as home, \
            live_service(Path(home)) as service, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM),
                                         args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            result = tour(page, service.url, extra=15, shots=args.out_dir)
        finally:
            browser.close()
    problems = result.console_errors + result.failed_requests
    for problem in problems:
        print(f"browser: {problem}", file=sys.stderr)
    for name in result.pages:
        print(args.out_dir / f"web-{name}.png")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
