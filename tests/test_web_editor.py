"""The scenario editor (issue 13): form <-> YAML conversion, its pages, and that the YAML it
writes is a scenario the CLI solves with the form's constraints respected."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest
import yaml
from web_support import EXAMPLE, make_client, upload_example, wait_run

from optimiser.errors import InputError
from optimiser.pipeline import load_inputs, run_scenario
from optimiser.scenario import read_scenario
from optimiser.web.editor import (
    EditorForm,
    dump,
    from_document,
    merge_extra,
    place_issues,
    read_upload,
    to_document,
)

client = pytest.fixture(scope="module")(make_client)
TEXT = "L'équipe « TTAH » : \"97\" postes — الحسيمة: 'نعم'\n# pas un commentaire\n- ni une liste"


@pytest.fixture(scope="module")
def example_id(client) -> str:
    return upload_example(client)


def full_form() -> EditorForm:
    """A form using every field, with accents, quotes and Arabic in its free text."""
    form = EditorForm(name="essai-été", description=TEXT)
    form.name = "essai-ete"
    form.parameters = {"absence_penalty": "5", "allocate_all": "false", "budget": "1200000",
                       "time_limit_s": "30", "mip_gap": "0.01", "solver": "highs"}
    form.overrides = {
        "norm_multiplier": [{"specialty": "ANES", "factor": "1.2"},
                            {"specialty": "*", "factor": "0.9"}],
        "posts": [{"promotion": "2024", "specialty": "PED", "posts": "6"}],
        "contingent_size": [{"contingent": "CN", "specialty": "CHIR", "size": "4"}],
        "priority_weight": [{"delegation": "TATA", "factor": "2"}],
        "capacity": [{"delegation": "TATA", "specialty": "ANES", "max_new": "3"}],
    }
    form.constraints = [
        {"name": "nord: « plancher »", "region": ["TTAH"], "delegation": [], "specialty": [],
         "promotion": [], "counts": "posts", "min": "6", "max": "", "fix": ""},
        {"name": "", "region": ["DT", "GON"], "delegation": [], "specialty": ["ANES", "CHIR"],
         "promotion": ["2023", "2024"], "counts": "posts", "min": "", "max": "30", "fix": ""},
        {"name": "étrangers", "region": [], "delegation": ["TATA"], "specialty": ["GYN"],
         "promotion": [], "counts": "foreign", "min": "", "max": "", "fix": "0"},
    ]
    return form


def test_form_yaml_form_round_trip():
    form = full_form()
    doc, problems = to_document(form)
    assert problems == {}
    text = dump(doc)
    parsed, notes = read_upload(text.encode("utf-8"))
    assert parsed == doc and notes == []
    back, left = from_document(parsed)
    assert left == {}
    assert back == form
    assert parsed["description"] == TEXT  # quotes, colons, `#`, `-` and Arabic stay text
    assert parsed["constraints"][0] == {"name": "nord: « plancher »", "region": "TTAH", "min": 6}
    assert parsed["parameters"]["allocate_all"] is False and parsed["parameters"]["mip_gap"] == 0.01


def test_form_yaml_is_a_valid_scenario(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(dump(to_document(full_form())[0]), encoding="utf-8")
    scenario = read_scenario(path).scenario
    assert scenario.description == TEXT
    assert scenario.constraints[1].region == ["DT", "GON"]
    assert scenario.constraints[2].counts == "foreign" and scenario.constraints[2].fix == 0
    assert scenario.overrides.norm_multiplier == {"ANES": 1.2, "*": 0.9}
    assert scenario.parameters.budget == 1_200_000 and scenario.parameters.allocate_all is False


def test_horizon_fields_make_the_nested_mapping_and_back(tmp_path):
    """parameters.horizon (several years) has four fields in the form; the YAML holds the
    scenario's nested mapping, which loads back into the same fields."""
    form = EditorForm(name="years")
    form.parameters = {"horizon_start": "2024", "horizon_end": "2030",
                       "horizon_discount": "0.9", "horizon_mode": "rolling", "mip_gap": "0.01"}
    doc, problems = to_document(form)
    assert problems == {}
    assert doc["parameters"] == {"mip_gap": 0.01, "horizon": {
        "start": 2024, "end": 2030, "discount": 0.9, "mode": "rolling"}}
    path = tmp_path / "scenario.yaml"
    path.write_text(dump(doc), encoding="utf-8")
    horizon = read_scenario(path).scenario.parameters.horizon
    assert (horizon.start, horizon.end, horizon.discount, horizon.mode) == (
        2024, 2030, 0.9, "rolling")
    back, left = from_document(doc)
    assert left == {} and back.parameters == form.parameters
    # a horizon the fields cannot hold (an unknown key) is kept whole as extra YAML
    odd = {"name": "odd", "parameters": {"horizon": {"start": 2024, "end": 2025, "x": 1}}}
    back, left = from_document(odd)
    assert left == {"parameters": odd["parameters"]} and back.parameters == {}


