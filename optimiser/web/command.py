"""`optimiser serve`: the web service on uvicorn (SERVICE.md "Web service")."""

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
              help="Token file (one token per line): every request then needs "
                   "`Authorization: Bearer TOKEN`.")
def serve_command(host: str, port: int, db_url: str | None, workers: int,
                  auth: Path | None) -> None:
    """Serve the planners' pages and the JSON API (plans recorded in the registry)."""
    from optimiser.registry.url import resolve
    from optimiser.web.security import HostRefused, check_host, read_tokens
    from optimiser.web.settings import Settings

    try:
        check_host(host, auth)
        tokens = read_tokens(auth) if auth is not None else ()
    except (HostRefused, OSError, ValueError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INPUT)
    import uvicorn

    from optimiser.web.app import create_app

    settings = Settings(db_url=resolve(db_url), workers=workers, tokens=tokens)
    uvicorn.run(create_app(settings), host=host, port=port)
