"""Which registry database to use, and how to name it in a message without its password.

Kept free of SQLAlchemy: `optimiser solve` resolves the URL on every run, and importing
SQLAlchemy alone costs more than the 50 ms that recording may add to a solve.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

ENV_VAR = "OPTIMISER_DATABASE_URL"
FILE_NAME = "registry.sqlite3"
SQLITE_PREFIXES = ("sqlite:///", "sqlite+pysqlite:///")
_PASSWORD = re.compile(r"^(?P<head>[a-zA-Z][\w+.-]*://[^:/@?#]*:)(?P<password>[^@/?#]*)@")
_SCHEMES = {"postgres": "postgresql+psycopg", "postgresql": "postgresql+psycopg"}


class RegistryError(Exception):
    """The registry database cannot be used: one line, naming the URL without its password.

    Exit status 2 when it happens before solving (a bad --db, a wrong password, a database
    newer than this optimiser), so that a planner fixes the setting, or adds --no-record.
    """


def data_home() -> Path:
    """`$XDG_DATA_HOME`, or `~/.local/share` when it is unset or not absolute (XDG spec)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def default_url() -> str:
    """An SQLite file in the user's data folder: works on a fresh machine with no setup."""
    return SQLITE_PREFIXES[0] + str(data_home() / "optimiser" / FILE_NAME)


def resolve(db: str | None) -> str:
    """`--db`, else `$OPTIMISER_DATABASE_URL`, else the default SQLite file.

    `postgresql://` and `postgres://` mean the psycopg 3 driver (the one installed).
    """
    url = (db or os.environ.get(ENV_VAR) or "").strip() or default_url()
    scheme, sep, rest = url.partition("://")
    return f"{_SCHEMES[scheme]}://{rest}" if sep and scheme in _SCHEMES else url


def redact(url: str) -> str:
    """The URL with its password shown as `***` (safe to print and to log)."""
    return _PASSWORD.sub(lambda m: f"{m['head']}***@", url, count=1)


def password_of(url: str) -> str | None:
    """The password in the URL, if any (to scrub it from driver messages)."""
    found = _PASSWORD.match(url)
    return found["password"] or None if found else None


def sqlite_path(url: str) -> Path | None:
    """The file of a plain `sqlite:///FILE` URL (no query string), else None."""
    for prefix in SQLITE_PREFIXES:
        if url.startswith(prefix):
            rest = url[len(prefix):]
            if rest and "?" not in rest and rest != ":memory:":
                return Path(rest)
    return None


def one_line(url: str, message: str) -> str:
    """A driver's message as one line, the password taken out wherever it appears."""
    text = " ".join(str(message).split())
    password = password_of(url)
    if password and len(password) >= 4 and password not in redact(url):
        text = text.replace(password, "***")
    return text
