"""`PATH=values` for sweeps: parse the values and set them in a scenario document.

A PATH names one number of a scenario (SCENARIO.md) the way a planner would say it:

    parameters.absence_penalty            parameters.budget, parameters.allocate_all, ...
    overrides.norm_multiplier.ANES        (or `*`)
    overrides.priority_weight.TATA
    overrides.posts.ANES.2024             (specialty and promotion, in either order)
    overrides.contingent_size.CN.CHIR
    overrides.capacity.TATA.ANES
    constraints.ttah-floor.min            (min, max or fix; a constraint by name, or by its
                                           generated name `constraint-3`, or by index `2`)
    incentives.remote.p_accept            (p_accept or cost_per_post of an incentive, named
                                           like constraints: `incentive-1`, or index `0`)

List overrides are keyed by their codes rather than by list position, so a PATH means the
same thing whatever order the YAML lists them in; an item that is not there yet is added.
Values are `v1,v2,...` (each read as YAML: `4`, `0.5`, `true`, `null`) or `a:b:step`, which
is inclusive of `b` when the steps reach it.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from optimiser import limits
from optimiser.errors import InputError, InputIssue
from optimiser.scenario import Scenario, ScenarioFile, shown, validation_issues
from optimiser.yamlread import load_yaml, read_yaml

NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
RANGE = re.compile(rf"^\s*({NUMBER})\s*:\s*({NUMBER})\s*:\s*({NUMBER})\s*$")
KEYED_LISTS = {
    "posts": (("specialty", "promotion"), "posts"),
    "contingent_size": (("contingent", "specialty"), "size"),
    "capacity": (("delegation", "specialty"), "max_new"),
}
BOUNDS = ("min", "max", "fix")


class PathError(ValueError):
    """A PATH or its values cannot be understood; the message says what is expected."""

INCENTIVE_FIELDS = ("p_accept", "cost_per_post")


@dataclass(frozen=True)
class Vary:
    """One varied scenario number and the values it takes."""

    path: str
    values: tuple[Any, ...]


def _number(text: str) -> int | float:
    value = float(text)
    if not math.isfinite(value):
        raise PathError(f"{text!r} is not a finite number")
    return int(text) if re.fullmatch(r"[-+]?\d+", text) else value


def _too_many(count: int, what: str) -> PathError:
    return PathError(f"{what}: {limits.SWEEP_POINTS.message(f'{count:,} points')}")


def range_count(a: int | float, b: int | float, step: int | float) -> int:
    """Values of the inclusive range a:b:step, computed without building it (exact for
    integers: no float division of 10^30-sized numbers)."""
    if all(isinstance(v, int) for v in (a, b, step)):
        return (b - a) // step + 1
    ratio = (b - a) / step
    return math.floor(ratio + 1e-9) + 1 if math.isfinite(ratio) else 2**63


def parse_values(text: str) -> list[Any]:
    """`v1,v2,...` or `a:b:step` (inclusive of b when reached) -> list of values.

    The count is checked against limits.SWEEP_POINTS before any list is built: `0:10^9:1`
    must be refused in microseconds, not after filling the memory.
    """
    limit = limits.SWEEP_POINTS.value
    match = RANGE.match(text)
    if match:
        a, b, step = (_number(g) for g in match.groups())
        if step == 0 or (b - a) * step < 0:
            raise PathError(f"range {text!r}: the step must be non-zero and lead from a to b")
        count = range_count(a, b, step)
        if count > limit:
            raise _too_many(count, f"range {text!r}")
        ints = all(isinstance(v, int) for v in (a, b, step))
        return [a + i * step if ints else round(a + i * step, 10) for i in range(count)]
    tokens = text.split(",", limit)
    if len(tokens) > limit:
        raise _too_many(text.count(",") + 1, f"values {text[:40]!r}...")
    values = []
    for token in tokens:
        token = token.strip()
        if not token:
            raise PathError(f"empty value in {text!r}")
        values.append(_value(token))
    return values


def _value(token: str) -> Any:  # noqa: ANN401 - a YAML scalar
    """One value read as YAML: a number, true/false, null or text, never a nested document."""
    try:
        value = load_yaml(token, "--vary")[0]
    except InputError as exc:
        raise PathError(f"value {token!r} is not a number, true/false or text") from exc
    if isinstance(value, list | dict):
        raise PathError(f"value {token!r} is a list or mapping: a PATH takes one number or word")
    return value


def grid_size(varies: Sequence[Vary]) -> int:
    """Points of the grid of `varies` (the product of their value counts), checked against
    limits.SWEEP_POINTS before the grid is built; raises PathError past it."""
    count = 1
    for vary in varies:
        count *= max(len(vary.values), 1)
    if count > limits.SWEEP_POINTS.value:
        sizes = " x ".join(f"{len(v.values):,}" for v in varies)
        raise _too_many(count, f"{sizes} values")
    return count


def parse_vary(text: str) -> Vary:
    """`PATH=values` -> Vary; the PATH is checked for shape (codes are checked on solving)."""
    path, sep, values = text.partition("=")
    path = path.strip()
    if not sep or not path or not values.strip():
        raise PathError(f"--vary {text!r}: expected PATH=v1,v2,... or PATH=a:b:step")
    _split(path)
    parsed = parse_values(values)
    if len(set(map(repr, parsed))) != len(parsed):
        raise PathError(f"--vary {text!r}: a value is given twice")
    return Vary(path, tuple(parsed))


def _split(path: str) -> list[str]:
    parts = path.split(".")
    head = parts[0]
    ok = (
        (head == "parameters" and len(parts) == 2)
        or (head == "overrides" and len(parts) == 3
            and parts[1] in ("norm_multiplier", "priority_weight"))
        or (head == "overrides" and len(parts) == 4 and parts[1] in KEYED_LISTS)
        or (head == "constraints" and len(parts) == 3 and parts[2] in BOUNDS)
        or (head == "incentives" and len(parts) == 3 and parts[2] in INCENTIVE_FIELDS)
    )
    if not ok:
        raise PathError(
            f"PATH {path!r} is not one of: parameters.NAME, overrides.norm_multiplier.SPEC, "
            "overrides.priority_weight.DELEG, overrides.posts.SPEC.PROMOTION, "
            "overrides.contingent_size.CONT.SPEC, overrides.capacity.DELEG.SPEC, "
            "constraints.NAME.min|max|fix, incentives.NAME.p_accept|cost_per_post")
    return parts


def _keyed_item(items: list, section: str, codes: list[str]) -> dict:
    """The list item of `section` with these codes, added when absent."""
    fields, _ = KEYED_LISTS[section]
    if section == "posts":  # promotion is the numeric code, in either position
        numeric = [c for c in codes if re.fullmatch(r"\d{1,9}", c)]  # int() of 5,000 digits fails
        if len(numeric) != 1:
            raise PathError("overrides.posts.SPEC.PROMOTION needs one promotion year")
        codes = [next(c for c in codes if c != numeric[0]), numeric[0]]
    want = dict(zip(fields, codes, strict=True))
    for item in items:
        if isinstance(item, dict) and all(str(item.get(k)) == v for k, v in want.items()):
            return item
    item = {k: (int(v) if k == "promotion" else v) for k, v in want.items()}
    items.append(item)
    return item


def _named(items: list, ref: str, kind: str = "constraint") -> dict:
    """A constraint (or incentive) by name, generated name (`constraint-3`) or list index."""
    for i, item in enumerate(items):
        name = item.get("name")
        if str(name) == ref or (name is None and ref == f"{kind}-{i + 1}"):
            return item
    if re.fullmatch(r"\d{1,9}", ref) and int(ref) < len(items):
        return items[int(ref)]
    names = [str(c.get("name") or f"{kind}-{i + 1}") for i, c in enumerate(items)]
    raise PathError(f"no {kind} {ref!r} in the scenario (it has: {', '.join(names) or '-'})")


def apply_path(document: dict, path: str, value: Any) -> dict:
    """A copy of the scenario document with `path` set to `value`."""
    parts = _split(path)
    doc = copy.deepcopy(document)
    head = parts[0]
    if head == "parameters":
        doc.setdefault("parameters", {})
        doc["parameters"] = dict(doc["parameters"] or {})
        doc["parameters"][parts[1]] = value
    elif head == "overrides":
        overrides = doc.setdefault("overrides", {}) or {}
        doc["overrides"] = overrides
        section = parts[1]
        if section in KEYED_LISTS:
            items = overrides.setdefault(section, []) or []
            overrides[section] = items
            item = _keyed_item(items, section, parts[2:])
            item[KEYED_LISTS[section][1]] = value
        else:
            mapping = overrides.setdefault(section, {}) or {}
            overrides[section] = mapping
            mapping[parts[2]] = value
    elif head == "incentives":
        _named(doc.get("incentives") or [], parts[1], "incentive")[parts[2]] = value
    else:
        con = _named(doc.get("constraints") or [], parts[1])
        bound = parts[2]
        if bound == "fix" and ("min" in con or "max" in con):
            raise PathError(f"{path}: the constraint has min/max; vary those instead of fix")
        if bound != "fix" and con.get("fix") is not None:
            raise PathError(f"{path}: the constraint has fix; vary constraints.{parts[1]}.fix")
        con[bound] = value
    return doc


def apply_point(document: dict, point: dict[str, Any]) -> dict:
    """Apply every `path: value` of a grid point, in order."""
    for path, value in point.items():
        document = apply_path(document, path, value)
    return document


def point_label(point: dict[str, Any]) -> str:
    """`absence_penalty=4, CN.CHIR=20`: short, for messages and plot legends."""
    return ", ".join(f"{path.split('.', 1)[-1]}={value}" for path, value in point.items())


def scenario_file(document: dict, source: str) -> ScenarioFile:
    """Validate a (varied) scenario document; raises InputError naming the bad keys."""
    def issue(loc: tuple, value: object, message: str) -> InputIssue:
        return InputIssue(source, None, ".".join(map(str, loc)) or None, shown(value), message)

    try:
        scenario = Scenario.model_validate(document)
    except ValidationError as exc:
        raise InputError(validation_issues(exc, issue)) from exc
    return ScenarioFile(scenario, source, {})


def read_document(path: Path) -> dict:
    """The scenario file as a plain mapping, read within the limits of read_scenario
    (validate it with read_scenario to get line numbers in the errors)."""
    document = read_yaml(path)
    if document is not None and not isinstance(document, dict):
        raise InputError([InputIssue(str(path), 1, None, None,
                                     "a scenario is a mapping with a `name`")])
    return document or {}
