"""`optimiser report PLAN_DIR`: rewrite the report files of a solved plan without solving.

Useful to get the English or Arabic version, a PDF, or to regenerate the report after an
update of the report generator. Exit status 2 when PLAN_DIR holds no valid plan
(SCENARIO.md: bad input); 1 when the PDF cannot be printed (e.g. Chromium missing), after
the other report files are written.
"""

from __future__ import annotations

from pathlib import Path

import click

from optimiser.errors import InputError
from optimiser.report import LANGUAGES, PlanError, write_reports


@click.command("report")
@click.argument("plan_dir", type=click.Path(path_type=Path))
@click.option("--lang", type=click.Choice(LANGUAGES), default="fr", show_default=True,
              help="Language of the report (fr, en or ar: Arabic, right to left).")
@click.option("--no-timestamp", is_flag=True,
              help="Leave out the plan's timestamp and solve times (identical reports for "
                   "identical plans across solves).")
@click.option("--pdf", is_flag=True,
              help="Also print report.pdf (A4 landscape) with headless Chromium.")
def report_command(plan_dir: Path, lang: str, no_timestamp: bool, pdf: bool) -> None:
    """Write report.html, plan.xlsx and summary.md into PLAN_DIR from its plan.json."""
    from optimiser.folders import add_to_marker, check_ours

    try:
        if Path(plan_dir).is_dir():
            check_ours(plan_dir)  # report files go only into a folder optimiser wrote
        paths = write_reports(plan_dir, lang=lang, timestamp=not no_timestamp)
    except PlanError as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(2) from None
    except InputError as error:
        click.echo(error.render(), err=True)
        raise SystemExit(2) from None
    stale = [] if pdf else _stale_pdf(Path(plan_dir))
    add_to_marker(plan_dir, [path.name for path in paths], removed=stale)
    for path in paths:
        click.echo(str(path))
    for name in stale:
        click.echo(f"removed {Path(plan_dir) / name}: it printed the previous report "
                   "(add --pdf to print this one)")
    if pdf:
        _print_pdf(Path(plan_dir), no_timestamp)


def _stale_pdf(plan_dir: Path) -> list[str]:
    """A report.pdf this tool printed from an earlier report.html would now disagree with the
    new one (another language, another plan): remove it. One the user put there is kept."""
    from optimiser.folders import read_marker
    from optimiser.report.pdf import PDF_FILE

    ours = (read_marker(plan_dir) or {}).get("files", [])
    path = plan_dir / PDF_FILE
    if PDF_FILE not in ours or path.is_symlink() or not path.is_file():
        return []
    path.unlink()
    return [PDF_FILE]


def _print_pdf(plan_dir: Path, no_timestamp: bool) -> None:
    """Print report.pdf beside report.html; exit 1 with the reason when that fails."""
    import json

    from optimiser.folders import add_to_marker
    from optimiser.report.pdf import PDF_FILE, PdfError, print_pdf

    stamp = None
    if not no_timestamp:
        meta = json.loads((plan_dir / "plan.json").read_text(encoding="utf-8"))
        stamp = meta.get("generated_at") if isinstance(meta.get("generated_at"), str) else None
    try:
        path = print_pdf(plan_dir / "report.html", plan_dir / PDF_FILE, stamp=stamp)
    except PdfError as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None
    add_to_marker(plan_dir, [path.name])
    click.echo(str(path))
