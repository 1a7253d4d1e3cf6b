"""Scenario files (SCENARIO.md): a named set of parameters, overrides and extra constraints.

The YAML is read with the safe loader and validated by frozen pydantic models that forbid
unknown keys. Errors carry the YAML line of the offending key, found by walking the composed
node tree along the pydantic error location: planners edit these files by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from optimiser.data.contract import CODE_PATTERN
from optimiser.errors import InputError, InputIssue


def _code_text(value: Any) -> Any:  # noqa: ANN401 - raw YAML values
    """YAML reads `R1` as text but `12` as a number: codes are compared as text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _as_list(value: Any) -> Any:  # noqa: ANN401
    """A selector is a value or a list of values (SCENARIO.md)."""
    return value if isinstance(value, list) or value is None else [value]


Code = Annotated[str, BeforeValidator(_code_text), Field(pattern=CODE_PATTERN.pattern)]
CodeList = Annotated[list[Code] | None, BeforeValidator(_as_list)]
IntList = Annotated[list[int] | None, BeforeValidator(_as_list)]
NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
NonNegInt = Annotated[int, Field(ge=0)]


class Strict(BaseModel):
    """Scenario models refuse unknown keys (a typo must not silently do nothing)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Parameters(Strict):
    """Solver and model parameters; defaults are those of MODEL.md and SCENARIO.md."""

    absence_penalty: NonNeg = 4.0
    """`A`: extra weight of the first missing doctors of an absent specialty."""
    allocate_all: bool = True
    """Every post must be given (rule 1 equality) or may be left open (`<=`)."""
    budget: NonNeg | None = None
    """Cap on the yearly cost of foreign doctors; none = no cap."""
    time_limit_s: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 60.0
    """Wall-clock limit handed to the solver; a solve never runs unbounded."""
    mip_gap: Annotated[float, Field(ge=0, le=1)] = 0.0
    """Relative MIP gap at which the solver may stop."""
    solver: Literal["highs", "cbc"] = "highs"


class PostsOverride(Strict):
    """Set the posts of one specialty and promotion."""

    promotion: int
    specialty: Code
    posts: NonNegInt


class SizeOverride(Strict):
    """Set the doctors of one specialty that a contingent offers."""

    contingent: Code
    specialty: Code
    size: NonNegInt


class CapacityOverride(Strict):
    """Set how many new doctors a delegation can host in a specialty."""

    delegation: Code
    specialty: Code
    max_new: NonNegInt


class Overrides(Strict):
    """Changes to the dataset, applied in a fixed order and logged (old -> new)."""

    norm_multiplier: dict[Annotated[str, BeforeValidator(_code_text)], NonNeg] = {}
    posts: list[PostsOverride] = []
    contingent_size: list[SizeOverride] = []
    priority_weight: dict[Code, NonNeg] = {}
    capacity: list[CapacityOverride] = []


class ScenarioConstraint(Strict):
    """A bound on the doctors allocated to a selection (MODEL.md rule 10)."""

    name: Annotated[str, BeforeValidator(_code_text)] | None = None
    region: CodeList = None
    delegation: CodeList = None
    specialty: CodeList = None
    promotion: IntList = None
    counts: Literal["posts", "foreign", "all"] = "posts"
    min: Annotated[float, Field(allow_inf_nan=False)] | None = None
    max: Annotated[float, Field(allow_inf_nan=False)] | None = None
    fix: Annotated[float, Field(allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def _bounds_make_sense(self) -> ScenarioConstraint:
        if self.min is None and self.max is None and self.fix is None:
            raise ValueError("give at least one of min, max or fix")
        if self.fix is not None and (self.min is not None or self.max is not None):
            raise ValueError("fix cannot be combined with min or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is greater than max ({self.max:g})")
        if self.promotion is not None and self.counts == "foreign":
            raise ValueError("promotion selects national posts only: not with counts: foreign")
        return self

    @property
    def lower(self) -> float | None:
        """Lower bound, whichever of fix/min gave it."""
        return self.fix if self.fix is not None else self.min

    @property
    def upper(self) -> float | None:
        """Upper bound, whichever of fix/max gave it."""
        return self.fix if self.fix is not None else self.max


class Scenario(Strict):
    """A named what-if: parameters, overrides and constraints on top of a dataset."""

    name: Code
    description: str = ""
    parameters: Parameters = Parameters()
    overrides: Overrides = Overrides()
    constraints: list[ScenarioConstraint] = []


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
        shown = None if value is None else str(value)
        return InputIssue(self.path, self.line_of(*loc), column, shown, message)

    @classmethod
    def default(cls) -> ScenarioFile:
        """The built-in baseline used when no scenario file is given."""
        return cls(DEFAULT_SCENARIO, "<default scenario>", {})


def _node_lines(node: yaml.Node, loc: tuple, lines: dict, dupes: list) -> None:
    """Record the 1-based line of every key and item; note keys given twice."""
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                dupes.append((loc + (key,), key_node.start_mark.line + 1))
            seen.add(key)
            _node_lines(value_node, loc + (key,), lines, dupes)
            lines[loc + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _node_lines(item, loc + (index,), lines, dupes)


def read_scenario(path: Path | str) -> ScenarioFile:
    """Parse and validate a scenario file; raises InputError with every problem and its line."""
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([InputIssue(name, None, None, None, f"cannot read: {exc}")]) from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        issue = InputIssue(name, line, None, None, f"not valid YAML: {problem}")
        raise InputError([issue]) from exc
    lines: dict[tuple, int] = {}
    dupes: list[tuple[tuple, int]] = []
    if root is not None:
        _node_lines(root, (), lines, dupes)
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
        for err in exc.errors():
            loc = tuple(err["loc"])
            value = err.get("input") if not isinstance(err.get("input"), dict | list) else None
            message = str(err["msg"]).removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = "unknown key"
            issues.append(holder.issue(loc, value, message))
        raise InputError(issues) from exc
    if issues:
        raise InputError(issues)
    return ScenarioFile(scenario, name, lines)
