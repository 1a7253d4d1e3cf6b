"""What every command shares: exit codes, printing input errors, signals, the registry's --db
option and the lazily imported command group.

Ctrl-C (SIGINT) and `kill` (SIGTERM) both raise `Interrupted`, a BaseException that no
`except Exception` swallows: the atomic writers remove their temp folders on the way out, the
command says what was (not) written, and the process exits 130 or 143 without a traceback,
leaving the previous outputs untouched.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from importlib import import_module
from pathlib import Path
from types import FrameType
from typing import Any

import click

from optimiser.errors import InputError, InputIssue

EXIT_OK, EXIT_OTHER, EXIT_INPUT, EXIT_INFEASIBLE = 0, 1, 2, 3
ERRORS_HEADER = "# optimiser input errors"
REPORT_LANGUAGES = ("fr", "en", "ar")
"""optimiser.report.i18n.LANGUAGES, for options that must not import the report package (and
pandas) to declare their choices; tests/test_cli_lazy.py checks that they are the same."""
DB_HELP = ("Plan registry database: sqlite:///FILE or postgresql+psycopg://USER:PASSWORD@HOST/DB "
           "(default: $OPTIMISER_DATABASE_URL, else registry.sqlite3 in the user's data folder).")


def db_option(command: Callable) -> Callable:
    """`--db URL`, on `solve` and on every `runs` command (here, so that `solve` does not import
    the registry commands)."""
    return click.option("--db", "db_url", metavar="URL", default=None, help=DB_HELP)(command)


@dataclass(frozen=True)
class LazyCommand:
    """A subcommand imported only when it is run or asked for its own help.

    `summary` is the first paragraph of its help, from which `optimiser --help` lists it
    without importing it; tests/test_cli_lazy.py checks that the listing is the real commands'.
    """

    module: str
    attribute: str
    summary: str

    def load(self) -> click.Command:
        """The click command itself (imports its module)."""
        return getattr(import_module(self.module), self.attribute)


class LazyGroup(click.Group):
    """A click group whose `lazy` subcommands are imported on first use, so `optimiser solve`
    does not pay for pandas-heavy modules of other commands, nor `optimiser --help` for any."""

    def __init__(self, *args: Any, lazy: dict[str, LazyCommand] | None = None,
                 **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, LazyCommand] = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, imported or not, sorted as click lists them."""
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, imported now if it is lazy and was not yet."""
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.add_command(self.lazy[cmd_name].load(), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list, commands not yet imported shown by their summary (click's own
        layout: a plain group holding stand-ins formats it)."""
        stand_ins: dict[str, click.Command] = {
            name: click.Command(name, help=entry.summary)
            for name, entry in self.lazy.items() if name not in self.commands}
        click.Group(self.name, commands={**stand_ins, **self.commands}).format_commands(
            ctx, formatter)


class Interrupted(BaseException):  # noqa: N818 - named like KeyboardInterrupt, its sibling
    """SIGINT or SIGTERM arrived; `exit_code` is 128 + the signal number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """130 for SIGINT, 143 for SIGTERM (the shell convention)."""
        return 128 + self.signum


def _raise_interrupted(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


def run_with_signals(main: Callable[[], object]) -> None:
    """Run the click group with SIGINT/SIGTERM turned into a clean exit 130/143."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _raise_interrupted)
    try:
        main()
    except Interrupted as exc:
        click.echo(f"interrupted ({exc}): stopped; nothing was left half-written",
                   err=True)
        sys.exit(exc.exit_code)


def errors_file_option(command: Callable) -> Callable:
    """`--errors-file FILE`: every input error, not only the first 50 of each file."""
    return click.option(
        "--errors-file", type=click.Path(path_type=Path), default=None,
        help="On bad input, write every error to this file (the terminal shows the first "
             "50 of each input file).")(command)


def report_input_error(exc: InputError, errors_file: Path | None) -> None:
    """Print the (capped) errors; write all of them to `errors_file` when asked."""
    written = None
    if errors_file is not None:
        try:
            written = write_errors_file(errors_file, exc)
        except InputError as refused:
            click.echo(refused.render(), err=True)
    click.echo(exc.render(errors_file=str(written) if written else None), err=True)


def write_errors_file(path: Path, exc: InputError) -> Path:
    """Write every issue to `path`, atomically; an existing file is replaced only if it is an
    errors file optimiser wrote (it starts with ERRORS_HEADER)."""
    path = Path(path)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise InputError([InputIssue(str(path), None, None, None,
                                     "--errors-file is not a plain file: not written")])
    if path.exists():
        with path.open("rb") as handle:
            head = handle.read(len(ERRORS_HEADER))
        if head != ERRORS_HEADER.encode():
            raise InputError([InputIssue(str(path), None, None, None,
                                         "exists and was not written by optimiser: not "
                                         "replaced (choose another --errors-file)")])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name[:100]}.{os.getpid()}.tmp")
    tmp.write_text(f"{ERRORS_HEADER} ({len(exc.issues)})\n{exc.render_all()}", encoding="utf-8")
    os.replace(tmp, path)
    return path


def exit_statuses(command: Callable[..., int]) -> Callable[..., None]:
    """A command returning its exit status, wrapped so that bad input is exit 2 with every
    error (all of them to `--errors-file` when given), an output folder another run is
    writing exit 1, and anything unexpected exit 1 stated plainly, never a traceback."""
    from optimiser.folders import OutputBusy

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        try:
            code = command(*args, **kwargs)
        except InputError as exc:
            report_input_error(exc, kwargs.get("errors_file"))
            sys.exit(EXIT_INPUT)
        except click.ClickException:
            raise  # usage errors: click prints them and exits 2
        except OutputBusy as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_OTHER)
        except Exception as exc:  # noqa: BLE001
            click.echo(f"error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(EXIT_OTHER)
        sys.exit(code)
    return wrapper
