"""Scenario files (SCENARIO.md): a named set of parameters, overrides and extra constraints.

The YAML is read with the safe loader and validated by frozen pydantic models that forbid
unknown keys. Errors carry the YAML line of the offending key, found by walking the composed
node tree along the pydantic error location: planners edit these files by hand.

Reading is bounded (optimiser/yamlread.py, optimiser/limits.py): only a regular file of at most
SCENARIO_KB is read, and its parser events are checked for nesting depth and for size with
aliases expanded (counted, never expanded) before anything is built. Every number has a range
in words: counts are whole numbers up to MAX_COUNT, years are promotion years, factors and
amounts are finite and bounded, so nothing later overflows int64 or HiGHS's arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from optimiser import limits
from optimiser.data.contract import CODE_PATTERN, CODE_RULE, control_problem
from optimiser.errors import InputError, InputIssue
from optimiser.yamlread import fail, load_yaml, node_lines, read_text

NAME_CHARS = 100
"""Longest scenario name: it names the plan folder (`reports/<name>/`) and temp folders."""
PROMOTION_YEARS = (1900, 2200)
"""Promotion years a scenario may name (the rule of posts.csv)."""
MAX_FACTOR = 1e6
"""Largest multiplier or weight (norm_multiplier, priority_weight, absence_penalty)."""
MAX_BUDGET = 1e15
MAX_TIME_LIMIT_S = 7 * 24 * 3600


def _code_text(value: Any) -> Any:  # noqa: ANN401 - raw YAML values
    """YAML reads `R1` as text but `12` as a number: codes are compared as text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _code(value: Any) -> str:  # noqa: ANN401
    """A dataset code, refused in words rather than as a regular expression."""
    value = _code_text(value)
    if not isinstance(value, str) or not CODE_PATTERN.fullmatch(value):
        raise ValueError(f"not a valid code: {CODE_RULE}")
    return value


def _name(value: Any) -> str:  # noqa: ANN401
    """The scenario name: a code short enough to name a folder."""
    value = _code(value)
    if len(value) > NAME_CHARS:
        raise ValueError(f"a scenario name has at most {NAME_CHARS} characters (it names the "
                         f"plan folder); this one has {len(value)}")
    return value


def _plain_text(value: Any) -> Any:  # noqa: ANN401
    """Free text (a description, a constraint name) goes into the report and the workbook:
    no control character (ESC, NUL, bell...), which spreadsheets refuse; line breaks are fine."""
    value = _code_text(value)
    if isinstance(value, str) and (problem := control_problem(value)) is not None:
        raise ValueError(problem)
    return value


Text = Annotated[str, BeforeValidator(_plain_text)]


def _as_list(value: Any) -> Any:  # noqa: ANN401
    """A selector is a value or a list of values (SCENARIO.md)."""
    return value if isinstance(value, list) or value is None else [value]


def _number_in(low: float, high: float, whole: bool, what: str) -> Callable[[Any], Any]:
    """A validator of one number in [low, high], refused in words, never by an overflow.

    YAML gives ints of any size, floats that may be inf or nan, and text such as `1e6` (no
    dot: YAML 1.1 reads it as text). Integers are compared as integers (no float conversion
    that could overflow); `3.0` is a whole number, `0.5`, `true` and `.inf` are not.
    """
    def words(bound: float) -> str:  # 2024, 0.5, 1,000,000
        return f"{bound:,.0f}" if bound >= 10_000 else f"{bound:g}"

    expected = f"expected {what} from {words(low)} to {words(high)}"

    def check(value: Any) -> int | float:  # noqa: ANN401
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                try:
                    value = float(value.strip())
                except ValueError:
                    raise ValueError(expected) from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(expected)
        if isinstance(value, float):
            if not math.isfinite(value) or (whole and not value.is_integer()):
                raise ValueError(expected)
            value = int(value) if whole else value
        if not low <= value <= high:
            raise ValueError(expected)
        return value

    return check


Count = Annotated[int, BeforeValidator(_number_in(0, limits.MAX_COUNT, True, "a whole number"))]
Year = Annotated[int, BeforeValidator(_number_in(*PROMOTION_YEARS, True, "a promotion year"))]
Factor = Annotated[float, BeforeValidator(_number_in(0, MAX_FACTOR, False, "a number"))]
Code = Annotated[str, BeforeValidator(_code)]
CodeList = Annotated[list[Code] | None, BeforeValidator(_as_list)]
YearList = Annotated[list[Year] | None, BeforeValidator(_as_list)]


def _norm_key(value: Any) -> str:  # noqa: ANN401
    """A norm_multiplier key: a specialty code or `*` (every specialty)."""
    return value if value == "*" else _code(value)


def _few_constraints(value: Any) -> Any:  # noqa: ANN401
    """Refuse a constraint list past the limit before validating its items."""
    if isinstance(value, list) and len(value) > limits.SCENARIO_CONSTRAINTS.value:
        raise ValueError(limits.SCENARIO_CONSTRAINTS.message(f"{len(value):,}"))
    return value


