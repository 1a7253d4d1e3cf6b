"""`optimiser assign` (UPTAKE.md): serial dictatorship, deferred acceptance, preferences, files.

Serial dictatorship is checked against a deliberately naive re-implementation written here
from the specification's words; deferred acceptance by enumerating every (graduate,
delegation) pair for a blocking pair, and against the `matching` package (PyPI; its
HospitalResident game, resident-optimal) as an independent reference. Both on random
instances with gaps in ranks and orders, graduates without origin, delegations listed that
have no seat of the graduate's group, and more or fewer graduates than posts.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from optimiser.assign.engine import assign
from optimiser.assign.market import Market, load_market
from optimiser.assign.preferences import PreferenceModel, generate, haversine_km
from optimiser.assign.readers import read_inputs
from optimiser.cli import main
from optimiser.datasets.graduates import cohort

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "morocco-2024"
GRADUATES = DATA / "graduates.csv"


# --- random instances -------------------------------------------------------------------------

def random_instance(rng: np.random.Generator, max_graduates: int = 12
                    ) -> tuple[Market, pd.DataFrame, pd.DataFrame]:
    """A market of a few delegations in three regions, two specialties, two promotions."""
    n_deleg = int(rng.integers(2, 8))
    codes = [f"D{i}" for i in range(n_deleg)]
    delegations = pd.DataFrame({
        "region": rng.choice(["R0", "R1", "R2"], n_deleg),
        "population": rng.integers(10_000, 1_000_000, n_deleg).astype(float),
        "priority_weight": rng.uniform(0.5, 1.5, n_deleg),
        "latitude": rng.uniform(28, 35, n_deleg), "longitude": rng.uniform(-10, -2, n_deleg),
    }, index=pd.Index(codes, name="delegation"))
    seats, grads, prefs = [], [], []
    for specialty in ("S0", "S1"):
        for promotion in (2023, 2024):
            chosen = [c for c in codes if rng.random() < 0.6] or [codes[0]]
            posts = rng.integers(1, 4, len(chosen))
            seats += [{"delegation": d, "specialty": specialty, "promotion": promotion,
                       "posts": int(p)} for d, p in zip(chosen, posts, strict=True)]
            n = int(rng.integers(1, max_graduates + 1))
            ranks = rng.choice(np.arange(1, 3 * n + 1), n, replace=False)  # gaps allowed
            for i, rank in enumerate(ranks):
                gid = f"{specialty}-{promotion}-{i}"
                origin = rng.choice(["R0", "R1", "R2", None])
                grads.append({"graduate_id": gid, "specialty_code": specialty,
                              "promotion": promotion, "rank": int(rank),
                              "origin_region": origin, "source": None})
                listed = [c for c in codes if rng.random() < 0.7]  # seats or not
                orders = rng.choice(np.arange(1, 4 * n_deleg), len(listed), replace=False)
                prefs += [{"graduate_id": gid, "delegation_code": d, "order": int(o)}
                          for d, o in zip(listed, orders, strict=True)]
    seat_table = pd.DataFrame(seats).sort_values(["specialty", "promotion", "delegation"],
                                                 ignore_index=True)
    prefs_table = pd.DataFrame(prefs, columns=["graduate_id", "delegation_code", "order"])
    prefs_table = prefs_table.sample(frac=1.0, random_state=int(rng.integers(1 << 30)))
    market = Market(Path("random"), "random", seat_table, delegations)
    return market, pd.DataFrame(grads), prefs_table.reset_index(drop=True)


def result_of(table: pd.DataFrame) -> dict[str, tuple[str | None, int | None]]:
    """graduate -> (delegation, choice) from an assignments table."""
    return {g: (None if pd.isna(d) else d, None if pd.isna(c) else int(c))
            for g, d, c in zip(table["graduate_id"], table["delegation"], table["choice"],
                               strict=True)}


def lists_of(prefs: pd.DataFrame) -> dict[str, list[str]]:
    """graduate -> delegations in their order."""
    ordered = prefs.sort_values(["graduate_id", "order"])
    return {g: list(rows["delegation_code"]) for g, rows in ordered.groupby("graduate_id")}


def naive_serial(market: Market, grads: pd.DataFrame, prefs: pd.DataFrame
                 ) -> dict[str, tuple[str | None, int | None]]:
    """UPTAKE.md's words, one graduate at a time: in rank order within each specialty and
    promotion, take the first listed delegation with a post left."""
    left = {(r.delegation, r.specialty, r.promotion): r.posts
            for r in market.seats.itertuples()}
    lists = lists_of(prefs)
    result = {}
    for g in grads.sort_values(["specialty_code", "promotion", "rank"]).itertuples():
        result[g.graduate_id] = (None, None)
        for position, d in enumerate(lists.get(g.graduate_id, []), start=1):
            key = (d, g.specialty_code, g.promotion)
            if left.get(key, 0) > 0:
                left[key] -= 1
                result[g.graduate_id] = (d, position)
                break
    return result


def blocking_pairs(market: Market, grads: pd.DataFrame, prefs: pd.DataFrame,
                   result: dict[str, tuple[str | None, int | None]]) -> list[tuple[str, str]]:
    """Every (graduate, delegation) pair that would both rather be matched together."""
    region = market.delegations["region"].to_dict()
    posts = {(r.delegation, r.specialty, r.promotion): r.posts
             for r in market.seats.itertuples()}
    info = grads.set_index("graduate_id")
    held: dict[tuple, list[str]] = {}
    for g, (d, _) in result.items():
        if d is not None:
            held.setdefault((d, info.at[g, "specialty_code"], info.at[g, "promotion"]),
                            []).append(g)

    def priority(d: str, g: str) -> tuple[bool, int]:
        return (info.at[g, "origin_region"] != region[d], int(info.at[g, "rank"]))

    lists = lists_of(prefs)
    blocking = []
    for g in info.index:
        mine = lists.get(g, [])
        d_now = result[g][0]
        better = mine if d_now is None else mine[: mine.index(d_now)]
        for d in better:
            key = (d, info.at[g, "specialty_code"], info.at[g, "promotion"])
            if key not in posts:
                continue
            holders = held.get(key, [])
            if len(holders) < posts[key] or any(priority(d, h) > priority(d, g)
                                                for h in holders):
                blocking.append((g, d))
    return blocking


def reference_da(market: Market, grads: pd.DataFrame, prefs: pd.DataFrame
                 ) -> set[tuple[str, str]]:
    """Resident-optimal stable matching by the `matching` package, group by group."""
    matching = pytest.importorskip("matching.games")
    region = market.delegations["region"].to_dict()
    lists = lists_of(prefs)
    pairs = set()
    for (s, p), seats in market.seats.groupby(["specialty", "promotion"]):
        mine = grads[(grads["specialty_code"] == s) & (grads["promotion"] == p)]
        capacity = dict(zip(seats["delegation"], seats["posts"].astype(int), strict=True))
        residents = {g: [d for d in lists.get(g, []) if d in capacity]
                     for g in mine["graduate_id"]}
        residents = {g: ds for g, ds in residents.items() if ds}
        if not residents:
            continue
        rank = dict(zip(mine["graduate_id"], mine["rank"], strict=True))
        origin = dict(zip(mine["graduate_id"], mine["origin_region"], strict=True))
        hospitals = {d: sorted((g for g, ds in residents.items() if d in ds),
                               key=lambda g, d=d: (origin[g] != region[d], rank[g]))
                     for d in capacity}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            game = matching.HospitalResident.create_from_dictionaries(
                residents, hospitals, capacity)
            found = game.solve(optimal="resident")
        pairs |= {(str(g), str(d)) for d, gs in found.items() for g in gs}
    return pairs


@pytest.mark.parametrize("seed", range(40))
def test_serial_matches_a_naive_reimplementation(seed):
    market, grads, prefs = random_instance(np.random.default_rng(seed))
    got = assign(grads, prefs, market, "serial")
    assert result_of(got.table) == naive_serial(market, grads, prefs)


@pytest.mark.parametrize("seed", range(40))
def test_deferred_acceptance_is_stable_and_equals_the_matching_package(seed):
    market, grads, prefs = random_instance(np.random.default_rng(1000 + seed))
    got = assign(grads, prefs, market, "deferred-acceptance")
    result = result_of(got.table)
    assert blocking_pairs(market, grads, prefs, result) == []
    mine = {(g, d) for g, (d, _) in result.items() if d is not None}
    assert mine == reference_da(market, grads, prefs)
    lists = lists_of(prefs)  # choice is the position in the graduate's whole list
    for g, (d, choice) in result.items():
        if d is not None:
            assert lists[g][choice - 1] == d


def test_deferred_acceptance_on_larger_instances():
    rng = np.random.default_rng(7)
    for _ in range(3):
        market, grads, prefs = random_instance(rng, max_graduates=60)
        result = result_of(assign(grads, prefs, market, "deferred-acceptance").table)
        assert blocking_pairs(market, grads, prefs, result) == []
        assert {(g, d) for g, (d, _) in result.items() if d} == reference_da(market, grads,
                                                                             prefs)


def test_the_blocking_pair_check_can_fail():
    """Serial dictatorship ignores the regions: on some instance it leaves a blocking pair
    of deferred acceptance's priorities, which the check must find."""
    found = 0
    for seed in range(30):
        market, grads, prefs = random_instance(np.random.default_rng(seed))
        result = result_of(assign(grads, prefs, market, "serial").table)
        found += bool(blocking_pairs(market, grads, prefs, result))
    assert found > 0


