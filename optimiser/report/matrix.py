"""The delegation x specialty table: how many posts of which specialty each delegation gets.

`build_matrix` derives it once from the plan's delegation rows (national posts and foreign
doctors per delegation and specialty), grouped by region with region and national totals.
`html_view` and `sheet_rows` only format it: the HTML page (sortable and filterable by the
page's small inline script, readable and printable without it) and the Excel sheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from optimiser.report import i18n


@dataclass(frozen=True)
class MatrixRow:
    """One line: a delegation, a region total or the national total."""

    code: str
    name_fr: str
    name_ar: str
    region: str
    posts: tuple[int, ...]  # per specialty, in `Matrix.specialties` order
    foreign: tuple[int, ...]

    @property
    def total_posts(self) -> int:
        """National posts over all specialties."""
        return sum(self.posts)

    @property
    def total_foreign(self) -> int:
        """Foreign doctors over all specialties."""
        return sum(self.foreign)


@dataclass(frozen=True)
class RegionGroup:
    """The delegations of one region and their total."""

    region: str
    name_fr: str
    name_ar: str
    rows: tuple[MatrixRow, ...]
    total: MatrixRow


@dataclass(frozen=True)
class Matrix:
    """Posts and foreign doctors by delegation (rows, grouped by region) and specialty."""

    specialties: tuple[str, ...]
    names: Mapping[str, Mapping[str, str]]  # specialty code -> language -> name
    groups: tuple[RegionGroup, ...]
    total: MatrixRow

    @property
    def n_delegations(self) -> int:
        """How many delegation rows (region and national totals not counted)."""
        return sum(len(g.rows) for g in self.groups)


def build_matrix(rows: pd.DataFrame, info: pd.DataFrame, regions: pd.DataFrame,
                 specialties: list[str], names: Mapping[str, Mapping[str, str]]) -> Matrix:
    """The matrix from the plan's delegation x specialty rows (`plan.json["delegations"]`)."""
    codes = list(specialties) + sorted(set(rows["specialty"]) - set(specialties))
    column = {code: i for i, code in enumerate(codes)}
    posts: dict[str, list[int]] = {}
    foreign: dict[str, list[int]] = {}
    region_of: dict[str, str] = {}
    for delegation, region, specialty, n_posts, n_foreign in zip(
            rows["delegation"].tolist(), rows["region"].tolist(), rows["specialty"].tolist(),
            rows["posts"].tolist(), rows["foreign"].tolist(), strict=True):
        region_of.setdefault(delegation, region)
        posts.setdefault(delegation, [0] * len(codes))[column[specialty]] += int(n_posts)
        foreign.setdefault(delegation, [0] * len(codes))[column[specialty]] += int(n_foreign)
    place = {d: (str(fr), str(ar or "")) for d, fr, ar in zip(
        info["delegation"].tolist(), info["name_fr"].tolist(), info["name_ar"].tolist(),
        strict=True)}
    region_names = {r: (str(fr), str(ar or "")) for r, fr, ar in zip(
        regions["region"].tolist(), regions["name_fr"].tolist(), regions["name_ar"].tolist(),
        strict=True)}
    known = [r for r in region_names if r in set(region_of.values())]
    groups = []
    for region in known + sorted(set(region_of.values()) - set(known)):
        lines = tuple(MatrixRow(d, *place.get(d, (d, "")), region, tuple(posts[d]),
                                tuple(foreign[d]))
                      for d in sorted(region_of) if region_of[d] == region)
        name_fr, name_ar = region_names.get(region, (region, ""))
        groups.append(RegionGroup(region, name_fr, name_ar, lines,
                                  _sum(region, name_fr, name_ar, region, lines)))
    every = tuple(line for g in groups for line in g.rows)
    return Matrix(tuple(codes), names, tuple(groups), _sum("", "", "", "", every))


def _sum(code: str, name_fr: str, name_ar: str, region: str,
         lines: tuple[MatrixRow, ...]) -> MatrixRow:
    width = len(lines[0].posts) if lines else 0
    return MatrixRow(code, name_fr, name_ar, region,
                     tuple(sum(line.posts[i] for line in lines) for i in range(width)),
                     tuple(sum(line.foreign[i] for line in lines) for i in range(width)))


