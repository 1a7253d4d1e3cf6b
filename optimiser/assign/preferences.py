"""The seeded preference model used when `optimiser assign` is given no preferences.

Real preference lists are not published, so a run without `--preferences` generates them from a
random-utility model (a conditional logit: the form of the discrete-choice studies of rural
postings), and writes them to `preferences.csv` beside the result so that the run can be
audited and repeated with `--preferences`. Graduate `g` values delegation `d` at

    u[g,d] = HOME * [region(d) = origin(g)]
             - DISTANCE * km(origin(g), d) / 100
             + POPULATION * ln(population(d) / median population of the plan's delegations)
             - PRIORITY * (priority_weight(d) - 1)
             + e[g,d],   e ~ Gumbel(0, 1), independent

- `km` is the great-circle distance from the population-weighted centroid of the graduate's
  origin region (the mean of its delegations' coordinates in `plan.json`, weighted by their
  population) to the delegation (its region's centroid when the plan has no coordinates for
  it); 0 when either is unknown or the graduate has no origin region (then no home bonus
  either).
- Population stands for what draws doctors to a place (a large city, a university hospital,
  work for a spouse, schools); `priority_weight` (MODEL.md: the deprivation and remoteness
  index, mean 1) for what keeps them away. Both come from `plan.json`, no other data is used.
- Only the delegations holding posts of the graduate's specialty and promotion are ranked, in
  decreasing utility (ties by delegation code). A delegation whose utility is more than `CUTOFF`
  below the graduate's best is unacceptable (not listed): the graduate would rather not take
  up a post there than take it (with the default weights, a home-region post against one
  1,200 km away with the same noise). The cut-off applies only with `--allow-refusals`; by
  default every delegation is listed (graduates are appointed; uptake.csv says who comes).

The weights are illustrative, not estimated from Moroccan data: the model is there to give a
plausible structure (home region and distance first, then the place), not a forecast.

Noise comes from one `numpy.random.Generator(PCG64(seed))`, drawn group by group in a fixed
order (groups by specialty then promotion; graduates by id; delegations by code), so the same
plan, graduates and seed give the same preferences on every machine.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from optimiser.assign.market import Market

EARTH_RADIUS_KM = 6371.0
COLUMNS = ["graduate_id", "delegation_code", "order", "utility"]


@dataclass(frozen=True)
class PreferenceModel:
    """The weights of the utility (module docstring); `cutoff` None lists every delegation."""

    home: float = 2.0
    distance_per_100km: float = 0.25
    population: float = 0.5
    priority: float = 1.0
    cutoff: float | None = 5.0

    def to_json(self) -> dict[str, float | None]:
        """The weights as written into assignment.json."""
        return asdict(self)


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray,
                 lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance in km (broadcasting)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def region_centroids(delegations: pd.DataFrame) -> pd.DataFrame:
    """Population-weighted mean latitude and longitude of each region's located delegations."""
    located = delegations.dropna(subset=["latitude", "longitude"])
    weight = located["population"].fillna(1.0).clip(lower=1.0)
    sums = pd.DataFrame({"region": located["region"], "w": weight,
                         "lat": located["latitude"] * weight,
                         "lon": located["longitude"] * weight}).groupby("region").sum()
    return pd.DataFrame({"latitude": sums["lat"] / sums["w"],
                         "longitude": sums["lon"] / sums["w"]})


def _places(market: Market) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Delegations with coordinates (their region's centroid where missing) and
    attractiveness; and the region centroids."""
    table = market.delegations.copy()
    centroids = region_centroids(table)
    for column in ("latitude", "longitude"):
        table[column] = table[column].fillna(table["region"].map(centroids[column]))
    return table, centroids


def generate(graduates: pd.DataFrame, market: Market, seed: int,
             model: PreferenceModel | None = None) -> pd.DataFrame:
    """Preference rows (COLUMNS) for every graduate, sorted by graduate and order."""
    model = model or PreferenceModel()
    places, centroids = _places(market)
    population = places["population"].clip(lower=1.0)
    places["attract"] = (model.population * np.log(population / population.median())
                         - model.priority * (places["priority_weight"] - 1.0))
    rng = np.random.Generator(np.random.PCG64(seed))
    parts = []
    for (specialty, promotion), seats in market.seats.groupby(["specialty", "promotion"],
                                                              sort=True):
        mine = graduates[(graduates["specialty_code"] == specialty)
                         & (graduates["promotion"] == promotion)]
        if mine.empty:
            continue
        parts.append(_group(mine.sort_values("graduate_id"), places.loc[seats["delegation"]],
                            centroids, model, rng))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in
                             zip(COLUMNS, (object, object, np.int64, np.float64), strict=True)})
    return pd.concat(parts, ignore_index=True).sort_values(
        ["graduate_id", "order"], ignore_index=True)


def _group(mine: pd.DataFrame, places: pd.DataFrame, centroids: pd.DataFrame,
           model: PreferenceModel, rng: np.random.Generator) -> pd.DataFrame:
    """Utilities of one (specialty, promotion): graduates x its seat delegations."""
    n, m = len(mine), len(places)
    noise = rng.gumbel(size=(n, m))
    origin = mine["origin_region"].to_numpy(dtype=object)
    home = origin[:, None] == places["region"].to_numpy(dtype=object)[None, :]
    lat = mine["origin_region"].map(centroids["latitude"]).to_numpy(dtype=np.float64)
    lon = mine["origin_region"].map(centroids["longitude"]).to_numpy(dtype=np.float64)
    km = haversine_km(lat[:, None], lon[:, None], places["latitude"].to_numpy()[None, :],
                      places["longitude"].to_numpy()[None, :])
    km = np.nan_to_num(km, nan=0.0)
    utility = (model.home * home - model.distance_per_100km * km / 100.0
               + places["attract"].to_numpy()[None, :] + noise)
    order = np.argsort(-utility, axis=1, kind="stable")  # ties: delegation code order
    ranked = np.take_along_axis(utility, order, axis=1)
    keep = np.ones_like(ranked, dtype=bool)
    if model.cutoff is not None:
        keep = ranked >= ranked[:, :1] - model.cutoff  # a prefix of each sorted row
    rows, position = np.nonzero(keep)
    return pd.DataFrame({
        "graduate_id": mine["graduate_id"].to_numpy(dtype=object)[rows],
        "delegation_code": places.index.to_numpy(dtype=object)[order[rows, position]],
        "order": position.astype(np.int64) + 1,
        "utility": ranked[rows, position],
    })