def test_empty_rows_are_ignored_and_defaults_left_out():
    form = EditorForm(name="x")
    form.constraints = [{"name": "", "region": [], "counts": "posts", "min": ""}]
    form.overrides["posts"] = [{"promotion": "", "specialty": "", "posts": ""}]
    assert to_document(form.compact()) == ({"name": "x"}, {})


def test_what_the_form_cannot_hold_is_kept():
    original = {
        "name": "keep", "description": "d", "future_key": {"a": 1},
        "parameters": {"absence_penalty": 3, "solver": "gurobi"},
        "overrides": {"norm_multiplier": {"ANES": [1]}, "posts": [
            {"promotion": 2024, "specialty": "PED", "posts": 6},
            {"promotion": 2024, "specialty": "PED", "posts": 6, "why": "x"}]},
        "constraints": [{"region": "TTAH", "min": 1},
                        {"region": "DT", "min": 2, "note": "no field for this"},
                        {"region": "GON", "min": 3}],
    }
    form, left = from_document(original)
    assert left == {"future_key": {"a": 1}, "parameters": {"solver": "gurobi"},
                    "overrides": {"norm_multiplier": {"ANES": [1]}, "posts": [
                        {"promotion": 2024, "specialty": "PED", "posts": 6, "why": "x"}]},
                    "constraints": original["constraints"][1:]}  # order kept (names them)
    assert [c["region"] for c in form.constraints] == [["TTAH"]]
    doc, problems = to_document(form)
    assert merge_extra(doc, dump(left)) == [] and problems == {}
    assert doc["constraints"] == original["constraints"]
    assert doc["future_key"] == {"a": 1} and doc["parameters"] == original["parameters"]
    assert doc["overrides"]["posts"] == original["overrides"]["posts"]


def test_extra_yaml_never_silently_wins():
    doc = {"name": "a", "parameters": {"budget": 5}}
    problems = merge_extra(doc, "name: b\nparameters: {budget: 6, mip_gap: 0.1}\n")
    assert len(problems) == 2 and "name" in problems[0] and "parameters.budget" in problems[1]
    assert merge_extra({"name": "a"}, "[1, 2]") == [
        "extra YAML: must be a mapping (key: value), like a scenario file"]
    assert "not valid YAML" in merge_extra({"name": "a"}, "a: [")[0]


def test_factor_without_code_and_twice_are_row_problems():
    form = EditorForm(name="x")
    form.overrides["priority_weight"] = [{"delegation": "", "factor": "2"},
                                         {"delegation": "TATA", "factor": "2"},
                                         {"delegation": "TATA", "factor": "3"}]
    doc, problems = to_document(form)
    assert doc["overrides"]["priority_weight"] == {"TATA": 2}
    assert set(problems) == {"overrides.priority_weight.0", "overrides.priority_weight.2"}


