"""Checks that the tables of a dataset make sense together (DATA.md "Further rules").

The loader has already checked each cell on its own; here each `check_*` function enforces one
rule across rows or files and returns every violation it finds, with the offending line.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from optimiser.data.contract import CODE_PATTERN, FILES
from optimiser.data.load import LINE, REJECTED
from optimiser.errors import InputIssue


def check_unique_keys(name: str, table: pd.DataFrame) -> list[InputIssue]:
    """A key may appear once per file: a second row would silently override the first."""
    key = list(FILES[name].key)
    repeated = table[table.duplicated(key, keep="first")]
    issues = []
    for _, row in repeated.iterrows():
        first = table.loc[(table[key] == row[key]).all(axis=1), LINE].iloc[0]
        value = ",".join(str(row[k]) for k in key)
        msg = f"duplicate key ({', '.join(key)}); first defined on line {first}"
        issues.append(InputIssue(name, int(row[LINE]), key[-1], value, msg))
    return issues


def check_foreign_key(
    name: str, table: pd.DataFrame, column: str, known: Iterable[str], target: str
) -> list[InputIssue]:
    """Every code must resolve in the file that defines it (e.g. a delegation's region)."""
    known_set = set(known)
    bad = table[~table[column].isin(known_set)]
    return [
        InputIssue(name, int(line), column, str(value), f"unknown code: not in {target}")
        for value, line in zip(bad[column], bad[LINE], strict=True)
    ]


def check_departures_within_current(table: pd.DataFrame) -> list[InputIssue]:
    """Doctors cannot leave who are not there: departures <= current (DATA.md)."""
    current = table["current"].fillna(0)
    departures = table["departures"].fillna(0)
    bad = table[departures > current]
    return [
        InputIssue(
            "workforce.csv",
            int(row[LINE]),
            "departures",
            str(int(row["departures"])),
            f"departures exceed current ({int(current[i])})",
        )
        for i, row in bad.iterrows()
    ]


def check_eligible_codes(
    table: pd.DataFrame, regions: set[str], delegations: set[str]
) -> list[InputIssue]:
    """`eligible` lists region and/or delegation codes separated by `;`; each must exist."""
    issues = []
    for value, line in zip(table["eligible"], table[LINE], strict=True):
        if value is None or pd.isna(value):
            continue
        for code in (part.strip() for part in str(value).split(";")):
            if not code:
                msg = "empty entry in the ';'-separated list"
            elif not CODE_PATTERN.match(code):
                msg = f"'{code}' is not a valid code"
            elif code not in regions and code not in delegations:
                msg = f"'{code}' is neither a region nor a delegation code"
            else:
                continue
            issues.append(InputIssue("contingents.csv", int(line), "eligible", value, msg))
    return issues


def check_supply_declared(tables: dict[str, pd.DataFrame]) -> list[InputIssue]:
    """Contingents need their supply file, or the model would have no doctors to send."""
    if "contingents.csv" in tables and "contingent_supply.csv" not in tables:
        msg = "required when contingents.csv is present"
        return [InputIssue("contingent_supply.csv", None, None, None, msg)]
    return []


def check_dataset(tables: dict[str, pd.DataFrame]) -> list[InputIssue]:
    """Run every cross-row and cross-file rule on the tables that could be read."""
    issues = check_supply_declared(tables)
    for name, table in tables.items():
        issues += check_unique_keys(name, table)

    def codes(name: str, column: str) -> set[str]:
        table = tables.get(name)
        return set() if table is None else set(table[column]) | table.attrs.get(REJECTED, set())

    regions = codes("regions.csv", "region_code")
    delegations = codes("delegations.csv", "delegation_code")
    specialties = codes("specialties.csv", "specialty_code")
    contingents = codes("contingents.csv", "contingent_code")
    references = [
        ("delegations.csv", "region_code", regions, "regions.csv"),
        ("workforce.csv", "delegation_code", delegations, "delegations.csv"),
        ("workforce.csv", "specialty_code", specialties, "specialties.csv"),
        ("capacity.csv", "delegation_code", delegations, "delegations.csv"),
        ("capacity.csv", "specialty_code", specialties, "specialties.csv"),
        ("posts.csv", "specialty_code", specialties, "specialties.csv"),
        ("contingent_supply.csv", "contingent_code", contingents, "contingents.csv"),
        ("contingent_supply.csv", "specialty_code", specialties, "specialties.csv"),
    ]
    for name, column, known, target in references:
        # A reference into a file that failed to load would only repeat that file's errors.
        target_loaded = target in tables or not FILES[target].required
        if name in tables and target_loaded:
            issues += check_foreign_key(name, tables[name], column, known, target)
    if "workforce.csv" in tables:
        issues += check_departures_within_current(tables["workforce.csv"])
    if "contingents.csv" in tables:
        issues += check_eligible_codes(tables["contingents.csv"], regions, delegations)
    return issues
