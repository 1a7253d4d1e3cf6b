"""report.pdf: the HTML report printed by headless Chromium (`optimiser report PLAN --pdf`).

The page carries its own A4 landscape print style sheet, so Chromium only has to print it.
No network: the flags switch off Chromium's background traffic and the page needs none.
Chromium stamps the print time in the PDF's information dictionary; both dates are
rewritten in place (same length, so the cross-reference offsets stay valid) with the plan's
`generated_at`, or a constant without timestamp: the same report gives the same PDF bytes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from optimiser.report.browser import CHROMIUM

PDF_FILE = "report.pdf"
PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}[^)]*\)")
FIXED_DATE = "20000101000000"


class PdfError(RuntimeError):
    """The PDF could not be printed (Chromium missing, failing or too slow)."""


def find_chromium() -> Path | None:
    """Debian's /usr/bin/chromium, else a `chromium` on the PATH, else None."""
    if CHROMIUM.exists():
        return CHROMIUM
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def print_pdf(page: Path, pdf: Path, stamp: str | None = None, chromium: Path | None = None,
              timeout: float = 180.0) -> Path:
    """Print the local HTML file `page` to `pdf` (written atomically) and return `pdf`.

    `stamp` (ISO 8601, the plan's generated_at) dates the PDF; None gives a fixed date.
    Raises PdfError with a message meant for the user.
    """
    chromium = chromium or find_chromium()
    if chromium is None:
        raise PdfError("Chromium is not installed, so no PDF can be printed: install it "
                       "(Debian/Ubuntu: apt-get install chromium) or print report.html from "
                       "a browser (A4 landscape)")
    pdf = Path(pdf)
    handle, temporary = tempfile.mkstemp(dir=pdf.parent, prefix=f".{pdf.name}.", suffix=".tmp")
    os.close(handle)
    try:
        with tempfile.TemporaryDirectory(prefix="optimiser-chromium-") as profile:
            command = [
                str(chromium), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", f"--user-data-dir={profile}", "--no-pdf-header-footer",
                f"--print-to-pdf={temporary}", Path(page).resolve().as_uri(),
            ]
            try:
                result = subprocess.run(command, capture_output=True, text=True,
                                        timeout=timeout, check=False, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                raise PdfError(f"Chromium did not print the PDF within {timeout:.0f} s") from None
            except OSError as exc:
                raise PdfError(f"Chromium could not be started ({chromium}): {exc}") from None
        content = Path(temporary).read_bytes()
        if result.returncode != 0 or not content.startswith(b"%PDF"):
            tail = "\n".join(result.stderr.strip().splitlines()[-5:])
            raise PdfError(f"Chromium failed to print the PDF (exit {result.returncode}):\n"
                           f"{tail}")
        Path(temporary).write_bytes(fixed_dates(content, stamp))
        os.chmod(temporary, 0o644)
        os.replace(temporary, pdf)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return pdf


def fixed_dates(content: bytes, stamp: str | None) -> bytes:
    """Replace the print time of the PDF by the plan's time (or a constant)."""
    digits = _pdf_digits(stamp)

    def replace(match: re.Match[bytes]) -> bytes:
        old = match.group(0)
        new = f"/{match.group(1).decode()} (D:{digits}+00'00')".encode()
        return new if len(new) == len(old) else old  # never move a byte offset
    return PDF_DATE.sub(replace, content)


def _pdf_digits(stamp: str | None) -> str:
    """YYYYMMDDHHMMSS (UTC) of an ISO 8601 stamp; the constant when absent or unreadable."""
    from optimiser.report.excel import plan_moment

    moment = plan_moment(stamp)
    return moment.strftime("%Y%m%d%H%M%S") if moment and moment.year >= 1000 else FIXED_DATE