def test_counts_and_unfilled_posts_add_up():
    market, grads, prefs = random_instance(np.random.default_rng(3), max_graduates=20)
    got = assign(grads, prefs, market, "serial")
    counts = got.counts()
    assert counts["assigned"] + counts["unassigned"] == len(grads)
    assert counts["assigned"] + counts["unfilled_posts"] == market.seats["posts"].sum()
    assert (got.seats["filled"] <= got.seats["posts"]).all()
    per_seat = got.table.dropna(subset=["delegation"]).groupby(
        ["delegation", "specialty", "promotion"]).size()
    filled = got.seats.set_index(["delegation", "specialty", "promotion"])["filled"]
    assert per_seat.reindex(filled.index, fill_value=0).equals(filled)


# --- generated preferences --------------------------------------------------------------------

def test_generated_preferences_are_seeded_sorted_and_cut():
    market, grads, _ = random_instance(np.random.default_rng(11), max_graduates=30)
    one = generate(grads, market, seed=5)
    assert one.equals(generate(grads, market, seed=5))
    assert not one.equals(generate(grads, market, seed=6))
    seats = market.seats.rename(columns={"specialty": "specialty_code",
                                         "delegation": "delegation_code"})
    merged = one.merge(grads, on="graduate_id").merge(
        seats, on=["specialty_code", "promotion", "delegation_code"], how="left")
    assert merged["posts"].notna().all()  # only seats of the graduate's own group
    assert set(one["graduate_id"]) == set(grads["graduate_id"])  # the best is acceptable
    for _, rows in one.groupby("graduate_id"):
        assert list(rows["order"]) == list(range(1, len(rows) + 1))
        utility = rows["utility"].to_numpy()
        assert (np.diff(utility) <= 0).all()
        assert utility[-1] >= utility[0] - PreferenceModel().cutoff
    every = generate(grads, market, seed=5, model=PreferenceModel(cutoff=None))
    sizes = every.merge(grads, on="graduate_id").groupby("graduate_id").size()
    groups = market.seats.groupby(["specialty", "promotion"]).size()
    expected = grads.set_index("graduate_id").apply(
        lambda g: groups[(g["specialty_code"], g["promotion"])], axis=1)
    assert sizes.sort_index().equals(expected.sort_index().rename(None))
    assert len(every) > len(one)