# -- formatting ------------------------------------------------------------------------

def html_view(matrix: Matrix, lang: str, anchors: Mapping[str, str]) -> dict[str, Any]:
    """Everything the template needs: headers, region groups of formatted rows, controls.

    `anchors` maps a delegation code to the id of its "why" line (the name links to it).
    Every number cell carries its raw value in `v` (data-v) so the script sorts numbers, not
    localised text.
    """
    num = i18n.number
    headers = [{"code": code, "title": matrix.names.get(code, {}).get(lang, code)}
               for code in matrix.specialties]

    def cells(row: MatrixRow) -> list[dict[str, Any]]:
        out = []
        for code, posts, foreign in zip(matrix.specialties, row.posts, row.foreign,
                                        strict=True):
            out.append({"spec": code, "v": posts + foreign, "text": num(posts, lang),
                        "extra": f"+{num(foreign, lang)}" if foreign else "",
                        "zero": posts == 0 and foreign == 0})
        return out

    def totals(row: MatrixRow) -> list[dict[str, Any]]:
        return [{"v": value, "text": num(value, lang)} for value in
                (row.total_posts, row.total_foreign, row.total_posts + row.total_foreign)]

    groups = []
    for group in matrix.groups:
        region_name = i18n.name(group.name_fr, group.name_ar, lang)
        lines = []
        for row in group.rows:
            main = i18n.name(row.name_fr, row.name_ar, lang)
            lines.append({
                "code": row.code, "name": main,
                "other": i18n.other_name(row.name_fr, row.name_ar, lang),
                "search": " ".join(filter(None, (row.code, row.name_fr, row.name_ar,
                                                 group.name_fr, group.name_ar))).casefold(),
                "anchor": anchors.get(row.code, ""), "cells": cells(row),
                "totals": totals(row), "received": row.total_posts + row.total_foreign})
        groups.append({"region": group.region, "name": region_name,
                       "other": i18n.other_name(group.name_fr, group.name_ar, lang),
                       "rows": lines, "cells": cells(group.total),
                       "totals": totals(group.total)})
    return {"headers": headers, "groups": groups, "cells": cells(matrix.total),
            "totals": totals(matrix.total), "n": matrix.n_delegations,
            "count": i18n.text("filter_count", lang, n="{n}", total="{total}")}


SHEET_KINDS = ("region", "delegation", "name_fr", "name_ar")


def sheet_rows(matrix: Matrix, lang: str) -> tuple[list[str], list[list[Any]], list[str]]:
    """Header, rows and row roles ("row", "region", "total") of the Excel sheet.

    National posts first (one column per specialty and their total), then foreign doctors
    (one column per specialty that has any), then the total of both. Numbers stay numbers.
    """
    with_foreign = [i for i, _ in enumerate(matrix.specialties)
                    if matrix.total.foreign[i] > 0]
    foreign_label = i18n.text("matrix_foreign_mark", lang)
    header = [i18n.column("region", lang), i18n.column("delegation", lang),
              i18n.column("name_fr", lang), i18n.column("name_ar", lang),
              *matrix.specialties, i18n.column("posts", lang),
              *(f"{matrix.specialties[i]} ({foreign_label})" for i in with_foreign),
              i18n.column("foreign", lang), i18n.column("total", lang)]

    def values(row: MatrixRow, label: str | None = None) -> list[Any]:
        return [row.region or None, None if label else row.code,
                label or row.name_fr, None if label else (row.name_ar or None),
                *row.posts, row.total_posts, *(row.foreign[i] for i in with_foreign),
                row.total_foreign, row.total_posts + row.total_foreign]

    rows, roles = [], []
    for group in matrix.groups:
        for row in group.rows:
            rows.append(values(row))
            roles.append("row")
        label = (f"{i18n.text('matrix_region_total', lang)} — "
                 f"{i18n.name(group.name_fr, group.name_ar, lang)}")
        rows.append(values(group.total, label))
        roles.append("region")
    rows.append(values(matrix.total, i18n.text("matrix_national_total", lang)))
    roles.append("total")
    return header, rows, roles
