"""Run one benchmark case in this process and print its figures as JSON.

Each case runs in its own process (see `__main__`) so that its peak memory is its own.
Stages: load (CSV + scenario), build (PuLP model), solve (transfer to the solver and the solve;
the greedy for separable cases), extract (plan tables, plan.json and CSVs), report (HTML,
Excel, Markdown). `highs_run` is HiGHS's own clock for the solve inside `solve` (the same
run: what is left of `solve` is the model's transfer and the values read back), and
`raw_highs` HiGHS alone on the same model read from an MPS export (a second solve: a MIP's
time varies by tens of percent between runs and with the column order, so the modelling
overhead is measured against `highs_run`).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _stages(data: Path, scenario: Path | None, report: bool, fast_path: bool) -> dict:
    from optimiser.fastpath import fast_path_blocker, solve_separable
    from optimiser.model import build_model
    from optimiser.output import plan_document, write_plan_folder
    from optimiser.pipeline import _run_greedy, load_inputs, per_promotion, plan_build_options
    from optimiser.results import plan_tables
    from optimiser.solve import solve_model

    out: dict[str, float | str | None] = {}
    t = time.perf_counter()
    inputs = load_inputs(data, scenario)
    out["load"] = time.perf_counter() - t
    model = None
    if fast_path and fast_path_blocker(inputs) is None:
        t = time.perf_counter()
        run = _run_greedy(inputs)
        out["build"], out["solve"], out["method"] = 0.0, time.perf_counter() - t, "greedy"
        result, plan = run.result, run.plan
        del solve_separable
    else:
        t = time.perf_counter()
        options = plan_build_options(inputs)
        model = build_model(inputs, options)
        out["build"] = time.perf_counter() - t
        result = solve_model(model, inputs.solver, inputs.time_limit_s, inputs.mip_gap)
        out["solve"], out["method"] = result.solve_seconds, result.solver
        solver = getattr(model.prob, "solverModel", None)
        out["highs_run"] = solver.getRunTime() if hasattr(solver, "getRunTime") else None
    t = time.perf_counter()
    if model is not None:
        tables_model, tables_result = model, result
        if options.aggregate_promotions and result.status.has_plan:
            tables_model, tables_result = per_promotion(inputs, model, result)
        plan = plan_tables(inputs, tables_model, tables_result)
    with tempfile.TemporaryDirectory() as tmp:
        document = plan_document(inputs, result, plan, out["build"])
        folder = write_plan_folder(Path(tmp) / "plan", document, plan)
        out["extract"] = time.perf_counter() - t
        out["report"] = None
        if report:
            from optimiser.report import write_reports

            t = time.perf_counter()
            write_reports(folder)
            out["report"] = time.perf_counter() - t
    out["status"], out["objective"], out["gap"] = result.status.value, plan.objective, result.gap
    out["variables"] = int(len(model.prob.variables())) if model is not None else None
    out["_model"] = model
    out["_time_limit"] = inputs.time_limit_s
    return out


def _raw_highs(model: object, time_limit: float) -> float:
    """HiGHS alone on the same model: export to MPS, read it, time only `run` (with the
    formulation's own HiGHS options, e.g. presolve off for the hull model)."""
    import highspy

    from optimiser.highs_direct import stdout_silenced

    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "model.mps")
        model.prob.writeMPS(path)
        with stdout_silenced():
            h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("time_limit", float(time_limit))
        h.setOptionValue("mip_rel_gap", 0.0)
        for name, value in model.highs_options.items():
            h.setOptionValue(name, value)
        h.readModel(path)
        t = time.perf_counter()
        h.run()
        return time.perf_counter() - t


def _cli_seconds(data: Path | None, repeat: int) -> list[float]:
    """Process start -> plan and report written, as a planner runs it."""
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "optimiser", "solve", "--quiet", "--out", f"{tmp}/o"]
        if data is not None:
            command += ["--data", str(data)]
        for _ in range(repeat):
            t = time.perf_counter()
            subprocess.run(command, check=True, cwd=ROOT)
            times.append(time.perf_counter() - t)
    return times


def run_case(name: str, data: Path | None, scenario: Path | None, repeat: int, report: bool,
             raw: bool, cli: bool, fast_path: bool) -> dict:
    """Median stage times over `repeat` runs (after one warm-up when repeat > 1)."""
    from optimiser.pipeline import default_data_dir

    data_dir = data or default_data_dir()
    runs = []
    for i in range(repeat + (1 if repeat > 1 else 0)):
        figures = _stages(data_dir, scenario, report, fast_path)
        if repeat > 1 and i == 0:
            continue
        runs.append(figures)
    summary: dict[str, object] = {"case": name, "runs": len(runs)}
    for key in ("load", "build", "solve", "highs_run", "extract", "report"):
        values = [r[key] for r in runs if r.get(key) is not None]
        summary[key] = statistics.median(values) if values else None
    for key in ("method", "status", "objective", "gap", "variables"):
        summary[key] = runs[-1][key]
    model = runs[-1]["_model"]
    summary["raw_highs"] = _raw_highs(model, runs[-1]["_time_limit"]) if raw and model else None
    if cli:
        summary["cli"] = statistics.median(_cli_seconds(data, repeat))
    summary["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name")
    parser.add_argument("--data", type=Path)
    parser.add_argument("--scenario", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument("--raw", action="store_true", help="also time raw HiGHS on an MPS export")
    parser.add_argument("--cli", action="store_true", help="also time the whole command")
    parser.add_argument("--mip", action="store_true", help="never use the greedy fast path")
    args = parser.parse_args()
    summary = run_case(args.name, args.data, args.scenario, args.repeat, not args.no_report,
                       args.raw, args.cli, not args.mip)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