def test_issues_are_placed_on_their_rows():
    form = full_form()
    issues = [{"file": "scenario.yaml", "line": 9, "column": "constraints.1.max", "value": "x",
               "message": "bad"},
              {"file": "scenario.yaml", "line": 3, "column": "overrides.norm_multiplier.ANES",
               "value": "ANES", "message": "unknown specialty code"},
              {"file": "scenario.yaml", "line": 2, "column": "name", "value": None,
               "message": "not a valid code"},
              {"file": "scenario.yaml", "line": 40, "column": "constraints.7", "value": None,
               "message": "from the extra YAML"}]
    placed, rest = place_issues(issues, form)
    assert placed == {"constraints.1": ["max (x): bad"],
                      "overrides.norm_multiplier.0": ["specialty (ANES): unknown specialty code"],
                      "name": ["not a valid code"]}
    assert rest == issues[3:]


def test_read_upload_is_bounded(monkeypatch):
    monkeypatch.setenv("OPTIMISER_MAX_SCENARIO_KB", "1")
    with pytest.raises(InputError, match="above the limit"):
        read_upload(b"name: x\ndescription: " + b"a" * 2000 + b"\n")
    bomb = b"a: &a [x, x, x, x, x, x, x, x, x]\n" + b"".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n".encode()
        for p, c in zip("abcdefg", "bcdefgh", strict=True))
    with pytest.raises(InputError, match="limit"):
        read_upload(bomb)
    doc, notes = read_upload(b"name: a\nname: b\n")
    assert doc == {"name": "b"} and "given twice" in notes[0]


# --- pages -------------------------------------------------------------------------------


def token(client) -> str:
    client.get("/runs/new")
    return client.cookies.get("optimiser_csrf")


def fields(client, dataset: str, **extra: object) -> dict:
    """A filled form as the browser posts it: a region floor the baseline does not meet."""
    return {"csrf_token": token(client), "dataset": dataset, "name": "nord-6",
            "description": TEXT, "p-time_limit_s": "20",
            "c-0-name": "ttah-floor", "c-0-region": "TTAH", "c-0-counts": "posts",
            "c-0-min": "6", "c-1-name": "", "c-1-min": "", "c-1-counts": "posts",
            "o-priority_weight-0-delegation": "TATA", "o-priority_weight-0-factor": "1.5",
            "o-posts-0-promotion": "", "o-posts-0-specialty": "", "o-posts-0-posts": "",
            **extra}


def region_posts(allocations: pd.DataFrame, region: str) -> int:
    regions = pd.read_csv(EXAMPLE / "delegations.csv").set_index("delegation_code")
    return int(allocations.loc[allocations["delegation"].map(regions["region_code"]) == region,
                               "posts"].sum())


def test_page_offers_the_datasets_codes_and_defaults(client, example_id):
    page = client.get(f"/runs/new?dataset={example_id}&lang=en")
    assert page.status_code == 200
    assert '<option value="TATA">TATA — Tata</option>' in page.text
    assert '<option value="TTAH">TTAH — Tanger-Tétouan-Al Hoceïma</option>' in page.text
    assert '<option value="CN">CN — Mission médicale chinoise</option>' in page.text
    assert 'placeholder="60"' in page.text and 'placeholder="4"' in page.text
    assert page.text.count('name="c-') == 3 * 9  # three empty constraint rows
    # every parameter has its label (several years: four fields, the mode a choice)
    for name in ("min_reach", "equity_weight", "horizon_start", "horizon_mode"):
        assert f'<label for="p-{name}"></label>' not in page.text, name
    assert "Several years: first year" in page.text
    assert '<select id="p-horizon_mode" name="p-horizon_mode">' in page.text
    assert "<script>" not in page.text.replace('<script src="/static/', "")
    arabic = client.get(f"/runs/new?dataset={example_id}&lang=ar")
    assert 'dir="rtl"' in arabic.text and "القيود" in arabic.text and "تطوان" in arabic.text
    assert client.get("/runs/new?dataset=../etc").status_code == 404
    assert client.get("/runs/new?from=../../etc/passwd").status_code == 404
    assert client.get("/runs/new?from=20240101-000000-abcdef").status_code == 404


