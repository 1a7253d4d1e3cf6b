"""The plan pages of the web service: run page, CLI runs, infeasibility, compare, history.

Every figure a page shows is checked against the plan.json it comes from (pages carry raw
values in data-v attributes, beside the localised text), and user-entered text is checked to
stay text wherever it is shown.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from web_support import (
    EXAMPLE,
    INFEASIBLE,
    SCENARIO,
    example_files,
    make_client,
    make_zip,
    upload_example,
    wait_run,
)

from optimiser.report import i18n

client = pytest.fixture(scope="module")(make_client)
FLOOR = ("name: ttah-floor\ndescription: more posts in TTAH\nconstraints:\n"
         "  - {name: ttah-floor, region: TTAH, min: 8}\n")
PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{7*7}}")
EVIL = ("name: evil\ndescription: '<script>alert(1)</script> \"><img src=x onerror=alert(1)>"
        " {{7*7}}'\nconstraints:\n"
        "  - {name: '<script>alert(1)</script>', region: TTAH, min: 1}\n")


@pytest.fixture(scope="module")
def example_id(client) -> str:
    return upload_example(client)


def solve(client, dataset: str, scenario: str) -> str:
    answer = client.post("/api/runs", json={"dataset": dataset, "scenario_yaml": scenario,
                                            "timestamp": False})
    assert answer.status_code == 202, answer.text
    run_id = answer.json()["id"]
    wait_run(client, run_id)
    return run_id


@pytest.fixture(scope="module")
def baseline(client, example_id) -> str:
    run_id = solve(client, example_id, SCENARIO)
    assert client.get(f"/api/runs/{run_id}").json()["status"] == "optimal"
    return run_id


@pytest.fixture(scope="module")
def floor(client, example_id) -> str:
    run_id = solve(client, example_id, FLOOR)
    assert client.get(f"/api/runs/{run_id}").json()["status"] == "optimal"
    return run_id


def values(html: str, attribute: str) -> dict[str, str]:
    """data-key (or another attribute) -> data-v of the elements carrying both."""
    found = re.findall(rf'{attribute}="([^"]*)" data-v="([^"]*)"', html)
    return {key: value for key, value in found}


def csrf(client) -> str:
    client.get("/")
    return client.cookies.get("optimiser_csrf")


def test_run_page_shows_the_plan_json_figures(client, baseline):
    plan = client.get(f"/runs/{baseline}/plan.json").json()
    assert plan == client.get(f"/api/runs/{baseline}").json()["plan"]
    page = client.get(f"/runs/{baseline}?lang=en").text
    shown = values(page, "data-key")
    assert float(shown["objective"]) == plan["objective"]
    assert float(shown["unmet_before"]) == plan["unmet_need"]["before"]
    assert float(shown["unmet_after"]) == plan["unmet_need"]["after"]
    assert int(shown["posts_allocated"]) == plan["totals"]["posts_allocated"]
    assert int(shown["foreign_deployed"]) == plan["totals"]["foreign_deployed"]
    assert float(shown["gap"]) == plan["gap"] and shown["status"] == plan["status"]
    assert i18n.number(plan["objective"], "en", 2) in page
    assert f"of {plan['totals']['posts_available']} available" in page
    # the report's map and tables, built from the same plan folder
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="map"' in page
    regions = re.search(r'data-table="regions">(.*?)</table>', page, re.S).group(1)
    assert regions.count("<tr") == 1 + len(plan["regions"]) + 1  # header, regions, total
    national = re.search(r"<tfoot>(.*?)</tfoot>", page, re.S).group(1)
    totals = re.findall(r'class="num tot" data-v="(\d+)"', national)
    assert int(totals[0]) == plan["totals"]["posts_allocated"]
    assert int(totals[1]) == plan["totals"]["foreign_deployed"]
    per_delegation = Counter()
    for row in plan["allocations"]:
        per_delegation[row["delegation"]] += row["posts"]
    for code, posts in per_delegation.items():
        row = re.search(rf'<tr data-d="{code}">(.*?)</tr>', page, re.S).group(1)
        assert re.findall(r'class="num tot" data-v="(\d+)"', row)[0] == str(posts)
    for link in ("report.html", "plan.xlsx", "plan.json"):
        assert f'href="/runs/{baseline}/{link}"' in page
    assert f"/runs/new?from={baseline}&amp;lang=en" in page
    assert f"/compare?a={baseline}&amp;lang=en" in page


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_run_page_speaks_the_report_languages(client, baseline, lang):
    page = client.get(f"/runs/{baseline}?lang={lang}").text
    assert f'lang="{lang}"' in page
    assert i18n.title("regions", lang) in page and i18n.text("map_title", lang) in page
    assert i18n.text("matrix_national_total", lang) in page
    if lang == "ar":
        assert 'dir="rtl"' in page and "طنجة-تطوان-الحسيمة" in page


def test_unfinished_run_page_refreshes(client, example_id):
    answer = client.post("/api/runs", json={"dataset": "default", "scenario_yaml": SCENARIO})
    run_id = answer.json()["id"]
    page = client.get(f"/runs/{run_id}").text  # the national dataset takes ~2 s
    assert 'class="status-queued"' in page or 'class="status-running"' in page
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert 'id="run-progress"' in page  # _progress.html: live progress and cancel
    wait_run(client, run_id)
    done = client.get(f"/runs/{run_id}").text
    assert 'http-equiv="refresh"' not in done and 'id="run-progress"' not in done
    assert 'data-key="objective"' in done


def cli_solve(client, tmp_path, scenario: str) -> tuple[str, dict]:
    """A run recorded by `optimiser solve --db` on the service's registry: (id, plan.json)."""
    path = tmp_path / "cli.yaml"
    path.write_text(scenario, encoding="utf-8")
    out = tmp_path / "cli-plan"
    subprocess.run([sys.executable, "-m", "optimiser", "solve", "--data", str(EXAMPLE),
                    "--scenario", str(path), "--out", str(out), "--quiet",
                    "--db", client.app_settings.db_url], check=True)
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    runs = [r for r in client.get("/api/runs").json() if r["scenario"] == plan["scenario"]]
    return runs[0]["id"], plan


