"""`optimiser serve`: the web service on uvicorn (SERVICE.md "Web service"), and
`optimiser serve-user`: adding a user to its `--auth` file without ever showing a password."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from optimiser.registry.commands import db_option

EXIT_INPUT = 2


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but 127.0.0.1/localhost/::1 needs --auth.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@db_option
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes solving runs at the same time.")
@click.option("--auth", "auth", type=click.Path(path_type=Path, dir_okay=False),
              help="Auth file (mode 600): users (`optimiser serve-user FILE NAME`) log in to "
                   "the pages; other lines are API tokens (`Authorization: Bearer TOKEN`). "
                   "Read at start: restart after changing it.")
def serve_command(host: str, port: int, db_url: str | None, workers: int,
                  auth: Path | None) -> None:
    """Serve the planners' pages and the JSON API (plans recorded in the registry)."""
    from optimiser.registry.url import resolve
    from optimiser.web.accounts import Accounts, AuthFileError, read_accounts
    from optimiser.web.security import HostRefused, check_host
    from optimiser.web.settings import Settings

    try:
        check_host(host, auth)
        accounts = read_accounts(auth) if auth is not None else Accounts()
    except (HostRefused, AuthFileError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INPUT)
    import uvicorn

    from optimiser.web.app import create_app

    settings = Settings(db_url=resolve(db_url), workers=workers, tokens=accounts.tokens)
    uvicorn.run(create_app(settings, accounts), host=host, port=port)


@click.command("serve-user")
@click.argument("auth_file", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("name")
def serve_user_command(auth_file: Path, name: str) -> None:
    """Add user NAME to AUTH_FILE (or change their password), keeping every other line.

    The password is asked twice on a terminal, or read as one line from standard input
    otherwise (for scripts). It is stored as a salted scrypt hash; the file is rewritten
    atomically with mode 600. A running `optimiser serve` reads it again only on restart.
    """
    from optimiser.web.accounts import AuthFileError, check_name, set_user

    try:
        check_name(name)
        password = _read_password(name)
        replaced = set_user(auth_file, name, password)
    except AuthFileError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INPUT)
    except OSError as exc:
        click.echo(f"error: cannot write {auth_file}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_INPUT)
    click.echo(f"{'password changed for' if replaced else 'added'} user {name} in {auth_file}")


def _read_password(name: str) -> str:
    """Twice, hidden, on a terminal; else the first line of standard input."""
    if _is_terminal():
        return click.prompt(f"password for {name}", hide_input=True,
                            confirmation_prompt=True, err=True)
    return sys.stdin.readline().rstrip("\r\n")


def _is_terminal() -> bool:
    """True when a person types the password (asked twice, hidden), not a script piping it."""
    return sys.stdin.isatty()