def test_download_solves_with_the_cli_and_respects_the_constraint(client, example_id,
                                                                  tmp_path):
    answer = client.post("/runs/new", data=fields(client, example_id, action="download"))
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == 'attachment; filename="scenario.yaml"'
    path = tmp_path / "scenario.yaml"
    path.write_bytes(answer.content)
    doc = yaml.safe_load(answer.content.decode("utf-8"))
    assert doc["description"] == TEXT and doc["constraints"] == [
        {"name": "ttah-floor", "region": "TTAH", "min": 6}]
    baseline = run_scenario(load_inputs(EXAMPLE, None))
    assert region_posts(baseline.plan.allocations, "TTAH") < 6  # the floor has to bite
    run = run_scenario(load_inputs(EXAMPLE, path))
    assert run.result.status.value == "optimal"
    assert region_posts(run.plan.allocations, "TTAH") >= 6


def test_run_from_the_form_matches_the_cli(client, example_id, tmp_path):
    sent = client.post("/runs/new", data=fields(client, example_id, action="run"),
                       follow_redirects=False)
    assert sent.status_code == 303, sent.text
    run_id = sent.headers["location"].split("/")[2].split("?")[0]
    state = wait_run(client, run_id)
    assert state["status"] == "optimal"
    path = tmp_path / "s.yaml"
    path.write_text(state["scenario_yaml"], encoding="utf-8")
    cli = run_scenario(load_inputs(EXAMPLE, path))
    assert state["plan"]["objective"] == pytest.approx(cli.plan.objective, abs=1e-9)
    plan = pd.DataFrame(state["plan"]["allocations"])
    assert region_posts(plan, "TTAH") >= 6

    again = client.get(f"/runs/new?from={run_id}&lang=en")  # edit a run's scenario
    assert again.status_code == 200
    assert f'<option value="{example_id}" selected>' in again.text  # found by fingerprint
    assert 'name="name" value="nord-6"' in again.text
    described = re.search(r'<textarea name="description"[^>]*>(.*?)</textarea>', again.text,
                          re.S)
    assert html.unescape(described.group(1)) == TEXT
    assert re.search(r'name="c-0-min" value="6"', again.text)
    assert '<option value="TTAH" selected>' in again.text


def test_preview_fragment_and_add_rows(client, example_id):
    evil = fields(client, example_id, action="preview", description="<script>alert(1)</script>")
    page = client.post("/runs/new", data=evil)
    assert page.status_code == 200 and "<script>alert" not in page.text
    assert "description: &lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    fragment = client.post("/runs/new/yaml", data=evil)
    assert fragment.text.startswith('<div id="yaml-preview">') and "<html" not in fragment.text
    assert "region: TTAH" in fragment.text and "<script>alert" not in fragment.text
    more = client.post("/runs/new", data=fields(client, example_id, action="add_rows"))
    assert more.text.count('name="c-') == (1 + 6) * 9  # the filled row, then six empty ones
    assert 'name="blanks" value="6"' in more.text


def test_run_errors_are_shown_next_to_their_rows(client, example_id):
    bad = fields(client, example_id, action="run", name="pas un nom!",
                 **{"c-1-name": "both", "c-1-min": "5", "c-1-max": "2",
                    "c-2-name": "off", "c-2-region": "TTAH", "c-2-delegation": "TATA",
                    "c-2-min": "1", "p-mip_gap": "2"})
    page = client.post("/runs/new", data=bad)
    assert page.status_code == 422
    rows = re.findall(r'<tr class="row-errors"><td colspan="9">(.*?)</td></tr>', page.text,
                      re.S)
    assert len(rows) == 1 and "min (5) is greater than max (2)" in rows[0]
    name_at = page.text.index('name="name"')
    assert page.text.index("not a valid code", name_at) < page.text.index('name="description"')
    mip_at = page.text.index('name="p-mip_gap"')
    assert "expected a fraction" in page.text[mip_at:mip_at + 600]
    assert '<pre dir="ltr" class="yaml">' in page.text  # the YAML the errors are about