def test_home_region_and_distance_drive_the_generated_choice():
    market, grads, _ = random_instance(np.random.default_rng(12), max_graduates=30)
    homeward = generate(grads, market, 1, PreferenceModel(home=1000, cutoff=None))
    first = homeward[homeward["order"] == 1].merge(grads, on="graduate_id")
    first["region"] = first["delegation_code"].map(market.delegations["region"])
    seats = market.seats.assign(region=market.seats["delegation"].map(
        market.delegations["region"]))
    for row in first.itertuples():
        mine = seats[(seats["specialty"] == row.specialty_code)
                     & (seats["promotion"] == row.promotion)]
        if row.origin_region in set(mine["region"]):
            assert row.region == row.origin_region
    near = generate(grads, market, 1, PreferenceModel(home=0, distance_per_100km=1000,
                                                      population=0, priority=0, cutoff=None))
    places = market.delegations
    located = grads.dropna(subset=["origin_region"])
    for row in near[near["order"] == 1].merge(located, on="graduate_id").itertuples():
        mine = market.seats[(market.seats["specialty"] == row.specialty_code)
                            & (market.seats["promotion"] == row.promotion)]["delegation"]
        region = places[places["region"] == row.origin_region]
        if region.empty:
            continue
        weight = region["population"]
        lat = (region["latitude"] * weight).sum() / weight.sum()
        lon = (region["longitude"] * weight).sum() / weight.sum()
        km = haversine_km(lat, lon, places.loc[mine, "latitude"], places.loc[mine, "longitude"])
        assert row.delegation_code == km.idxmin()


