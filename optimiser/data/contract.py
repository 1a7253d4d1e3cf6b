"""The data contract (DATA.md v1.1) as pydantic row models and a table of file specs.

Each CSV row is validated by its row model; the file specs say which files exist, which are
required, which columns identify a row, and which row model reads them. Keeping the contract
as data lets the loader stay generic and the error messages name the column the contract uses.

Each column type also carries a `Fast` marker: what a cell of that type looks like when it is
surely valid (plain ASCII digits within range, a well-formed code...). The loader accepts such
cells column-wise, millions at a time, and sends only the others to the row model's own field
validators, which stay the contract and word the errors (tests check that both agree).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from optimiser.limits import MAX_COUNT

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
"""DATA.md v1.1: a code starts with a letter or digit, so no spreadsheet reads it as a formula
(`=X`, `+X`, `-X`, `@X`). Use `fullmatch`: `$` alone would let a trailing newline through."""
CODE_RULE = ("a code uses only ASCII letters, digits, '_' and '-', "
             "and starts with a letter or digit")
CONTROL = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters refused in text: C0 (NUL, tab, ESC...) except the line breaks of a quoted
multi-line cell, DEL and C1. Spreadsheet writers refuse them, and they are invisible when typed."""
_CONTROL_NAMES = {"\x00": "a NUL byte", "\t": "a tab", "\x0b": "a vertical tab",
                  "\x0c": "a form feed", "\x1b": "an ESC", "\x7f": "a DEL"}
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_BEYOND = 10**18
"""Stands for any integer of more than 18 digits: its sign is all the range checks need."""


@dataclass(frozen=True)
class Fast:
    """What a surely-valid cell of a column type looks like (read by `fastcheck.py`).

    `kind` is "code", "text" (required, stripped), "opt_text", "int" or "float"; numbers must
    lie in [low, high]; `optional` cells may be blank (None). A cell that does not fit goes to
    the row model, so the marker may be stricter than the contract, never looser.
    """

    kind: str
    low: float = 0
    high: float = 0
    optional: bool = False


def control_problem(text: str) -> str | None:
    """The message for the first control character of `text`, or None when there is none."""
    found = CONTROL.search(text)
    if found is None:
        return None
    char = found.group()
    code = f"U+{ord(char):04X}"
    name = f"{_CONTROL_NAMES[char]} ({code})" if char in _CONTROL_NAMES else code
    return (f"contains {name}, a control character: invisible, and refused by spreadsheets; "
            "remove it")


def _refuse_control(value: Any) -> Any:  # noqa: ANN401 - pydantic validators see raw cells
    """Refuse a control character anywhere in the raw cell (before stripping)."""
    if isinstance(value, str) and (problem := control_problem(value)) is not None:
        raise ValueError(problem)
    return value


def _blank_to_none(value: Any) -> Any:  # noqa: ANN401
    """Treat an empty cell as absent so the field default (MODEL.md table) applies."""
    if isinstance(value, str) and value.strip() == "":
        return None
    return value


def _text(value: Any) -> Any:  # noqa: ANN401
    """Required text: no control character, surrounding spaces stripped."""
    value = _refuse_control(value)
    return value.strip() if isinstance(value, str) else value


def _optional_text(value: Any) -> Any:  # noqa: ANN401
    """Optional text: blank is absent; otherwise no control character (kept as written)."""
    return _refuse_control(_blank_to_none(value))


def _code(value: str) -> str:
    """A code is an identifier (DATA.md v1.1); the message states the rule, not a regex."""
    if not CODE_PATTERN.fullmatch(value):
        if value.strip() == "":
            raise ValueError("a value is required")
        raise ValueError(f"{value!r} is not a valid code: {CODE_RULE}")
    return value


def _strict_int(value: Any) -> Any:  # noqa: ANN401
    """Accept "3" but refuse "3.5", "3.0" and non-ASCII digits: counts are whole numbers.

    An integer of more than 18 digits becomes ±10^18 so that the range checks refuse it with
    their own message, instead of Python's digit limit or an int64 overflow further on.
    """
    value = _blank_to_none(value)
    if isinstance(value, str):
        text = value.strip()
        if not _WHOLE_NUMBER.fullmatch(text):
            raise ValueError(f"expected a whole number, got {value!r}")
        if len(text.lstrip("+-").lstrip("0")) > 18:
            return -_BEYOND if text.startswith("-") else _BEYOND
        return int(text)
    return value