class Strict(BaseModel):
    """Scenario models refuse unknown keys (a typo must not silently do nothing)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class HorizonSpec(Strict):
    """NEED.md several years: plan the years start..end (cohorts.csv, attrition.csv)."""

    start: Year
    end: Year
    discount: Annotated[float, BeforeValidator(_number_in(0, 1, False, "a number")),
                        Field(gt=0)] = 1.0
    """Weight of year t is discount ** (t - start): 1 counts every year alike."""
    mode: Literal["joint", "rolling"] = "joint"
    """`joint` plans every year at once (exact); `rolling` plans year t alone, carries its
    plan, then plans t + 1 (what a ministry deciding one year at a time would do)."""

    @model_validator(mode="after")
    def _ordered(self) -> HorizonSpec:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if self.end - self.start >= MAX_HORIZON_YEARS:
            raise ValueError(f"{self.end - self.start + 1} years: at most {MAX_HORIZON_YEARS}")
        return self


MAX_HORIZON_YEARS = 30
"""A horizon's length bound (input cost: one model block per year)."""


class Parameters(Strict):
    """Solver and model parameters; defaults are those of MODEL.md and SCENARIO.md."""

    absence_penalty: Factor = 4.0
    """`A`: extra weight of the first missing doctors of an absent specialty."""
    allocate_all: bool = True
    """Every post must be given (rule 1 equality) or may be left open (`<=`)."""
    budget: Annotated[float, BeforeValidator(
        _number_in(0, MAX_BUDGET, False, "an amount"))] | None = None
    """Cap on the yearly cost of foreign doctors; none = no cap."""
    time_limit_s: Annotated[float, BeforeValidator(
        _number_in(0, MAX_TIME_LIMIT_S, False, "seconds")), Field(gt=0)] = 60.0
    """Wall-clock limit handed to the solver; a solve never runs unbounded (at most 7 days)."""
    mip_gap: Annotated[float, BeforeValidator(_number_in(0, 1, False, "a fraction"))] = 0.0
    """Relative MIP gap at which the solver may stop."""
    solver: Literal["highs", "cbc"] = "highs"
    uptake: Literal["certain", "expected"] = "certain"
    """`certain`: every post is filled (MODEL.md). `expected`: each national post is taken up
    with the dataset's probability (uptake.csv) and the plan minimises the expected unmet
    need (UPTAKE.md); without uptake.csv both are the same plan."""
    min_reach: Count | None = None
    """NEED.md: at least this many delegations receive at least one national post (the
    ministry's 2024 round reached 78); none = no such rule."""
    equity_weight: Factor = 0.0
    """NEED.md: the objective gains `equity_weight * max_d g[d]`, the worst-off delegation's
    weighted unmet need per 100,000 inhabitants (optimiser/equity.py); 0 = MODEL.md."""
    horizon: HorizonSpec | None = None
    """NEED.md several years: plan start..end with cohorts.csv and attrition.csv; none = the
    one-year plan of MODEL.md (both files are then ignored)."""

    @model_validator(mode="after")
    def _equity_needs_certain_uptake(self) -> Parameters:
        """Equity is defined on the unmet need of a plan whose posts are filled; under
        `uptake: expected` the combination is refused rather than given a second meaning."""
        if self.horizon is not None and (self.equity_weight > 0 or self.uptake == "expected"):
            raise ValueError("horizon cannot yet be combined with equity_weight > 0 or "
                             "uptake: expected; plan the years without them")
        if self.equity_weight > 0 and self.uptake == "expected":
            raise ValueError("equity_weight > 0 cannot be combined with uptake: expected "
                             "(NEED.md equity is defined on filled posts); use one of them")
        return self


class PostsOverride(Strict):
    """Set the posts of one specialty and promotion."""

    promotion: Year
    specialty: Code
    posts: Count


class SizeOverride(Strict):
    """Set the doctors of one specialty that a contingent offers."""

    contingent: Code
    specialty: Code
    size: Count


class CapacityOverride(Strict):
    """Set how many new doctors a delegation can host in a specialty."""

    delegation: Code
    specialty: Code
    max_new: Count


class Overrides(Strict):
    """Changes to the dataset, applied in a fixed order and logged (old -> new)."""

    norm_multiplier: dict[Annotated[str, BeforeValidator(_norm_key)], Factor] = {}
    posts: list[PostsOverride] = []
    contingent_size: list[SizeOverride] = []
    priority_weight: dict[Code, Factor] = {}
    capacity: list[CapacityOverride] = []


