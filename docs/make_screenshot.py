"""Make docs/report.png, the README picture of the HTML report.

Usage: python docs/make_screenshot.py [PLAN_DIR] [--lang fr|en] [--height PX]

PLAN_DIR defaults to a copy of tests/fixtures/plan_small; the plan folder itself is not
modified (the report is written into a temporary copy). Needs /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimiser.report import write_reports  # noqa: E402
from optimiser.report.browser import CHROMIUM, screenshot  # noqa: E402


def main() -> int:
    """Write the report of PLAN_DIR into a temporary copy and screenshot it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan_dir", nargs="?", type=Path,
                        default=ROOT / "tests" / "fixtures" / "plan_small")
    parser.add_argument("--lang", choices=["fr", "en"], default="fr")
    parser.add_argument("--height", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "report.png")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} not found: apt-get install chromium", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "plan"
        shutil.copytree(args.plan_dir, plan, ignore=shutil.ignore_patterns(
            "*.py", "__pycache__", "report.html", "plan.xlsx", "summary.md"))
        write_reports(plan, lang=args.lang, timestamp=False)
        run = screenshot(plan / "report.html", args.out, 1280, args.height)
    for line in run.console:
        print(line, file=sys.stderr)
    if run.returncode != 0 or run.console:
        print(run.stderr[-2000:], file=sys.stderr)
        return 1
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