# --- the synthetic cohort ---------------------------------------------------------------------

def test_cohort_matches_posts_and_regions():
    graduates = pd.read_csv(GRADUATES, dtype={"graduate_id": str})
    posts = pd.read_csv(DATA / "posts.csv")
    regions = pd.read_csv(DATA / "regions.csv", dtype={"region_code": str})
    counts = graduates.groupby(["promotion", "specialty_code"]).size()
    assert counts.to_dict() == {k: v for k, v in posts.set_index(
        ["promotion", "specialty_code"])["posts"].items() if v > 0}
    assert graduates.groupby("promotion").size().to_dict() == {2023: 241, 2024: 454}
    for (promotion, specialty), rows in graduates.groupby(["promotion", "specialty_code"]):
        assert sorted(rows["rank"]) == list(range(1, len(rows) + 1))
        assert rows["graduate_id"].str.fullmatch(rf"G{promotion}-{specialty}-\d{{3}}").all()
    assert graduates["graduate_id"].is_unique
    assert graduates["source"].str.contains("synthetic").all()
    assert graduates["source"].str.contains("not real people").all()
    assert set(graduates.columns) == {"graduate_id", "specialty_code", "promotion", "rank",
                                      "origin_region", "source"}
    share = regions.set_index("region_code")["population"]
    share = share / share.sum()
    seen = graduates["origin_region"].value_counts().reindex(share.index, fill_value=0)
    n = len(graduates)
    sd = np.sqrt(n * share * (1 - share))
    assert (np.abs(seen - n * share) <= 4 * sd + 1).all()


def test_cohort_generator_reproduces_the_committed_file():
    posts = pd.read_csv(DATA / "posts.csv")
    regions = pd.read_csv(DATA / "regions.csv", dtype={"region_code": str})
    rows = cohort({(int(r.promotion), r.specialty_code): int(r.posts)
                   for r in posts.itertuples()},
                  dict(zip(regions["region_code"], regions["population"], strict=True)))
    committed = pd.read_csv(GRADUATES, dtype=str, keep_default_na=False)
    built = pd.DataFrame(rows).astype(str).sort_values("graduate_id", ignore_index=True)
    assert built[list(committed.columns)].equals(committed)