@pytest.mark.parametrize(("row", "message"), [
    ({"c-1-region": "TTAH", "c-1-delegation": "TATA", "c-1-min": "1"}, "selects no delegation"),
    ({"c-1-delegation": "NOWHERE", "c-1-max": "1"}, "delegation (NOWHERE): unknown delegation"),
])
def test_run_errors_found_against_the_dataset(client, example_id, row, message):
    page = client.post("/runs/new", data=fields(client, example_id, action="run",
                                                **{"c-1-name": "off", **row}))
    assert page.status_code == 422
    rows = re.findall(r'<tr class="row-errors"><td colspan="9">(.*?)</td></tr>', page.text,
                      re.S)
    assert len(rows) == 1 and message in rows[0]
    first, second = (page.text.index(f'name="c-{i}-name"') for i in (0, 1))
    assert first < second < page.text.index('class="row-errors"')  # under row 1, not row 0
    if "NOWHERE" in row.values():
        assert "NOWHERE (inconnu dans ce jeu de données)" in page.text  # kept, not dropped


def test_load_yaml_file_fills_the_form_and_keeps_the_rest(client, example_id):
    text = ("name: charge\ndescription: « chargé »\nconstraints:\n"
            "  - {name: a, delegation: [TATA, GUELMIM], specialty: ANES, max: 4}\n"
            "later: {kept: true}\n")
    page = client.post("/runs/new/load?lang=en", data={"csrf_token": token(client),
                                                       "dataset": example_id},
                       files={"file": ("s.yaml", text.encode("utf-8"), "text/yaml")})
    assert page.status_code == 200
    assert 'name="name" value="charge"' in page.text and "« chargé »" in page.text
    assert '<option value="GUELMIM" selected>' in page.text
    assert 'class="extra-kept"' in page.text
    extra = re.search(r'<textarea name="extra_yaml"[^>]*>(.*?)</textarea>', page.text, re.S)
    assert yaml.safe_load(html.unescape(extra.group(1))) == {"later": {"kept": True}}

    broken = client.post("/runs/new/load", data={"csrf_token": token(client),
                                                  "dataset": example_id},
                         files={"file": ("s.yaml", b"name: x\nconstraints: [\n", "text/yaml")})
    assert broken.status_code == 422 and "not valid YAML" in broken.text
    assert "constraints: [" in broken.text  # kept in the advanced textarea, not lost
    assert "<details open>" in broken.text


def test_raw_yaml_stays_supported(client, example_id):
    refused = client.post("/runs/new", data={"csrf_token": token(client), "dataset": example_id,
                                             "scenario_yaml": "name: x\nparameters: {nope: 1}\n"})
    assert refused.status_code == 422 and "unknown key" in refused.text
    assert "parameters: {nope: 1}" in refused.text


@pytest.mark.parametrize("path", ["/runs/new", "/runs/new/yaml"])
def test_posts_need_the_csrf_token(client, example_id, path):
    data = fields(client, example_id, action="run")
    del data["csrf_token"]
    assert client.post(path, data=data).status_code == 403
    loaded = client.post("/runs/new/load", data={"dataset": example_id},
                         files={"file": ("s.yaml", b"name: x\n", "text/yaml")})
    assert loaded.status_code == 403


def test_editor_script_is_served(client):
    script = client.get("/static/editor.js")
    assert script.status_code == 200 and "add-rows" in script.text
