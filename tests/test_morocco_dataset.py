"""The embedded Morocco 2024 dataset: published totals, announced facts, provenance, and a
builder that regenerates the committed files byte for byte (issue 3)."""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path

import pytest

from optimiser.data import load_dataset
from optimiser.datasets.morocco import build_morocco_dataset

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "morocco-2024"
CURATED = ROOT / "data" / "sources" / "morocco"
SCENARIOS = ROOT / "scenarios"
CODE = re.compile(r"^[A-Za-z0-9_-]+$")

ANNOUNCED_NO_ANAESTHESIA = ["AL_HOCEIMA", "BOUJDOUR", "LARACHE", "SIDI_IFNI", "TINGHIR",
                            "GUELMIM", "ERRACHIDIA", "DRIOUCH"]
ANNOUNCED_SUPPORT = ["BOULEMANE", "ES_SEMARA", "FIGUIG", "TARFAYA", "JERADA", "SETTAT"]


@pytest.fixture(scope="module")
def ds():
    return load_dataset(DATA)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_published_totals(ds):
    assert len(ds.regions) == 12
    assert len(ds.delegations) == 75
    assert ds.delegations["population"].sum() == 36_828_330
    by_promotion = ds.posts.groupby(level="promotion")["posts"].sum().to_dict()
    assert by_promotion == {2023: 241, 2024: 454}
    assert ds.posts["posts"].sum() == 695
    assert ds.workforce["current"].sum() == 11_259  # public specialists, carte sanitaire 2024
    assert ds.workforce["departures"].sum() == 124  # posts opened to compensate transfers


def test_regions_sum_their_delegations(ds):
    regions = _rows(DATA / "regions.csv")
    per_region = ds.delegations.groupby("region_code")["population"].sum()
    for row in regions:
        assert per_region[row["region_code"]] == int(row["population"])


def test_referential_integrity(ds):
    regions, delegations = set(ds.regions.index), set(ds.delegations.index)
    specialties = set(ds.specialties.index)
    assert set(ds.delegations["region_code"]) <= regions
    for table in (ds.workforce, ds.capacity):
        assert set(table.index.get_level_values(0)) <= delegations
        assert set(table.index.get_level_values(1)) <= specialties
    assert set(ds.posts.index.get_level_values("specialty_code")) <= specialties
    assert set(ds.contingent_supply.index.get_level_values(0)) == set(ds.contingents.index)
    assert set(ds.contingent_supply.index.get_level_values(1)) <= specialties
    for eligible in ds.contingents["eligible"]:
        assert set(str(eligible).split(";")) <= regions | delegations


def test_codes_are_readable_ascii(ds):
    for index in (ds.regions.index, ds.delegations.index, ds.specialties.index,
                  ds.contingents.index):
        assert all(CODE.match(code) and not code.isdigit() for code in index)
    assert {"TTAH", "OR", "DT", "SM", "GON", "LSH", "DOED"} <= set(ds.regions.index)
    assert {"TATA", "BOUJDOUR", "CASABLANCA", "TANGER_ASSILAH", "AL_HOCEIMA"} <= set(
        ds.delegations.index)
    assert {"ANES", "CHIR", "GYN", "PED", "MI", "CARD", "RAD", "PSY", "OPH", "ORL", "TRAUMA",
            "URG"} <= set(ds.specialties.index)


def test_announced_anaesthesia_absences(ds):
    for code in ANNOUNCED_NO_ANAESTHESIA:
        row = ds.workforce.loc[(code, "ANES")]
        assert row["current"] - row["departures"] == 0, code


def test_announced_support_is_below_presence(ds):
    for code in ANNOUNCED_SUPPORT:
        population = ds.delegations.loc[code, "population"]
        for specialty in ("CHIR", "GYN"):
            spec = ds.specialties.loc[specialty]
            threshold = min(spec["min_presence"], spec["norm_per_100k"] * population / 1e5)
            row = ds.workforce.loc[(code, specialty)]
            assert row["current"] - row["departures"] < threshold, (code, specialty)


def test_priority_weights_have_mean_one(ds):
    weights = ds.delegations["priority_weight"]
    assert math.isclose(weights.mean(), 1.0, abs_tol=1e-3)
    assert weights.min() > 0
    assert weights.max() / weights.min() <= 3.0


def test_model_stays_comfortably_feasible(ds):
    capacity = ds.capacity["max_new"].groupby(level="specialty_code").sum()
    posts = ds.posts["posts"].groupby(level="specialty_code").sum()
    for specialty, n in posts.items():
        assert capacity.get(specialty, math.inf) >= 2 * n, specialty
    supply = ds.contingent_supply["size"].groupby(level="contingent_code").sum()
    for code, row in ds.contingents.iterrows():
        assert row["min_team"] <= supply[code]
    assert 50 <= supply["CN"] <= 200  # the Chinese mission's order of magnitude


def test_every_row_has_a_source():
    files = sorted(DATA.glob("*.csv")) + sorted(CURATED.glob("*.csv"))
    assert len(files) >= 8 + 10
    for path in files:
        rows = _rows(path)
        assert rows, path.name
        for line, row in enumerate(rows, start=2):
            assert (row.get("source") or "").strip(), f"{path.name}:{line}"


