"""`optimiser runs list|show|diff|adopt|export`: the plan registry on the command line.

Thin, like the other commands: open the registry, call `store`/`export`, print. Exit status:
0 done; 2 bad input (a database that cannot be used, an unknown run ID, a run without a plan,
an --out folder the tool may not replace); 1 anything else. SQLAlchemy is imported only when
one of these commands runs, never when the CLI starts.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from optimiser.cli_support import DB_HELP, EXIT_INPUT, EXIT_OTHER, REPORT_LANGUAGES, db_option
from optimiser.errors import InputError

if TYPE_CHECKING:
    from optimiser.registry.store import Registry

# db_option and DB_HELP live in optimiser.cli_support (solve uses them without importing this
# module); re-exported for the commands that take them from the registry (web/command.py).
__all__ = ["DB_HELP", "db_option", "runs_group"]


def _exits(command: Callable[..., None]) -> Callable[..., None]:
    """A registry problem or bad input is one message and exit 2; anything else exit 1."""
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        from optimiser.folders import OutputBusy
        from optimiser.registry.url import RegistryError

        try:
            command(*args, **kwargs)
        except RegistryError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_INPUT)
        except InputError as exc:
            click.echo(exc.render(), err=True)
            sys.exit(EXIT_INPUT)
        except click.ClickException:
            raise
        except OutputBusy as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_OTHER)
        except Exception as exc:  # noqa: BLE001 - stated plainly, exit 1
            click.echo(f"error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(EXIT_OTHER)
    return wrapper


def _open(db_url: str | None) -> Registry:
    """The registry of the subcommand's --db, else the group's, else the default."""
    from optimiser.registry.store import Registry

    group = click.get_current_context().find_root().meta.get("optimiser.runs.db")
    return Registry.open(db_url or group)


@click.group("runs")
@db_option
def runs_group(db_url: str | None) -> None:
    """The plan registry: every `optimiser solve` on record."""
    click.get_current_context().find_root().meta["optimiser.runs.db"] = db_url


@runs_group.command("list", short_help="Runs, newest first.")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the runs as a JSON list.")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Only the newest N runs.")
@_exits
def list_command(db_url: str | None, as_json: bool, limit: int | None) -> None:
    """Runs, newest first (ID, time, user, scenario, status, objective, decision)."""
    from optimiser.registry.views import list_text, run_json

    runs = _open(db_url).runs(limit)
    if as_json:
        click.echo(json.dumps([run_json(r) for r in runs], ensure_ascii=False, indent=1))
    elif runs:
        click.echo(list_text(runs))
    else:
        click.echo("no runs recorded yet: `optimiser solve` records each run")


@runs_group.command("show", short_help="One run: facts, decisions, scenario.")
@click.argument("run_id")
@db_option
@click.option("--json", "as_json", is_flag=True,
              help="Print the run and its plan.json as one JSON document.")
@_exits
def show_command(run_id: str, db_url: str | None, as_json: bool) -> None:
    """One run: facts, decisions, scenario text (ID or a unique prefix of it)."""
    from optimiser.registry.views import run_json, show_text

    run = _open(db_url).get(run_id)
    if as_json:
        click.echo(json.dumps(run_json(run, full=True), ensure_ascii=False, indent=1))
    else:
        click.echo(show_text(run))


@runs_group.command("diff", short_help="Compare two runs, as `compare` does.")
@click.argument("base_id")
@click.argument("other_id")
@db_option
@_exits
def diff_command(base_id: str, other_id: str, db_url: str | None) -> None:
    """Compare two runs, as `optimiser compare` does (the first is the base)."""
    from rich.console import Console

    from optimiser.whatif.compare import Side, compare
    from optimiser.whatif.terminal import print_comparison

    registry = _open(db_url)
    runs = [registry.get(base_id), registry.get(other_id)]
    sides, seen = [], {}
    for run in runs:
        seen[run.scenario] = seen.get(run.scenario, 0) + 1
        name = run.scenario if seen[run.scenario] == 1 else f"{run.scenario}#{seen[run.scenario]}"
        document = json.loads(run.plan_json) if run.plan_json else {"status": run.status}
        sides.append(Side(name, run.id, run.status, document))
        click.echo(f"{name} = run {run.id} ({run.status}, {run.created_at:%Y-%m-%d %H:%M} UTC, "
                   f"{run.created_by})")
    print_comparison(compare(sides), Console(highlight=False))


@runs_group.command("adopt", short_help="Adopt a run's plan.")
@click.argument("run_id")
@click.option("--note", required=True, help="Why this plan is adopted (kept with the run).")
@db_option
@_exits
def adopt_command(run_id: str, note: str, db_url: str | None) -> None:
    """Adopt a run's plan (the plan adopted before it, if any, is archived)."""
    run, archived = _open(db_url).adopt(run_id, note)
    click.echo(f"run {run.id} ({run.scenario}) adopted by {run.decided_by}: {run.decision_note}")
    for old in archived:
        click.echo(f"run {old} archived (superseded by {run.id})")


@runs_group.command("export", short_help="Write a run's plan folder.")
@click.argument("run_id")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Plan folder to write (new, empty, or a folder optimiser wrote).")
@click.option("--lang", type=click.Choice(REPORT_LANGUAGES), default="fr", show_default=True,
              help="Language of the report.")
@db_option
@_exits
def export_command(run_id: str, out_dir: Path, lang: str, db_url: str | None) -> None:
    """Write a run's plan folder, report included, as its solve wrote it."""
    from optimiser.folders import check_out
    from optimiser.registry.export import export_run

    check_out(out_dir)  # before reading the run: a refused --out is said first
    run = _open(db_url).get(run_id)
    written = export_run(run, out_dir, lang)
    click.echo(f"plan of run {run.id} written to {written}")
