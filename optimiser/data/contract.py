"""The data contract (DATA.md v1) as pydantic row models and a table of file specs.

Each CSV row is validated by its row model; the file specs say which files exist, which are
required, which columns identify a row, and which row model reads them. Keeping the contract
as data lets the loader stay generic and the error messages name the column the contract uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
_WHOLE_NUMBER = re.compile(r"[+-]?\d+")


def _blank_to_none(value: Any) -> Any:  # noqa: ANN401 - pydantic validators see raw cells
    """Treat an empty cell as absent so the field default (MODEL.md table) applies."""
    if isinstance(value, str) and value.strip() == "":
        return None
    return value


def _strict_int(value: Any) -> Any:  # noqa: ANN401
    """Accept "3" but refuse "3.5" and "3.0": counts of doctors are whole numbers in the CSV."""
    value = _blank_to_none(value)
    if isinstance(value, str):
        text = value.strip()
        if not _WHOLE_NUMBER.fullmatch(text):
            raise ValueError(f"expected a whole number, got {value!r}")
        return int(text)
    return value


Code = Annotated[str, Field(pattern=CODE_PATTERN.pattern)]
Text = Annotated[str, BeforeValidator(lambda v: v.strip() if isinstance(v, str) else v)]
OptText = Annotated[str | None, BeforeValidator(_blank_to_none)]
NonNegInt = Annotated[int, BeforeValidator(_strict_int), Field(ge=0)]
PosInt = Annotated[int, BeforeValidator(_strict_int), Field(ge=1)]
OptPosInt = Annotated[Annotated[int, Field(ge=1)] | None, BeforeValidator(_strict_int)]
OptNonNegInt = Annotated[Annotated[int, Field(ge=0)] | None, BeforeValidator(_strict_int)]
OptNonNegFloat = Annotated[Annotated[float, Field(ge=0)] | None, BeforeValidator(_blank_to_none)]
NonNegFloat = Annotated[float, BeforeValidator(_blank_to_none), Field(ge=0)]
Latitude = Annotated[Annotated[float, Field(ge=-90, le=90)] | None, BeforeValidator(_blank_to_none)]
Longitude = Annotated[
    Annotated[float, Field(ge=-180, le=180)] | None, BeforeValidator(_blank_to_none)]


class Row(BaseModel):
    """Base of every row model: extra columns are allowed and ignored (DATA.md)."""

    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


class RegionRow(Row):
    """A region of `regions.csv`."""

    region_code: Code
    name_fr: Text = Field(min_length=1)
    name_ar: OptText = None


class DelegationRow(Row):
    """A provincial delegation of `delegations.csv`."""

    delegation_code: Code
    name_fr: Text = Field(min_length=1)
    name_ar: OptText = None
    region_code: Code
    population: PosInt
    priority_weight: OptNonNegFloat = None
    latitude: Latitude = None
    longitude: Longitude = None


class SpecialtyRow(Row):
    """A specialty of `specialties.csv` with its staffing norm."""

    specialty_code: Code
    name_fr: Text = Field(min_length=1)
    name_en: OptText = None
    norm_per_100k: NonNegFloat
    min_presence: OptPosInt = None
    weight: OptNonNegFloat = None


class WorkforceRow(Row):
    """Current public specialists and expected departures of one (delegation, specialty)."""

    delegation_code: Code
    specialty_code: Code
    current: OptNonNegInt = None
    departures: OptNonNegInt = None


class CapacityRow(Row):
    """The most new doctors a delegation can host in a specialty."""

    delegation_code: Code
    specialty_code: Code
    max_new: NonNegInt


class PostsRow(Row):
    """Posts opened for one specialty and one graduating promotion."""

    promotion: Annotated[int, BeforeValidator(_strict_int)]
    specialty_code: Code
    posts: NonNegInt


class ContingentRow(Row):
    """A foreign doctor contingent and its deployment rules."""

    contingent_code: Code
    name: OptText = None
    origin: OptText = None
    min_team: OptPosInt = None
    max_sites: OptPosInt = None
    cost_per_doctor: OptNonNegFloat = None
    eligible: OptText = None


class SupplyRow(Row):
    """Doctors of one specialty that a contingent offers."""

    contingent_code: Code
    specialty_code: Code
    size: NonNegInt


@dataclass(frozen=True)
class FileSpec:
    """How one dataset file is read: its row model, whether it must exist and its key."""

    name: str
    row_model: type[Row]
    required: bool
    key: tuple[str, ...]

    @property
    def required_columns(self) -> list[str]:
        """Columns without a default: the contract's bold columns."""
        return [n for n, f in self.row_model.model_fields.items() if f.is_required()]

    @property
    def columns(self) -> list[str]:
        """Every column the contract knows, in declaration order."""
        return list(self.row_model.model_fields)


FILES: dict[str, FileSpec] = {
    spec.name: spec
    for spec in (
        FileSpec("regions.csv", RegionRow, True, ("region_code",)),
        FileSpec("delegations.csv", DelegationRow, True, ("delegation_code",)),
        FileSpec("specialties.csv", SpecialtyRow, True, ("specialty_code",)),
        FileSpec("workforce.csv", WorkforceRow, False, ("delegation_code", "specialty_code")),
        FileSpec("capacity.csv", CapacityRow, False, ("delegation_code", "specialty_code")),
        FileSpec("posts.csv", PostsRow, True, ("promotion", "specialty_code")),
        FileSpec("contingents.csv", ContingentRow, False, ("contingent_code",)),
        FileSpec("contingent_supply.csv", SupplyRow, False, ("contingent_code", "specialty_code")),
    )
}
