"""Where the time of one `optimiser solve` goes, stage by stage, in a fresh process.

    python -m benchmarks.national_stages

Prints one JSON object (seconds): the import floor (pandas, PuLP, highspy, pydantic), then our
own imports, loading the dataset, building and solving the plan model, plan.json, the
sensitivity (LP duals and receivers of one more post), writing the plan folder and the report
(the report after a warm-up, as `benchmarks.targets` measures it). benchmarks/targets.py
prints these beside the national ratio: they say what the ratio is made of.
"""

from __future__ import annotations

import time

START = time.perf_counter()
import highspy  # noqa: E402, F401 - the floor's imports, timed
import pandas  # noqa: E402, F401
import pulp  # noqa: E402, F401
import pydantic  # noqa: E402, F401

FLOOR = time.perf_counter() - START


def main() -> None:
    import json
    import tempfile
    from pathlib import Path

    marks: dict[str, float] = {"import floor": FLOOR}
    t = time.perf_counter()
    from optimiser.cli import main as _cli  # noqa: F401 - what `optimiser` imports first
    from optimiser.output import plan_document, write_plan_folder
    from optimiser.pipeline import load_inputs, run_scenario
    from optimiser.report import write_reports
    from optimiser.whatif.sensitivity import compute_sensitivity
    marks["our imports"] = time.perf_counter() - t

    def stage(name: str, task):  # noqa: ANN001, ANN202
        start = time.perf_counter()
        out = task()
        marks[name] = time.perf_counter() - start
        return out

    inputs = stage("load", lambda: load_inputs(None, None))
    run = stage("build + solve", lambda: run_scenario(inputs))
    marks["  of which build"] = run.build_seconds
    marks["  of which HiGHS"] = run.result.solve_seconds
    document = stage("plan.json", lambda: plan_document(inputs, run.result, run.plan,
                                                        run.build_seconds, timestamp=False))
    document["sensitivity"] = stage("sensitivity", lambda: compute_sensitivity(inputs, run))
    with tempfile.TemporaryDirectory() as tmp:
        folder = stage("write plan folder", lambda: write_plan_folder(
            Path(tmp) / "plan", document, run.plan))
        stage("report", lambda: write_reports(folder, lang="fr", timestamp=False))
    print(json.dumps({k: round(v, 3) for k, v in marks.items()}))


if __name__ == "__main__":
    main()