def test_cli_run_is_shown_and_its_files_exported_once(client, tmp_path):
    run_id, plan = cli_solve(client, tmp_path, "name: from-cli\ndescription: by the CLI\n")
    assert not (client.app_settings.runs_dir / run_id).exists()
    service = client.app.state.service
    with ThreadPoolExecutor(6) as pool:  # concurrent first requests: one export
        folders = list(pool.map(lambda _: service.plan_folder(run_id), range(12)))
    assert len(set(folders)) == 1 and folders[0] == client.app_settings.root / "exports" / run_id
    assert json.loads((folders[0] / "plan.json").read_text(encoding="utf-8")) == plan
    leftovers = [p.name for p in folders[0].parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []  # no temp folder or lock left behind
    page = client.get(f"/runs/{run_id}?lang=en")
    assert page.status_code == 200
    assert float(values(page.text, "data-key")["objective"]) == plan["objective"]
    assert "by the CLI" in page.text and "<td>example</td>" not in page.text
    report = client.get(f"/runs/{run_id}/report.html")
    assert report.status_code == 200 and "<svg" in report.text
    assert client.get(f"/runs/{run_id}/plan.xlsx").status_code == 200
    assert client.get(f"/runs/{run_id}/plan.json").json() == plan
    assert client.get("/runs/20990101-000000-abcdef/report.html").status_code == 404
    assert client.get("/runs/..%2F..%2Fetc/report.html").status_code == 404


def test_infeasible_run_explained_and_relaxed(client, example_id):
    run_id = solve(client, example_id, INFEASIBLE)
    state = client.get(f"/api/runs/{run_id}").json()
    assert state["status"] == "infeasible"
    least = state["conflict"]["least_total_relaxation"]
    assert least["scenario_patch"] == {"constraints.too-much.min": 36}
    page = client.get(f"/runs/{run_id}").text
    assert "Pourquoi ce scénario n&#39;a pas de solution" in page
    assert "La contrainte du scénario « too-much »" in page
    assert "Mettre le minimum de la contrainte « too-much » à 36." in page
    assert 'action="/runs/' + run_id + '/relax?lang=fr"' in page
    english = client.get(f"/runs/{run_id}?lang=en").text
    assert "Set the minimum of constraint “too-much” to 36." in english
    token = csrf(client)
    refused = client.post(f"/runs/{run_id}/relax", data={"csrf_token": "wrong"},
                          follow_redirects=False)
    assert refused.status_code == 403
    sent = client.post(f"/runs/{run_id}/relax?lang=en", data={"csrf_token": token},
                       follow_redirects=False)
    assert sent.status_code == 303
    new_id = sent.headers["location"].split("/")[2].split("?")[0]
    assert sent.headers["location"].endswith("?lang=en")
    relaxed = wait_run(client, new_id)
    assert relaxed["status"] == "optimal"
    assert "min: 36" in relaxed["scenario_yaml"] and relaxed["scenario"] == "too-much-relaxed"
    assert relaxed["plan"]["totals"]["posts_allocated"] == 36
    baseline = client.post(f"/runs/{new_id}/relax", data={"csrf_token": token})
    assert baseline.status_code == 409  # a solved run has nothing to relax


def rows(page: str, key: str) -> dict[str, list[str]]:
    """Rows of the compare page by `data-<key>`: their data-v values in order."""
    found = {}
    for code, body in re.findall(rf'<tr data-{key}="([^"]*)"[^>]*>(.*?)</tr>', page, re.S):
        found.setdefault(code, []).append(re.findall(r'data-v="([^"]*)"', body))
    return {code: cells[0] if len(cells) == 1 else cells for code, cells in found.items()}


def test_compare_shows_the_differences_of_the_two_plans(client, baseline, floor):
    base = client.get(f"/runs/{baseline}/plan.json").json()
    other = client.get(f"/runs/{floor}/plan.json").json()
    page = client.get(f"/compare?a={baseline}&b={floor}&lang=en")
    assert page.status_code == 200
    summary = rows(page.text, "metric")
    a, b, change = map(float, summary["objective"][:3])
    assert (a, b) == (base["objective"], other["objective"])
    assert change == pytest.approx(other["objective"] - base["objective"])
    assert b > a  # the floor costs something
    assert list(map(int, summary["posts_allocated"][:2])) == [
        base["totals"]["posts_allocated"], other["totals"]["posts_allocated"]]

    def by_region(plan: dict) -> Counter:
        counts = Counter()
        for row in plan["delegations"]:
            counts[row["region"]] += row["posts"]
        return counts

    regions = rows(page.text, "region")
    assert set(regions) == {r["region"] for r in base["regions"]}
    for region, cells in regions.items():
        assert int(cells[0]) == by_region(base)[region]
        assert int(cells[1]) == by_region(other)[region]
    assert int(regions["TTAH"][1]) >= 8 > int(regions["TTAH"][0])
    posts = {(r["delegation"], r["specialty"]): (r["posts"], r["foreign"])
             for r in base["delegations"]}
    expected = {}
    for r in other["delegations"]:
        before = posts[(r["delegation"], r["specialty"])]
        if before[0] != r["posts"]:
            expected[(r["delegation"], r["specialty"], "posts")] = (before[0], r["posts"])
        if before[1] != r["foreign"]:
            expected[(r["delegation"], r["specialty"], "foreign")] = (before[1], r["foreign"])
    shown = {}
    for d, s, m, body in re.findall(r'<tr data-delegation="([^"]*)" data-specialty="([^"]*)" '
                                    r'data-metric="([^"]*)">(.*?)</tr>', page.text, re.S):
        cells = re.findall(r'data-v="([^"]*)"', body)
        shown[(d, s, m)] = (int(cells[0]), int(cells[1]))
        assert int(cells[2]) == int(cells[1]) - int(cells[0])
    assert shown == expected and expected


def test_compare_defaults_to_the_adopted_run(client, baseline, floor):
    token = csrf(client)
    client.post(f"/runs/{floor}/adopt", data={"note": "chosen", "csrf_token": token})
    page = client.get(f"/compare?a={baseline}").text
    picked = re.search(r'<select name="b">.*?</select>', page, re.S).group(0)
    assert f'<option value="{floor}" selected>' in picked
    assert client.get("/compare?a=not-a-run").status_code == 404
    assert client.get(f"/compare?a={baseline}&b={baseline}").status_code == 200


def test_adopt_from_the_page_records_the_note_in_the_history(client, baseline, example_id):
    token = csrf(client)
    refused = client.post(f"/runs/{baseline}/adopt", data={"note": "x", "csrf_token": "abc"})
    assert refused.status_code == 403
    sent = client.post(f"/runs/{baseline}/adopt?lang=en",
                       data={"note": "approved by the board", "csrf_token": token},
                       follow_redirects=False)
    assert sent.status_code == 303
    state = client.get(f"/api/runs/{baseline}").json()
    assert state["decision"] == "adopted"
    assert state["history"][-1]["note"] == "approved by the board"
    history = client.get("/?lang=en").text
    row = re.search(rf'<tr class="run adopted" data-run="{baseline}">(.*?)</tr>', history,
                    re.S).group(1)
    assert "approved by the board" in row and "adopted" in row
    assert state["created_at"][:16].replace("T", " ") in row
    assert f"<td>{state['user']}</td>" in row and "<td>example</td>" in row
    assert f'name="a" value="{baseline}"' in row and f'name="b" value="{baseline}"' in row
    assert history.count('class="run adopted"') == 1  # adopting archives the previous one
    page = client.get(f"/runs/{baseline}?lang=en").text
    assert "approved by the board" in page and 'class="decision adopted"' in page


def test_user_text_stays_text_on_every_plan_page(client, baseline, tmp_path):
    files = example_files()
    lines = files["delegations.csv"].decode().splitlines()
    first = lines[1].split(",")
    first[1] = "<script>alert(1)</script>"
    lines[1] = ",".join(first)
    files["delegations.csv"] = ("\n".join(lines) + "\n").encode()
    answer = client.post("/api/datasets", files={"file": ("d.zip", make_zip(files))},
                         data={"name": PAYLOADS[1]})
    assert answer.status_code == 201, answer.text
    run_id = solve(client, answer.json()["id"], EVIL)
    assert client.get(f"/api/runs/{run_id}").json()["status"] == "optimal"
    pages = {
        "run": client.get(f"/runs/{run_id}").text,
        "history": client.get("/").text,
        "compare": client.get(f"/compare?a={baseline}&b={run_id}").text,
    }
    for name, page in pages.items():
        assert "<script>alert" not in page, name
        assert "<img src=x" not in page, name
    for name in ("run", "compare"):  # the constraint's name, the delegation's name
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[name], name
        assert "{{7*7}}" in pages[name], name  # the description, shown as typed
        assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in pages[name], name
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in pages["history"]  # dataset name
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; — " in pages["run"]  # the map
    assert pages["run"].count("<script") == pages["history"].count("<script")  # base's only