# --- the command on the national plan ---------------------------------------------------------

@pytest.fixture(scope="module")
def national_plan(tmp_path_factory):
    out = tmp_path_factory.mktemp("plan") / "baseline"
    result = CliRunner().invoke(main, ["solve", "--data", str(DATA), "--scenario",
                                       str(ROOT / "scenarios" / "baseline.yaml"), "--out",
                                       str(out), "--no-record", "--no-report", "--quiet",
                                       "--no-timestamp"])
    assert result.exit_code == 0, result.output
    return out


def run_assign(*args: str) -> object:
    return CliRunner().invoke(main, ["assign", *args], catch_exceptions=False)


def test_national_cohort_fills_the_695_posts_by_default(national_plan, tmp_path):
    for method in ("serial", "deferred-acceptance"):
        out = tmp_path / method
        result = run_assign(str(national_plan), "--graduates", str(GRADUATES), "--method",
                            method, "--out", str(out), "--quiet")
        assert result.exit_code == 0, result.output
        summary = json.loads((out / "assignment.json").read_text(encoding="utf-8"))
        assert (summary["posts"], summary["assigned"], summary["unfilled_posts"]) == (695, 695,
                                                                                      0)
        table = pd.read_csv(out / "assignments.csv")
        assert len(table) == 695 and table["delegation"].notna().all()
        refusing = tmp_path / f"{method}-refusals"
        assert run_assign(str(national_plan), "--graduates", str(GRADUATES), "--method", method,
                          "--allow-refusals", "--out", str(refusing), "--quiet").exit_code == 0
        refused = json.loads((refusing / "assignment.json").read_text(encoding="utf-8"))
        assert 0 < refused["unfilled_posts"] < 60  # unattractive posts left empty
        plan = pd.read_csv(national_plan / "allocations.csv")
        given = table.groupby(["delegation", "specialty", "promotion"]).size()
        assert given.sort_index().to_dict() == plan.groupby(
            ["delegation", "specialty", "promotion"])["posts"].sum().sort_index().to_dict()