def _at_most(high: float, message: str) -> AfterValidator:
    """An upper bound with a message that states the range and why it exists."""

    def check(value: float | None) -> float | None:
        if value is not None and value > high:
            raise ValueError(message)
        return value

    return AfterValidator(check)


def _code_or_star(value: str) -> str:
    """A specialty code, or `*` for every specialty of the delegation (uptake.csv)."""
    return value if value == "*" else _code(value)


def _probability(value: float) -> float:
    """An acceptance probability: a post nobody ever takes (0) would be no post at all."""
    if not 0 < value <= 1:
        raise ValueError("a probability above 0 and at most 1 (the share of posts taken up)")
    return value


def _year(value: int) -> int:
    """A promotion is a graduation year."""
    if not 1900 <= value <= 2200:
        raise ValueError("a promotion is a year from 1900 to 2200")
    return value


def _calendar_year(value: int) -> int:
    """A calendar year (cohorts.csv): the year the posts open."""
    if not 1900 <= value <= 2200:
        raise ValueError("a year from 1900 to 2200")
    return value


def _rate(value: float) -> float:
    """A yearly attrition rate: a rate of 1 would empty the national staff every year."""
    if not 0 <= value < 1:
        raise ValueError("a yearly rate from 0 up to, but not including, 1 (the share of "
                         "national staff leaving each year)")
    return value


COUNT_RANGE = _at_most(MAX_COUNT, "above 10^9, the model's range")
"""Counts beyond 10^9 are typing errors, and larger numbers overflow the solver (limits.py)."""


def _count(low: int, optional: bool) -> Any:  # noqa: ANN401 - a type, built once per use
    """A whole count in [low, 10^9], optionally blank."""
    inner = Annotated[int, Field(ge=low), COUNT_RANGE]
    if optional:
        return Annotated[inner | None, BeforeValidator(_strict_int),
                         Fast("int", low, MAX_COUNT, optional=True)]
    return Annotated[inner, BeforeValidator(_strict_int), Fast("int", low, MAX_COUNT)]


def _number(low: float, high: float, optional: bool,
            upper: Callable[..., Any] | None = None) -> Any:  # noqa: ANN401
    """A finite number in [low, high]; `upper` words the upper bound when it is a plausibility
    limit rather than a fact of geography."""
    bounds = [Field(ge=low), upper] if upper is not None else [Field(ge=low, le=high)]
    inner = Annotated[float, *bounds]
    if optional:
        return Annotated[inner | None, BeforeValidator(_blank_to_none),
                         Fast("float", low, high, optional=True)]
    return Annotated[inner, BeforeValidator(_blank_to_none), Fast("float", low, high)]


Code = Annotated[str, AfterValidator(_code), Fast("code")]
CodeOrStar = Annotated[str, AfterValidator(_code_or_star), Fast("code")]
"""The fast check vouches for codes only: `*` goes to the row model, which accepts it."""
Probability = Annotated[float, BeforeValidator(_blank_to_none), AfterValidator(_probability),
                        Fast("float", math.ulp(0.0), 1.0)]
"""0 < p <= 1; the fast range starts at the least positive float, so 0 goes to the row model."""
Text = Annotated[str, BeforeValidator(_text), Fast("text")]
OptText = Annotated[str | None, BeforeValidator(_optional_text), Fast("opt_text", optional=True)]
NonNegInt = _count(0, optional=False)
PosInt = _count(1, optional=False)
OptPosInt = _count(1, optional=True)
OptNonNegInt = _count(0, optional=True)
Year = Annotated[int, BeforeValidator(_strict_int), AfterValidator(_year), Fast("int", 1900, 2200)]
CalendarYear = Annotated[int, BeforeValidator(_strict_int), AfterValidator(_calendar_year),
                         Fast("int", 1900, 2200)]