def test_estimates_are_labelled(ds):
    """Figures no one published are never presented as official: their source says so."""
    for source in ds.posts["source"]:
        assert source.startswith("estimate")
    for source in ds.contingent_supply["source"]:
        assert source.startswith("estimate")
    for source in ds.specialties["stock_source"]:
        assert source.startswith(("estimate", "none"))
    labelled = ds.workforce["source"].str.contains("estimate|announcement|none")
    assert labelled.all()


ARABIC = re.compile(r"^[\u0600-\u06FF ()]+$")


@pytest.mark.parametrize("folder", [DATA, ROOT / "data" / "example"], ids=lambda p: p.name)
def test_specialties_have_arabic_names_with_their_source(folder):
    """Every specialty has an Arabic name, and its provenance says it is a translation: no
    published ministry list was used (SOURCES.md, `specialties.csv`)."""
    rows = _rows(folder / "specialties.csv")
    for row in rows:
        assert ARABIC.match(row["name_ar"]), row["specialty_code"]
        provenance = row.get("name_ar_source") or row["source"]
        assert "translation (estimate)" in provenance, row["specialty_code"]
    names = load_dataset(folder).specialties["name_ar"]
    assert names.notna().all() and names.is_unique


def _example_plan(out: Path) -> dict:
    from optimiser.output import plan_document, write_plan_folder
    from optimiser.pipeline import load_inputs, run_scenario

    inputs = load_inputs(ROOT / "data" / "example", None)
    run = run_scenario(inputs)
    document = plan_document(inputs, run.result, run.plan, 0.0, timestamp=False)
    write_plan_folder(out, document, run.plan)
    return json.loads((out / "plan.json").read_text(encoding="utf-8"))


def test_plan_lists_arabic_specialty_names(tmp_path):
    plan = _example_plan(tmp_path / "plan")
    by_code = {r["specialty"]: r["name_ar"] for r in plan["specialties"]}
    assert by_code["ANES"] == "التخدير والإنعاش"
    assert all(by_code.values())


def test_plan_rows_carry_hosting_capacity(tmp_path):
    """delegations rows say each pair's hosting capacity (null / empty cell: unlimited), so a
    report can say "capacity reached"; plan.json stays strict JSON, the CSV byte-stable."""
    plan = _example_plan(tmp_path / "a")
    capacity = _rows(ROOT / "data" / "example" / "capacity.csv")
    limits = {(r["delegation_code"], r["specialty_code"]): int(r["max_new"]) for r in capacity}
    csv_rows = _rows(tmp_path / "a" / "delegations.csv")
    assert len(csv_rows) == len(plan["delegations"])
    for row, line in zip(plan["delegations"], csv_rows, strict=True):
        limit = limits.get((row["delegation"], row["specialty"]))
        assert row["capacity"] == limit and line["capacity"] == ("" if limit is None
                                                                 else str(limit))
        if limit is not None:
            assert row["posts"] + row["foreign"] <= limit
    assert any(row["capacity"] is None for row in plan["delegations"])
    json.loads((tmp_path / "a" / "plan.json").read_text(encoding="utf-8"),
               parse_constant=lambda name: pytest.fail(f"non-strict JSON constant {name}"))
    _example_plan(tmp_path / "b")
    for name in ("plan.json", "delegations.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_files_are_deterministic_text():
    for path in sorted(DATA.iterdir()):
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), path.name
        assert b"\r" not in raw, path.name
        raw.decode("utf-8")
        assert raw.endswith(b"\n"), path.name


def test_builder_regenerates_the_committed_files(tmp_path):
    build_morocco_dataset(tmp_path)
    built = sorted(p.name for p in tmp_path.iterdir())
    assert built == sorted(p.name for p in DATA.iterdir())
    for name in built:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_sources_document_the_dataset():
    text = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    for needle in ("CC BY 4.0", "HCP", "MIT", "78 delegations", "36,828,330", "estimate"):
        assert needle in text
    for path in sorted(DATA.glob("*.csv")):
        assert f"`{path.name}`" in text, path.name


def test_scenarios_are_valid():
    from optimiser.scenario import read_scenario

    names = {path.stem: read_scenario(path) for path in sorted(SCENARIOS.glob("*.yaml"))}
    assert {"baseline", "ttah-97", "no-foreign", "china-plus-30"} <= set(names)


def test_china_plus_30_adds_thirty_doctors(ds):
    import yaml

    scenario = yaml.safe_load((SCENARIOS / "china-plus-30.yaml").read_text(encoding="utf-8"))
    added = sum(o["size"] - ds.contingent_supply.loc[(o["contingent"], o["specialty"]), "size"]
                for o in scenario["overrides"]["contingent_size"])
    assert added == 30


@pytest.mark.slow
def test_default_scenario_plans_the_695_posts(tmp_path):
    cli = pytest.importorskip("optimiser.cli")
    from click.testing import CliRunner

    result = CliRunner().invoke(cli.main, ["solve", "--data", str(DATA), "--scenario",
                                           str(SCENARIOS / "baseline.yaml"), "--out",
                                           str(tmp_path / "plan")])
    assert result.exit_code == 0, result.output
    plan = json.loads((tmp_path / "plan" / "plan.json").read_text(encoding="utf-8"))
    assert plan["status"] == "optimal"
    assert sum(a["posts"] for a in plan["allocations"]) == 695
    assert sum(plan["posts_by_category"].values()) == 695
