"""`optimiser report PLAN --pdf` without Chromium: a clear error and exit 1, the other report
files still written; the PDF's dates fixed so that the same report gives the same bytes.
(Printing itself is checked in test_report_chromium.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from test_report_support import copy_fixture

from optimiser.report import pdf
from optimiser.report.command import report_command


@pytest.fixture()
def plan_dir(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path)


def test_pdf_without_chromium_is_a_clear_error(plan_dir: Path, monkeypatch) -> None:
    monkeypatch.setattr(pdf, "find_chromium", lambda: None)
    result = CliRunner().invoke(report_command, [str(plan_dir), "--pdf"])
    assert result.exit_code == 1, result.output
    assert "Chromium is not installed" in result.output
    assert "apt-get install chromium" in result.output
    assert not (plan_dir / "report.pdf").exists()
    assert not list(plan_dir.glob(".*.tmp"))
    for name in ("report.html", "plan.xlsx", "summary.md"):
        assert (plan_dir / name).is_file(), name


def test_pdf_with_a_failing_chromium(plan_dir: Path, tmp_path: Path, monkeypatch) -> None:
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(pdf, "find_chromium", lambda: fake)
    result = CliRunner().invoke(report_command, [str(plan_dir), "--pdf"])
    assert result.exit_code == 1
    assert "Chromium failed to print the PDF (exit 3)" in result.output
    assert "cannot open display" in result.output
    assert not (plan_dir / "report.pdf").exists() and not list(plan_dir.glob(".*.tmp"))


def test_pdf_dates_are_the_plans() -> None:
    printed = (b"%PDF-1.4\n/Producer (Skia/PDF m156)\n/CreationDate (D:20261130082409+00'00')"
               b"\n/ModDate (D:20261130082409+00'00')>>\nxref\n")
    stamped = pdf.fixed_dates(printed, "2025-11-26T01:30:00Z")
    assert len(stamped) == len(printed)  # byte offsets of the cross-reference table kept
    assert b"(D:20251126013000+00'00')" in stamped and b"2026" not in stamped
    constant = pdf.fixed_dates(printed, None)
    assert constant.count(b"(D:20000101000000+00'00')") == 2
    assert pdf.fixed_dates(printed, "not a date") == constant
