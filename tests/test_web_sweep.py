"""Sweeps in the web service: the form, the worker, the table, the charts, the Pareto front."""

from __future__ import annotations

import csv
import io
import math
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from web_support import EXAMPLE, SCENARIO, make_client, upload_example, wait_run

from optimiser.cli_support import Interrupted
from optimiser.web import charts, sweeps
from optimiser.whatif.paths import parse_vary
from optimiser.whatif.sweep import SweepSpec, run_sweep

client = pytest.fixture(scope="module")(make_client)
BUDGETS = "0,240000,480000,960000"
XSS = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def example_id(client) -> str:
    return upload_example(client)


def token(client) -> str:
    """The CSRF token the forms repeat (set as a cookie by any page)."""
    assert client.get("/sweeps").status_code == 200
    return client.cookies.get("optimiser_csrf")


def post_form(client, dataset: str, scenario: str, path1: str, values1: str,
              path2: str = "", values2: str = "", csrf: str | None = "auto"):
    data = {"dataset": dataset, "scenario_yaml": scenario, "path1": path1,
            "values1": values1, "path2": path2, "values2": values2}
    if csrf is not None:
        data["csrf_token"] = token(client) if csrf == "auto" else csrf
    return client.post("/sweeps?lang=en", data=data, follow_redirects=False)


def wait_sweep(client, sweep_id: str, timeout: float = 90) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        state = client.get(f"/api/sweeps/{sweep_id}").json()
        if state["status"] not in ("queued", "running"):
            return state
        time.sleep(0.2)
    raise AssertionError(f"sweep {sweep_id} did not finish")


def submit_and_wait(client, *args: str) -> tuple[str, dict]:
    answer = post_form(client, *args)
    assert answer.status_code == 303, answer.text
    match = re.fullmatch(r"/sweeps/(sweep-[0-9a-f-]+)\?lang=en", answer.headers["location"])
    assert match, answer.headers["location"]
    state = wait_sweep(client, match.group(1))
    assert state["status"] == "done", state
    return match.group(1), state