def test_national_run_is_reproducible_and_auditable(national_plan, tmp_path):
    market = load_market(national_plan)
    graduates, _ = read_inputs(GRADUATES, None, market)
    for method in ("serial", "deferred-acceptance"):
        preferences = generate(graduates, market, seed=0)
        counts = assign(graduates, preferences, market, method).counts()
        assert counts["assigned"] + counts["unfilled_posts"] == 695
        assert counts["unassigned"] == counts["unfilled_posts"]  # one graduate per post
    first, second, again = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out in (first, second):
        assert run_assign(str(national_plan), "--graduates", str(GRADUATES), "--seed", "3",
                          "--out", str(out), "--quiet").exit_code == 0
    for name in ("assignments.csv", "assignment.json", "preferences.csv", "posts_filled.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    # the written preferences reproduce the run
    assert run_assign(str(national_plan), "--graduates", str(GRADUATES), "--preferences",
                      str(first / "preferences.csv"), "--out", str(again),
                      "--quiet").exit_code == 0
    assert (again / "assignments.csv").read_bytes() == (first / "assignments.csv").read_bytes()
    summary = json.loads((again / "assignment.json").read_text(encoding="utf-8"))
    assert summary["seed"] is None and summary["preferences"]["source"] == "file"
    assert not (again / "preferences.csv").exists()


# --- bad input --------------------------------------------------------------------------------

def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_graduates_rows_are_exit_2_with_file_line_column(national_plan, tmp_path):
    graduates = write(tmp_path / "graduates.csv", "\n".join([
        "graduate_id,specialty_code,promotion,rank,origin_region",
        "G1,ANES,2023,1,CS",
        "G2,ANES,2023,1,CS",
        "G1,ANES,2024,2,XX",
        "G4,MTC,2023,1,",
        "G5,ANES,2031,1,",
        "G6,ANES,abc,1,",
        "G7,ANES,2023,0,",
        "=G8,ANES,2023,5,",
    ]) + "\n")
    out = tmp_path / "out"
    result = run_assign(str(national_plan), "--graduates", str(graduates), "--out", str(out))
    assert result.exit_code == 2
    text = result.output
    name = str(graduates)
    for needle in (f"{name}:3: column 'rank' = '1': rank given twice",
                   f"{name}:4: column 'graduate_id' = 'G1': graduate_id given twice "
                   "(first on line 2)",
                   f"{name}:4: column 'origin_region' = 'XX': not a region of the plan",
                   f"{name}:5: column 'specialty_code' = 'MTC': the plan has no post of this "
                   "specialty",
                   f"{name}:6: column 'promotion' = '2031': the plan has no post of this "
                   "specialty for this promotion",
                   f"{name}:7: column 'promotion' = 'abc'",
                   f"{name}:8: column 'rank' = '0'",
                   f"{name}:9: column 'graduate_id' = '=G8'"):
        assert needle in text, text
    assert not out.exists()


def test_bad_preferences_are_exit_2_with_file_line_column(national_plan, tmp_path):
    graduates = write(tmp_path / "graduates.csv",
                      "graduate_id,specialty_code,promotion,rank,origin_region\n"
                      "G1,ANES,2023,1,CS\nG2,ANES,2023,2,\n")
    preferences = write(tmp_path / "preferences.csv", "\n".join([
        "graduate_id,delegation_code,order",
        "G1,TATA,1",
        "G9,TATA,1",
        "G1,TATA,2",
        "G1,FIGUIG,1",
        "G2,NOWHERE,1",
        "G2,TATA,x",
    ]) + "\n")
    out = tmp_path / "out"
    result = run_assign(str(national_plan), "--graduates", str(graduates), "--preferences",
                        str(preferences), "--out", str(out))
    assert result.exit_code == 2
    name = str(preferences)
    for needle in (f"{name}:3: column 'graduate_id' = 'G9': not a graduate of the graduates",
                   f"{name}:4: column 'delegation_code' = 'TATA': this graduate lists this "
                   "delegation twice (first on line 2)",
                   f"{name}:5: column 'order' = '1': this graduate gives this order twice",
                   f"{name}:6: column 'delegation_code' = 'NOWHERE': not a delegation of "
                   "the plan",
                   f"{name}:7: column 'order' = 'x'"):
        assert needle in result.output, result.output
    assert not out.exists()


def test_limits_missing_files_and_bad_plans_are_exit_2(national_plan, tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setenv("OPTIMISER_MAX_GRADUATES", "100")
    result = run_assign(str(national_plan), "--graduates", str(GRADUATES), "--out", str(out))
    assert result.exit_code == 2
    assert f"{GRADUATES}:102: graduates file (row 101) is above the limit of 100 rows" \
           in result.output
    assert "OPTIMISER_MAX_GRADUATES" in result.output
    monkeypatch.delenv("OPTIMISER_MAX_GRADUATES")
    result = run_assign(str(national_plan), "--graduates", str(tmp_path / "none.csv"))
    assert result.exit_code == 2 and "none.csv: no such file" in result.output
    result = run_assign(str(tmp_path), "--graduates", str(GRADUATES))
    assert result.exit_code == 2 and "plan.json is missing" in result.output
    missing = write(tmp_path / "g.csv", "graduate_id,specialty_code,rank\nG1,ANES,1\n")
    result = run_assign(str(national_plan), "--graduates", str(missing), "--out", str(out))
    assert result.exit_code == 2
    assert f"{missing}:1: column 'promotion': required column is missing" in result.output
    result = run_assign(str(national_plan), "--graduates", str(GRADUATES), "--out",
                        str(national_plan))
    assert result.exit_code == 2 and "choose a new folder" in result.output
    assert not out.exists()
