"""Open a report in headless Chromium: a screenshot plus the browser console's messages.

Used by the browser tests (the report must open without console errors, its script must
run under its Content-Security-Policy) and by `docs/make_screenshot.py` (the README
pictures). Chromium prints every console message
on stderr as `INFO:CONSOLE...` when started with `--enable-logging=stderr --v=0`; those
lines are returned so a caller can fail on any of them. No network: the flags switch off
Chromium's own background traffic and the report needs none.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")


@dataclass(frozen=True)
class BrowserRun:
    """Outcome of one headless Chromium run."""

    returncode: int
    console: list[str]  # the page's console messages (errors, warnings, logs)
    stderr: str
    dom: str = ""  # the DOM after the page's scripts ran (dump_dom only)


def screenshot(page: Path, png: Path, width: int = 1280, height: int = 2000,
               chromium: Path = CHROMIUM, timeout: float = 120.0) -> BrowserRun:
    """Load `page` (a local file) in headless Chromium and save a `width` x `height` PNG."""
    with tempfile.TemporaryDirectory(prefix="optimiser-chromium-") as profile:
        command = [
            str(chromium), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={profile}", "--enable-logging=stderr",
            "--v=0", f"--screenshot={png}", f"--window-size={width},{height}",
            "--hide-scrollbars", Path(page).resolve().as_uri(),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                check=False, stdin=subprocess.DEVNULL)
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return BrowserRun(result.returncode, console, result.stderr)


def dump_dom(page: Path, chromium: Path = CHROMIUM, timeout: float = 120.0) -> BrowserRun:
    """Load `page` and return the DOM as its scripts left it (`BrowserRun.dom`)."""
    with tempfile.TemporaryDirectory(prefix="optimiser-chromium-") as profile:
        command = [
            str(chromium), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={profile}", "--enable-logging=stderr",
            "--v=0", "--dump-dom", Path(page).resolve().as_uri(),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                check=False, stdin=subprocess.DEVNULL)
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return BrowserRun(result.returncode, console, result.stderr, result.stdout)