class Tables(HTMLParser):
    """The text of every cell of every <table id=...> of a page, by table id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table" and dict(attrs).get("id"):
            self._table = dict(attrs)["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def page_tables(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def expected_front(xs: list[float], ys: list[float]) -> set[int]:
    """1-based numbers of the points no other point beats on both axes (brute force)."""
    return {i + 1 for i in range(len(xs))
            if not any(xs[j] <= xs[i] and ys[j] <= ys[i] and (xs[j] < xs[i] or ys[j] < ys[i])
                       for j in range(len(xs)))}


def direct_sweep(tmp_path: Path, scenario: str, *varies: str) -> pd.DataFrame:
    """The same sweep through run_sweep (what `optimiser sweep` calls), in this process."""
    path = tmp_path / "scenario.yaml"
    path.write_text(scenario, encoding="utf-8")
    return run_sweep(SweepSpec(EXAMPLE, path, tuple(parse_vary(v) for v in varies)))


def test_budget_sweep_through_the_form(client, example_id, tmp_path):
    sweep_id, _ = submit_and_wait(client, example_id, SCENARIO, "parameters.budget", BUDGETS)
    page = client.get(f"/sweeps/{sweep_id}?lang=en")
    assert page.status_code == 200
    assert 'http-equiv="refresh"' not in page.text  # finished: no more refreshing
    assert page.text.count("<svg") == 2 and page.text.count("</svg>") == 2
    download = client.get(f"/sweeps/{sweep_id}/sweep.csv")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    cells = list(csv.reader(io.StringIO(download.text)))
    table = pd.read_csv(io.StringIO(download.text))

    direct = direct_sweep(tmp_path, SCENARIO, f"parameters.budget={BUDGETS}")
    assert list(table["parameters.budget"]) == [0, 240000, 480000, 960000]
    assert list(table["status"]) == list(direct["status"]) == ["optimal"] * 4
    for web, cli in zip(table["unmet_need"], direct["unmet_need"], strict=True):
        assert math.isclose(web, cli, rel_tol=1e-8)
    assert direct["unmet_need"].iloc[0] > direct["unmet_need"].iloc[-1]  # the budget matters

    shown = page_tables(page.text)["sweep-table"]
    assert shown[0][1:] == cells[0]  # the header of sweep.csv, after the point number
    column = cells[0].index("unmet_need") + 1
    assert [row[column] for row in shown[1:]] == [row[column - 1] for row in cells[1:]]

    # Posts do not move with the budget, so the Pareto chart puts the budget on x.
    assert table["posts_allocated"].nunique() == 1
    front = expected_front(list(table["parameters.budget"]), list(table["unmet_need"]))
    assert 0 < len(front) < len(table)  # one point is dominated: the test can tell
    pareto = page_tables(page.text)["pareto"]
    assert {int(row[0]) for row in pareto[1:]} == front
    assert [row[1] for row in pareto[1:]] == [str(table["parameters.budget"][i - 1])
                                              for i in sorted(front)]

    listing = client.get("/sweeps?lang=en").text
    assert sweep_id in listing and "parameters.budget" in listing and "web-test" in listing


def test_two_paths_grid_and_api(client, example_id, tmp_path):
    body = {"dataset": example_id, "scenario_yaml": SCENARIO,
            "vary": ["overrides.posts.ANES.2024=0,8", "parameters.absence_penalty=2,4"]}
    answer = client.post("/api/sweeps", json=body)
    assert answer.status_code == 202, answer.text
    state = wait_sweep(client, answer.json()["id"])
    assert state["status"] == "done" and state["done"] == state["points"] == 4
    table = pd.DataFrame(state["rows"])
    direct = direct_sweep(tmp_path, SCENARIO, *body["vary"])
    for web, cli in zip(table["unmet_need"], direct["unmet_need"], strict=True):
        assert math.isclose(web, cli, rel_tol=1e-8)
    assert table["posts_allocated"].nunique() > 1  # so posts are the Pareto axis
    front = expected_front(list(table["posts_allocated"]), list(table["unmet_need"]))
    assert 0 < len(front) < 4
    assert state["pareto"]["x"] == "posts_allocated"
    assert {i + 1 for i in state["pareto"]["front"]} == front
    page = client.get(f"/sweeps/{state['id']}?lang=fr").text
    assert page.count("<svg") == 2
    assert "parameters.absence_penalty = 2" in page and "parameters.absence_penalty = 4" in page
    assert {int(row[0]) for row in page_tables(page)["pareto"][1:]} == front
    assert "/api/sweeps" in client.get("/openapi.json").json()["paths"]


def test_user_text_is_escaped_in_the_charts(client, example_id):
    scenario = (f"name: xss\nconstraints:\n  - {{name: '{XSS}', region: TTAH, min: 0}}\n")
    sweep_id, _ = submit_and_wait(client, example_id, scenario, f"constraints.{XSS}.min", "0,1")
    page = client.get(f"/sweeps/{sweep_id}?lang=en").text
    assert page.count("<svg") == 2
    assert XSS not in page  # neither in the SVG text, the tables nor the aria-labels
    svgs = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert all("&lt;script&gt;alert(1)&lt;/script&gt;" in svg for svg in svgs)
    assert "<script" not in "".join(svgs)


@pytest.mark.parametrize(("path", "values", "named"), [
    ("overrides.what.ANES", "1,2", "overrides.what.ANES"),
    ("parameters.budget", "abc", "abc"),
    ("overrides.priority_weight.NOWHERE", "1,2", "NOWHERE"),
    ("parameters.budget", "5:1:1", "5:1:1"),
])
def test_bad_path_or_value_is_422_naming_it(client, example_id, path, values, named):
    before = set(p.name for p in (client.app_settings.root / "sweeps").glob("*")) \
        if (client.app_settings.root / "sweeps").is_dir() else set()
    answer = post_form(client, example_id, SCENARIO, path, values)
    assert answer.status_code == 422
    errors = re.search(r'<ul class="errors">(.*?)</ul>', answer.text, flags=re.S).group(1)
    assert named in errors.replace("&#39;", "'")
    assert str(client.app_settings.root) not in answer.text  # no server path
    assert f'value="{path}"' in answer.text  # the form comes back as it was typed
    after = set(p.name for p in (client.app_settings.root / "sweeps").glob("*")) \
        if (client.app_settings.root / "sweeps").is_dir() else set()
    assert after == before  # nothing queued, nothing left behind


def test_bad_scenario_yaml_gives_its_line(client, example_id):
    answer = post_form(client, example_id, "name: x\nparameters:\n  budgett: 3\n",
                       "parameters.budget", "1,2")
    assert answer.status_code == 422
    assert "scenario.yaml:3" in answer.text and "budgett" in answer.text


@pytest.mark.parametrize(("values1", "values2"), [("0:300:1", ""), ("1:15:1", "1:15:1"),
                                                  ("0:1000000000:1", "")])
def test_too_many_points_refused(client, example_id, values1, values2):
    start = time.monotonic()
    answer = post_form(client, example_id, SCENARIO, "parameters.budget", values1,
                       "parameters.absence_penalty" if values2 else "", values2)
    assert answer.status_code == 422
    assert "200" in answer.text and "optimiser sweep" in answer.text
    assert time.monotonic() - start < 5  # refused before anything is built


def test_missing_or_wrong_csrf_refused(client, example_id):
    for csrf in (None, "not-the-cookie"):
        answer = post_form(client, example_id, SCENARIO, "parameters.budget", BUDGETS, csrf=csrf)
        assert answer.status_code == 403
    token(client)
    cancel = client.post("/sweeps/sweep-20240101-000000-abcdef/cancel", data={})
    assert cancel.status_code == 403


def test_from_run_prefills_the_form(client, example_id):
    scenario = "name: from-run\ndescription: to sweep\n"
    run_id = client.post("/api/runs", json={"dataset": example_id,
                                            "scenario_yaml": scenario}).json()["id"]
    wait_run(client, run_id)
    page = client.get(f"/sweeps?from={run_id}")
    assert page.status_code == 200
    assert "name: from-run\ndescription: to sweep" in page.text
    assert f'<option value="{example_id}" selected>' in page.text
    assert client.get("/sweeps?from=20240101-000000-abcdef").status_code == 404
    assert client.get("/sweeps?from=../../etc").status_code == 404


@pytest.mark.parametrize("bad", ["sweep-..", "20240101-000000-abcdef",
                                 "sweep-20240101-000000-abcdef", "..%2F..%2Fruns"])
def test_unknown_or_malformed_sweep_is_404(client, bad):
    assert client.get(f"/sweeps/{bad}").status_code == 404
    assert client.get(f"/sweeps/{bad}/sweep.csv").status_code == 404
    assert client.get(f"/api/sweeps/{bad}").status_code == 404


def test_interrupted_task_keeps_finished_points(tmp_path, monkeypatch):
    """A worker stopped midway (SIGTERM -> Interrupted) writes the points it finished."""
    folder = tmp_path / "sweep-20240101-000000-abcdef"
    folder.mkdir()
    (folder / "scenario.yaml").write_text(SCENARIO, encoding="utf-8")
    varies = (parse_vary(f"parameters.budget={BUDGETS}"),)
    real = sweeps.run_sweep

    def stopping(spec, jobs, on_point, done):
        def point(i, row):
            on_point(i, row)
            if len(done) == 2:
                raise Interrupted(15)
        return real(spec, jobs, point, done)

    monkeypatch.setattr(sweeps, "run_sweep", stopping)
    task = sweeps.SweepTask(folder.name, folder, EXAMPLE, varies, "web-test")
    with pytest.raises(Interrupted):
        task.execute()
    rows = pd.read_csv(folder / "sweep" / "sweep.csv")
    assert len(rows) == 2 and list(rows["parameters.budget"]) == [0, 240000]
    assert sweeps.status_of(folder, None) == "interrupted"
    monkeypatch.setattr(sweeps, "run_sweep", real)
    assert task.execute() == "done"  # run again: the complete folder replaces the partial one
    assert sweeps.status_of(folder, None) == "done"
    assert len(pd.read_csv(folder / "sweep" / "sweep.csv")) == 4


def test_non_dominated_points():
    points = [(0, 10.0, 5.0), (1, 10.0, 5.0), (2, 8.0, 6.0), (3, 12.0, 5.0), (4, 9.0, 7.0)]
    assert [p[0] for p in charts.non_dominated(points)] == [2, 0, 1]  # ties both stay
