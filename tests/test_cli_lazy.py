"""The CLI imports a command's modules only when that command runs: `optimiser --help` lists
every command from its summary, and `optimiser solve` loads no report, Pareto or web module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from optimiser.cli import PLUGINS, main
from optimiser.cli_support import REPORT_LANGUAGES, LazyGroup

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example"


def _fresh_main() -> LazyGroup:
    """A copy of `main` with none of its lazy commands imported yet."""
    eager = {name: cmd for name, cmd in main.commands.items() if name not in PLUGINS}
    return LazyGroup(main.name, commands=eager, lazy=PLUGINS, params=main.params,
                     help=main.help, callback=main.callback)


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_help_from_summaries_is_the_help_of_the_imported_commands(width):
    group = _fresh_main()
    lazy = CliRunner().invoke(group, ["--help"], terminal_width=width)
    assert lazy.exit_code == 0, lazy.output
    assert not set(group.commands) & set(PLUGINS)  # listed without importing one
    for name in PLUGINS:
        assert group.get_command(click.Context(group), name) is not None
    loaded = CliRunner().invoke(group, ["--help"], terminal_width=width)
    assert set(PLUGINS) <= set(group.commands)
    assert lazy.output == loaded.output
    assert "serve-user" in lazy.output and "Commands:" in lazy.output


def test_every_summary_shortens_like_its_command_help():
    for name, entry in PLUGINS.items():
        real = entry.load()
        assert real.name == name and not real.hidden and not real.deprecated
        stand_in = click.Command(name, help=entry.summary)
        for limit in range(10, 130):
            assert stand_in.get_short_help_str(limit) == real.get_short_help_str(limit), name


def test_report_languages_are_the_reports():
    from optimiser.report.i18n import LANGUAGES

    assert REPORT_LANGUAGES == LANGUAGES


def test_lazy_subcommand_runs_and_unknown_names_still_fail():
    result = CliRunner().invoke(_fresh_main(), ["runs", "--help"])
    assert result.exit_code == 0 and "adopt" in result.output
    result = CliRunner().invoke(_fresh_main(), ["no-such-command"])
    assert result.exit_code == 2 and "No such command" in result.output


MODULES = """
import sys
from optimiser.cli import main
try:
    main(sys.argv[1:])
except SystemExit as done:
    assert done.code == 0, done.code
print("loaded:" + ",".join(sorted(m for m in sys.modules if m.startswith(("optimiser.report",
      "optimiser.whatif.pareto", "optimiser.web", "optimiser.registry.commands", "matplotlib",
      "openpyxl", "pandas")))))
"""


def _loaded(*args: str, cwd: Path) -> set[str]:
    done = subprocess.run([sys.executable, "-c", MODULES, *args], capture_output=True,
                          text=True, check=True, cwd=cwd)
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("loaded:"), done.stdout
    return set(filter(None, last.removeprefix("loaded:").split(",")))


def test_help_imports_no_command_module(tmp_path):
    assert _loaded("--help", cwd=tmp_path) == set()


def test_solve_without_a_report_imports_no_other_command_module(tmp_path):
    loaded = _loaded("solve", "--data", str(EXAMPLE), "--out", str(tmp_path / "o"), "--quiet",
                     "--no-report", "--no-record", cwd=tmp_path)
    assert "pandas" in loaded  # the test sees what the solve imports
    assert not {m for m in loaded if not m.startswith("pandas")}, loaded