Rate = Annotated[float, BeforeValidator(_blank_to_none), AfterValidator(_rate),
                 Fast("float", 0.0, math.nextafter(1.0, 0.0))]
"""0 <= rate < 1; the fast range stops at the largest float below 1, so 1 goes to the row model."""
Norm = _number(0, 100_000, False, _at_most(
    100_000, "above 100,000 per 100,000 inhabitants, more specialists than inhabitants "
             "(the range is 0 to 100,000)"))
Weight = _number(0, 10**6, True, _at_most(
    10**6, "above 10^6, beyond any plausible weight (the range is 0 to 10^6)"))
Cost = _number(0, 10**9, True, _at_most(
    10**9, "above 10^9, beyond any plausible yearly cost per doctor (the range is 0 to 10^9)"))
TargetCount = _number(0, 10**6, False, _at_most(
    10**6, "above 10^6 specialists, beyond any delegation's need (the range is 0 to 10^6)"))
Latitude = _number(-90, 90, True)
Longitude = _number(-180, 180, True)


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
    priority_weight: Weight = None
    latitude: Latitude = None
    longitude: Longitude = None


class SpecialtyRow(Row):
    """A specialty of `specialties.csv` with its staffing norm."""

    specialty_code: Code
    name_fr: Text = Field(min_length=1)
    name_en: OptText = None
    norm_per_100k: Norm
    min_presence: OptPosInt = None
    weight: Weight = None


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

    promotion: Year
    specialty_code: Code
    posts: NonNegInt


class ContingentRow(Row):
    """A foreign doctor contingent and its deployment rules."""

    contingent_code: Code
    name: OptText = None
    origin: OptText = None
    min_team: OptPosInt = None
    max_sites: OptPosInt = None
    cost_per_doctor: Cost = None
    eligible: OptText = None


class SupplyRow(Row):
    """Doctors of one specialty that a contingent offers."""

    contingent_code: Code
    specialty_code: Code
    size: NonNegInt


class UptakeRow(Row):
    """The share of national posts of a delegation (and specialty, or `*`) taken up
    (UPTAKE.md): a specific specialty row wins over the delegation's `*` row; no row, p = 1."""

    delegation_code: Code
    specialty_code: CodeOrStar
    p_accept: Probability


class DependencyRow(Row):
    """A specialty that cannot work without another (NEED.md): new doctors of
    `specialty_code` go only where staff of `requires` reaches `min_required` after the plan."""

    specialty_code: Code
    requires: Code
    min_required: PosInt


class TargetRow(Row):
    """A workload target (NEED.md, e.g. from a WHO WISN study: `optimiser data wisn`): the
    specialists a delegation needs in a specialty, replacing the norm-based target."""

    delegation_code: Code
    specialty_code: Code
    target: TargetCount


class CohortRow(Row):
    """National posts opening in one year for one specialty, all promotions of that year
    together (NEED.md, several years): read by plans with `parameters.horizon` only."""

    year: CalendarYear
    specialty_code: Code
    posts: NonNegInt


class AttritionRow(Row):
    """The yearly share of a specialty's national staff leaving (retirement, emigration...;
    NEED.md, several years): applied from the horizon's second year on."""

    specialty_code: Code
    rate: Rate


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

    @property
    def float_columns(self) -> list[str]:
        """Columns holding decimal numbers (where a `;` file may use a decimal comma)."""
        return [n for n in self.columns if (f := fast_marker(self.row_model, n))
                and f.kind == "float"]


def fast_marker(model: type[Row], column: str) -> Fast | None:
    """The `Fast` marker of a column of a row model, if its type has one."""
    return next((m for m in model.model_fields[column].metadata if isinstance(m, Fast)), None)


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
        FileSpec("uptake.csv", UptakeRow, False, ("delegation_code", "specialty_code")),
        FileSpec("targets.csv", TargetRow, False, ("delegation_code", "specialty_code")),
        FileSpec("dependencies.csv", DependencyRow, False, ("specialty_code", "requires")),
        FileSpec("cohorts.csv", CohortRow, False, ("year", "specialty_code")),
        FileSpec("attrition.csv", AttritionRow, False, ("specialty_code",)),
    )
}
