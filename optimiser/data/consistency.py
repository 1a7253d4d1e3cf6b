"""Checks that the tables of a dataset make sense together (DATA.md "Further rules").

The loader has already checked each cell on its own; here each `check_*` function enforces one
rule across rows or files and returns every violation it finds, with the offending line.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from itertools import repeat

import pandas as pd

from optimiser.data.contract import CODE_PATTERN, CODE_RULE, FILES
from optimiser.data.load import LINE, REJECTED
from optimiser.errors import InputIssue


def check_unique_keys(name: str, table: pd.DataFrame) -> list[InputIssue]:
    """A key may appear once per file: a second row would silently override the first."""
    key = list(FILES[name].key)
    repeated = table.duplicated(key, keep="first").to_numpy()
    if not repeated.any():
        return []
    first = table.groupby(key, sort=False)[LINE].transform("first").to_numpy()[repeated]
    parts = [table[k].to_numpy()[repeated].tolist() for k in key]
    values = list(map(",".join, zip(*([str(v) for v in p] for p in parts), strict=True)))
    msg = f"duplicate key ({', '.join(key)}); first defined on line "
    return list(map(InputIssue, repeat(name), table[LINE].to_numpy()[repeated].tolist(),
                    repeat(key[-1]), values, [f"{msg}{at}" for at in first.tolist()]))


def check_foreign_key(
    name: str, table: pd.DataFrame, column: str, known: Iterable[str], target: str
) -> list[InputIssue]:
    """Every code must resolve in the file that defines it (e.g. a delegation's region)."""
    bad = ~table[column].isin(set(known)).to_numpy()
    if not bad.any():
        return []
    values = [str(v) for v in table[column].to_numpy()[bad]]
    return list(map(InputIssue, repeat(name), table[LINE].to_numpy()[bad].tolist(),
                    repeat(column), values, repeat(f"unknown code: not in {target}")))


def check_departures_within_current(table: pd.DataFrame) -> list[InputIssue]:
    """Doctors cannot leave who are not there: departures <= current (DATA.md)."""
    current = table["current"].fillna(0).to_numpy()
    departures = table["departures"].fillna(0).to_numpy()
    bad = departures > current
    if not bad.any():
        return []
    return list(map(InputIssue, repeat("workforce.csv"), table[LINE].to_numpy()[bad].tolist(),
                    repeat("departures"), [str(int(d)) for d in departures[bad].tolist()],
                    [f"departures exceed current ({int(c)})" for c in current[bad].tolist()]))


def check_no_self_dependency(table: pd.DataFrame) -> list[InputIssue]:
    """A specialty cannot require itself (NEED.md): the rule would read "send surgeons only
    where there are surgeons", which forbids creating a specialty anywhere it is missing."""
    bad = (table["specialty_code"] == table["requires"]).to_numpy()
    if not bad.any():
        return []
    return list(map(InputIssue, repeat("dependencies.csv"), table[LINE].to_numpy()[bad].tolist(),
                    repeat("requires"), [str(v) for v in table["requires"].to_numpy()[bad]],
                    repeat("a specialty cannot require itself")))


def check_eligible_codes(
    table: pd.DataFrame, regions: set[str], delegations: set[str], check_known: bool = True
) -> list[InputIssue]:
    """`eligible` lists region and/or delegation codes separated by `;`; each must exist
    (checked only when both files could be read: `check_known`)."""
    issues = []
    for value, line in zip(table["eligible"], table[LINE], strict=True):
        if value is None or pd.isna(value):
            continue
        for code in (part.strip() for part in str(value).split(";")):
            if not code:
                msg = "empty entry in the ';'-separated list"
            elif not CODE_PATTERN.fullmatch(code):
                msg = f"{code!r} is not a valid code: {CODE_RULE}"
            elif check_known and code not in regions and code not in delegations:
                msg = f"'{code}' is neither a region nor a delegation code"
            else:
                continue
            issues.append(InputIssue("contingents.csv", int(line), "eligible", value, msg))
    return issues


def check_supply_declared(tables: dict[str, pd.DataFrame],
                          failed: Set[str] = frozenset()) -> list[InputIssue]:
    """Contingents need their supply file, or the model would have no doctors to send."""
    supply = "contingent_supply.csv"
    if "contingents.csv" in tables and supply not in tables and supply not in failed:
        msg = "required when contingents.csv is present"
        return [InputIssue(supply, None, None, None, msg)]
    return []


def check_dataset(tables: dict[str, pd.DataFrame],
                  failed: Set[str] = frozenset()) -> list[InputIssue]:
    """Run every cross-row and cross-file rule on the tables that could be read.

    `failed` names the files that are present but could not be read: like a required file
    that is missing, their codes are unknown, so references into them are not checked (their
    own issues already say what is wrong; a cascade of "unknown code" would bury them).
    """
    issues = check_supply_declared(tables, failed)
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
        ("uptake.csv", "delegation_code", delegations, "delegations.csv"),
        ("uptake.csv", "specialty_code", specialties | {"*"}, "specialties.csv"),  # `*`: all
        ("targets.csv", "delegation_code", delegations, "delegations.csv"),
        ("targets.csv", "specialty_code", specialties, "specialties.csv"),
        ("dependencies.csv", "specialty_code", specialties, "specialties.csv"),
        ("dependencies.csv", "requires", specialties, "specialties.csv"),
        ("cohorts.csv", "specialty_code", specialties, "specialties.csv"),
        ("attrition.csv", "specialty_code", specialties, "specialties.csv"),
    ]
    for name, column, known, target in references:
        # A reference into a file that failed to load would only repeat that file's errors.
        target_known = target in tables or not (FILES[target].required or target in failed)
        if name in tables and target_known:
            issues += check_foreign_key(name, tables[name], column, known, target)
    if "dependencies.csv" in tables:
        issues += check_no_self_dependency(tables["dependencies.csv"])
    if "workforce.csv" in tables:
        issues += check_departures_within_current(tables["workforce.csv"])
    if "contingents.csv" in tables:
        unknown = {"regions.csv", "delegations.csv"} - set(tables)
        issues += check_eligible_codes(tables["contingents.csv"], regions, delegations,
                                       check_known=not unknown)
    return issues