class ScenarioConstraint(Strict):
    """A bound on the doctors allocated to a selection (MODEL.md rule 10).

    Bounds are whole numbers (sums of doctors are): `fix: 0.5` would be infeasible for a
    reason no planner would guess.
    """

    name: Text | None = None
    region: CodeList = None
    delegation: CodeList = None
    specialty: CodeList = None
    promotion: YearList = None
    counts: Literal["posts", "foreign", "all"] = "posts"
    min: Count | None = None
    max: Count | None = None
    fix: Count | None = None

    @model_validator(mode="after")
    def _bounds_make_sense(self) -> ScenarioConstraint:
        if self.min is None and self.max is None and self.fix is None:
            raise ValueError("give at least one of min, max or fix")
        if self.fix is not None and (self.min is not None or self.max is not None):
            raise ValueError("fix cannot be combined with min or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        if self.promotion is not None and self.counts == "foreign":
            raise ValueError("promotion selects national posts only: not with counts: foreign")
        return self

    @property
    def lower(self) -> int | None:
        """Lower bound, whichever of fix/min gave it."""
        return self.fix if self.fix is not None else self.min

    @property
    def upper(self) -> int | None:
        """Upper bound, whichever of fix/max gave it."""
        return self.fix if self.fix is not None else self.max


class Incentive(Strict):
    """An allowance for national posts in chosen delegations (optimiser/incentives.py): their
    acceptance rises to `p_accept` and each post allocated there costs `cost_per_post`,
    counted in the budget of parameters.budget."""

    name: Text | None = None
    region: CodeList = None
    delegation: CodeList = None
    specialty: CodeList = None
    p_accept: Annotated[float, BeforeValidator(_number_in(0, 1, False, "a probability")),
                        Field(gt=0)]
    """Acceptance with the allowance; never lowers a pair's acceptance."""
    cost_per_post: Annotated[float, BeforeValidator(
        _number_in(0, MAX_BUDGET, False, "an amount"))]
    """Yearly cost (MAD) of the allowance per national post allocated to a selected pair."""

    @model_validator(mode="after")
    def _selects_delegations(self) -> Incentive:
        if not self.region and not self.delegation:
            raise ValueError("an incentive selects delegations: give region and/or delegation")
        return self


class Scenario(Strict):
    """A named what-if: parameters, overrides and constraints on top of a dataset."""

    name: Annotated[str, BeforeValidator(_name)]
    description: Text = ""
    parameters: Parameters = Parameters()
    overrides: Overrides = Overrides()
    constraints: Annotated[list[ScenarioConstraint], BeforeValidator(_few_constraints)] = []
    incentives: Annotated[list[Incentive], BeforeValidator(_few_constraints)] = []
    """Allowances that raise acceptance at a cost (optimiser/incentives.py)."""


DEFAULT_SCENARIO = Scenario(name="baseline", description="Default parameters, no overrides")


class ScenarioFile:
    """A parsed scenario and the YAML line of each key, so later checks can point at lines."""

    def __init__(self, scenario: Scenario, path: str, lines: dict[tuple, int]) -> None:
        self.scenario = scenario
        self.path = path
        self._lines = lines

    def line_of(self, *loc: str | int) -> int | None:
        """Line of the deepest known node along `loc` (a pydantic-style location)."""
        while loc and loc not in self._lines:
            loc = loc[:-1]
        return self._lines.get(loc, 1 if not loc else None)

    def issue(self, loc: tuple, value: object, message: str) -> InputIssue:
        """An issue at `loc`, naming the key path the way the YAML spells it."""
        column = ".".join(str(part) for part in loc) or None
        return InputIssue(self.path, self.line_of(*loc), column, shown(value), message)

    @classmethod
    def default(cls) -> ScenarioFile:
        """The built-in baseline used when no scenario file is given."""
        return cls(DEFAULT_SCENARIO, "<default scenario>", {})


def shown(value: object) -> str | None:
    """A value as an issue shows it (InputIssue clips long text): a number of 4,000 digits
    is said in words, not printed."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**60:
        return f"a number of {len(str(abs(value))):,} digits"
    return None if value is None else str(value)


def read_scenario(path: Path | str) -> ScenarioFile:
    """Parse and validate a scenario file; raises InputError with every problem and its line."""
    path = Path(path)
    name = str(path)
    data, root = load_yaml(read_text(path), name)
    lines, dupes = node_lines(root) if root is not None else ({}, [])
    issues = [
        InputIssue(name, line, ".".join(map(str, loc)), None, "key given twice")
        for loc, line in dupes
    ]
    if not isinstance(data, dict):
        issues.append(InputIssue(name, 1, None, None, "a scenario is a mapping with a `name`"))
        raise InputError(issues)
    holder = ScenarioFile(DEFAULT_SCENARIO, name, lines)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        issues += validation_issues(exc, holder.issue)
        raise InputError(issues) from exc
    except RecursionError as exc:  # last resort, as in load_yaml
        raise fail(name, "nested too deeply") from exc
    if issues:
        raise InputError(issues)
    return ScenarioFile(scenario, name, lines)


def validation_issues(exc: ValidationError,
                      issue: Callable[[tuple, object, str], InputIssue]) -> list[InputIssue]:
    """Pydantic's errors as issues, in words: the key path, the value and what is expected."""
    out = []
    for err in exc.errors():
        value = err.get("input") if not isinstance(err.get("input"), dict | list) else None
        message = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown key"
        loc = tuple(part for part in err["loc"] if part != "[key]")  # a bad mapping key
        out.append(issue(loc, value, message))
    return out
