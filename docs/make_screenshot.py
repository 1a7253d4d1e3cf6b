"""Make docs/report.png (French) and docs/report-ar.png (Arabic), the README pictures.

Usage: python docs/make_screenshot.py [PLAN_DIR] [--lang fr|en|ar ...] [--height PX]

Without --lang both pictures are made. PLAN_DIR defaults to the baseline plan of the embedded
dataset, solved here without timestamp (what a planner sees after the README's first command);
a given plan folder is not modified (the report is written into a temporary copy, so the
pictures change only when the plan or the report does). Needs /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimiser.report import LANGUAGES, write_reports  # noqa: E402
from optimiser.report.browser import CHROMIUM, screenshot  # noqa: E402

PICTURES = {"fr": "report.png", "en": "report-en.png", "ar": "report-ar.png"}


def main() -> int:
    """Write the report of PLAN_DIR into a temporary copy and screenshot it per language."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan_dir", nargs="?", type=Path, default=None)
    parser.add_argument("--lang", choices=LANGUAGES, action="append",
                        help="language of a picture (repeatable; default: fr and ar)")
    parser.add_argument("--height", type=int, default=2000)
    parser.add_argument("--out-dir", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} not found: apt-get install chromium", file=sys.stderr)
        return 1
    status = 0
    for lang in args.lang or ["fr", "ar"]:
        out = args.out_dir / PICTURES[lang]
        with tempfile.TemporaryDirectory() as tmp:
            plan = Path(tmp) / "plan"
            if args.plan_dir is None:
                subprocess.run([sys.executable, "-m", "optimiser", "solve", "--out", str(plan),
                                "--no-timestamp", "--no-report", "--quiet", "--no-record"],
                               cwd=ROOT, check=True)
            else:
                shutil.copytree(args.plan_dir, plan, ignore=shutil.ignore_patterns(
                    "*.py", "__pycache__", "report.html", "plan.xlsx", "summary.md",
                    "report.pdf"))
            write_reports(plan, lang=lang, timestamp=False)
            run = screenshot(plan / "report.html", out, 1280, args.height)
        for line in run.console:
            print(line, file=sys.stderr)
        if run.returncode != 0 or run.console:
            print(run.stderr[-2000:], file=sys.stderr)
            status = 1
            continue
        print(out)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
