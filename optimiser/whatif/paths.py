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

List overrides are keyed by their codes rather than by list position, so a PATH means the
same thing whatever order the YAML lists them in; an item that is not there yet is added.
Values are `v1,v2,...` (each read as YAML: `4`, `0.5`, `true`, `null`) or `a:b:step`, which
is inclusive of `b` when the steps reach it.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from optimiser.errors import InputError, InputIssue
from optimiser.scenario import Scenario, ScenarioFile

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


@dataclass(frozen=True)
class Vary:
    """One varied scenario number and the values it takes."""

    path: str
    values: tuple[Any, ...]


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and re.fullmatch(r"[-+]?\d+", text) else value


def parse_values(text: str) -> list[Any]:
    """`v1,v2,...` or `a:b:step` (inclusive of b when reached) -> list of values."""
    match = RANGE.match(text)
    if match:
        a, b, step = (_number(g) for g in match.groups())
        if step == 0 or (b - a) * step < 0:
            raise PathError(f"range {text!r}: the step must be non-zero and lead from a to b")
        count = math.floor((b - a) / step + 1e-9) + 1
        ints = all(isinstance(v, int) for v in (a, b, step))
        return [a + i * step if ints else round(a + i * step, 10) for i in range(count)]
    values = []
    for token in text.split(","):
        token = token.strip()
        if not token:
            raise PathError(f"empty value in {text!r}")
        try:
            values.append(yaml.safe_load(token))
        except yaml.YAMLError as exc:
            raise PathError(f"value {token!r} is not a number, true/false or text") from exc
    return values


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
    )
    if not ok:
        raise PathError(
            f"PATH {path!r} is not one of: parameters.NAME, overrides.norm_multiplier.SPEC, "
            "overrides.priority_weight.DELEG, overrides.posts.SPEC.PROMOTION, "
            "overrides.contingent_size.CONT.SPEC, overrides.capacity.DELEG.SPEC, "
            "constraints.NAME.min|max|fix")
    return parts


def _keyed_item(items: list, section: str, codes: list[str]) -> dict:
    """The list item of `section` with these codes, added when absent."""
    fields, _ = KEYED_LISTS[section]
    if section == "posts":  # promotion is the numeric code, in either position
        numeric = [c for c in codes if re.fullmatch(r"\d+", c)]
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


def _constraint(constraints: list, ref: str) -> dict:
    """A constraint by name, generated name (`constraint-3`) or list index."""
    for i, con in enumerate(constraints):
        name = con.get("name")
        if str(name) == ref or (name is None and ref == f"constraint-{i + 1}"):
            return con
    if re.fullmatch(r"\d+", ref) and int(ref) < len(constraints):
        return constraints[int(ref)]
    names = [str(c.get("name") or f"constraint-{i + 1}") for i, c in enumerate(constraints)]
    raise PathError(f"no constraint {ref!r} in the scenario (it has: {', '.join(names) or '-'})")


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
    else:
        con = _constraint(doc.get("constraints") or [], parts[1])
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
    try:
        scenario = Scenario.model_validate(document)
    except ValidationError as exc:
        issues = [InputIssue(source, None, ".".join(map(str, e["loc"])) or None,
                             None if isinstance(e.get("input"), dict | list) else str(
                                 e.get("input")),
                             str(e["msg"]).removeprefix("Value error, "))
                  for e in exc.errors()]
        raise InputError(issues) from exc
    return ScenarioFile(scenario, source, {})


def read_document(path: Path) -> dict:
    """The scenario file as a plain mapping (validate it first with read_scenario)."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
