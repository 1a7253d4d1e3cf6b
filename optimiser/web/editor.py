"""The scenario editor's form <-> scenario document conversion (no HTTP here).

Planners fill forms; the solver reads YAML. The form's values become the same document a
hand-written scenario file holds (SCENARIO.md), dumped with yaml.safe_dump (never pasted
together, so accents, quotes and colons in a description stay text), and a loaded file is
turned back into form values. What the form has no field for is kept as "extra YAML" and
merged back, so loading a file and running it never drops anything silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import yaml

from optimiser import limits
from optimiser.errors import InputError
from optimiser.scenario import Parameters
from optimiser.yamlread import fail, load_yaml, node_lines

HORIZON = ("start", "end", "discount", "mode")
"""The fields of parameters.horizon (NEED.md several years), shown as `horizon_<field>`."""
PARAMETERS: dict[str, Any] = {
    **{k: v for k, v in Parameters().model_dump().items() if k != "horizon"},
    "horizon_start": None, "horizon_end": None, "horizon_discount": 1.0,
    "horizon_mode": "joint"}
"""Each parameter and its default (shown next to its field); the horizon's fields flat."""
CHOICES = {"allocate_all": ("true", "false"), "solver": ("highs", "cbc"),
           "uptake": ("certain", "expected"), "horizon_mode": ("joint", "rolling")}
OVERRIDES: dict[str, tuple[str, ...]] = {
    "norm_multiplier": ("specialty", "factor"),
    "posts": ("promotion", "specialty", "posts"),
    "contingent_size": ("contingent", "specialty", "size"),
    "priority_weight": ("delegation", "factor"),
    "capacity": ("delegation", "specialty", "max_new"),
}
"""Override sections in SCENARIO.md's order and the fields of one row."""
MAPPED = {"norm_multiplier": "specialty", "priority_weight": "delegation"}
"""Sections written as a mapping {code: factor} rather than a list of items."""
SELECTORS = ("region", "delegation", "specialty", "promotion")
COUNTS = ("posts", "foreign", "all")
CONSTRAINT_FIELDS = ("name", *SELECTORS, "counts", "min", "max", "fix")
TEXT_FIELDS = frozenset({"name", "region", "delegation", "specialty", "contingent", "counts"})
FIELD = re.compile(r"^(?:o-([a-z_]+)|c)-(\d{1,6})-([a-z_]+)$")

Row = dict[str, Any]
"""One row: field -> text (a list of texts for a constraint's selectors)."""


class FormFields(Protocol):
    """A submitted form (starlette's FormData): several values per name."""

    def keys(self) -> Iterable[str]: ...  # noqa: D102
    def getlist(self, key: str) -> list[Any]: ...  # noqa: D102


@dataclass
class EditorForm:
    """What the editor's fields hold, as text (what the planner typed or chose)."""

    name: str = ""
    description: str = ""
    parameters: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, list[Row]] = field(default_factory=lambda: {s: [] for s in OVERRIDES})
    constraints: list[Row] = field(default_factory=list)
    extra_yaml: str = ""

    def compact(self) -> EditorForm:
        """The same form without its empty rows (row i is then item i of the YAML)."""
        return EditorForm(self.name, self.description, dict(self.parameters),
                          {s: [r for r in rows if not is_empty(r)]
                           for s, rows in self.overrides.items()},
                          [r for r in self.constraints if not is_empty(r)], self.extra_yaml)


def is_empty(row: Row) -> bool:
    """A row the planner left blank (`counts` has a default, so it does not count)."""
    return not any(v for k, v in row.items() if k != "counts" or v not in ("", "posts"))


def blank_row(section: str | None) -> Row:
    """An empty override row (section given) or constraint row (None)."""
    if section is not None:
        return dict.fromkeys(OVERRIDES[section], "")
    return {f: [] if f in SELECTORS else "posts" if f == "counts" else ""
            for f in CONSTRAINT_FIELDS}


def _texts(values: list[Any]) -> list[str]:
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def _one(fields: FormFields, key: str) -> str:
    values = [v for v in fields.getlist(key) if isinstance(v, str)]
    return values[0].replace("\r\n", "\n").strip() if values else ""


def from_fields(fields: FormFields) -> EditorForm:
    """The editor form as submitted (rows in index order, blanks kept)."""
    form = EditorForm(name=_one(fields, "name"), description=_one(fields, "description"),
                      extra_yaml=_one(fields, "extra_yaml"))
    form.parameters = {p: _one(fields, f"p-{p}") for p in PARAMETERS if _one(fields, f"p-{p}")}
    indices: dict[str | None, set[int]] = {}
    for key in fields.keys():
        if (match := FIELD.match(key)) and (match[1] is None or match[1] in OVERRIDES):
            indices.setdefault(match[1], set()).add(int(match[2]))
    for section in OVERRIDES:
        form.overrides[section] = [
            {f: _one(fields, f"o-{section}-{i}-{f}") for f in OVERRIDES[section]}
            for i in sorted(indices.get(section, ()))]
    form.constraints = [
        {f: _texts(fields.getlist(f"c-{i}-{f}")) if f in SELECTORS else _one(fields, f"c-{i}-{f}")
         for f in CONSTRAINT_FIELDS}
        for i in sorted(indices.get(None, ()))]
    return form


def _number(text: str) -> int | float | str:
    """A typed number (`12 000 000` too); anything else stays text for the checks to name."""
    bare = re.sub(r"[\s\u00a0\u202f]", "", text)
    for kind in (int, float):
        try:
            return kind(bare)
        except ValueError:
            pass
    return text


def _value(name: str, text: str) -> Any:  # noqa: ANN401 - a YAML scalar
    if name == "allocate_all" and text in ("true", "false"):
        return text == "true"
    return text if name in TEXT_FIELDS or name in ("solver", "uptake", "horizon_mode") \
        else _number(text)


def to_document(form: EditorForm) -> tuple[dict, dict[str, list[str]]]:
    """The scenario document of a compacted form, and problems by field key.

    Keys of the problems are those of `place_issues`: `name`, `overrides.posts.0`,
    `constraints.2`... A row the YAML cannot hold (a factor without its specialty, a code
    given twice in a mapping) is a problem here; everything else is left to the CLI's checks.
    """
    doc: dict[str, Any] = {"name": form.name}
    problems: dict[str, list[str]] = {}
    if form.description:
        doc["description"] = form.description
    params = {p: _value(p, form.parameters[p]) for p in PARAMETERS if form.parameters.get(p)}
    horizon = {f: params.pop(f"horizon_{f}") for f in HORIZON if f"horizon_{f}" in params}
    if horizon:
        params["horizon"] = horizon  # the scenario's nested mapping (SCENARIO.md)
    if params:
        doc["parameters"] = params
    overrides: dict[str, Any] = {}
    for section, rows in form.overrides.items():
        if section in MAPPED:
            mapping: dict[str, Any] = {}
            for i, row in enumerate(rows):
                key = row.get(MAPPED[section], "")
                where = f"overrides.{section}.{i}"
                if not key:
                    problems.setdefault(where, []).append(f"{MAPPED[section]}: required")
                elif key in mapping:
                    problems.setdefault(where, []).append(f"{key}: given twice")
                else:
                    mapping[key] = _number(row["factor"]) if row.get("factor") else None
            if mapping:
                overrides[section] = mapping
        elif rows:
            overrides[section] = [{f: _value(f, row[f]) for f in OVERRIDES[section] if row.get(f)}
                                  for row in rows]
    if overrides:
        doc["overrides"] = overrides
    if form.constraints:
        doc["constraints"] = [_constraint(row) for row in form.constraints]
    return doc, problems


def _constraint(row: Row) -> dict:
    item: dict[str, Any] = {}
    for f in CONSTRAINT_FIELDS:
        value = row.get(f)
        if f in SELECTORS and value:
            values = [_value(f, v) for v in value]
            item[f] = values[0] if len(values) == 1 else values
        elif f not in SELECTORS and value and not (f == "counts" and value == "posts"):
            item[f] = _value(f, value)
    return item


def merge_extra(doc: dict, extra_yaml: str) -> list[str]:
    """Merge the extra YAML (a mapping) into the document; problems in words.

    Mappings are merged, lists appended; a value given both in the form and in the extra
    YAML is a problem rather than one of them silently winning.
    """
    if not extra_yaml.strip():
        return []
    try:
        extra = load_yaml(extra_yaml, "extra YAML")[0]
    except InputError as exc:
        return [str(issue) for issue in exc.issues]
    if extra is None:
        return []
    if not isinstance(extra, dict):
        return ["extra YAML: must be a mapping (key: value), like a scenario file"]
    problems: list[str] = []
    _merge(doc, extra, "", problems)
    return problems


def _merge(into: dict, extra: dict, path: str, problems: list[str]) -> None:
    for key, value in extra.items():
        if key not in into:
            into[key] = value
        elif isinstance(into[key], dict) and isinstance(value, dict):
            _merge(into[key], value, f"{path}{key}.", problems)
        elif isinstance(into[key], list) and isinstance(value, list):
            into[key] = into[key] + value
        else:
            problems.append(f"extra YAML: {path}{key} is given both in the form and here")


def dump(doc: dict) -> str:
    """The scenario file's text (safe_dump: every string quoted as YAML needs)."""
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=False)


def _scalar(value: object) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def as_text(value: object) -> str:
    """A YAML scalar as the form shows it (`4`, not `4.0`; `true`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


def from_document(doc: dict) -> tuple[EditorForm, dict]:
    """The form holding a scenario document, and what it cannot hold (to keep as extra)."""
    form, left = EditorForm(), {}
    for key, value in doc.items():
        if key in ("name", "description") and _scalar(value):
            setattr(form, key, as_text(value))
        elif key == "parameters" and isinstance(value, dict):
            for name, given in value.items():
                if name == "horizon" and _horizon_fields(given, form):
                    continue
                if name in PARAMETERS and (_scalar(given) or isinstance(given, bool)) and (
                        name not in CHOICES or as_text(given) in CHOICES[name]):
                    form.parameters[name] = as_text(given)
                else:
                    left.setdefault("parameters", {})[name] = given
        elif key == "overrides" and isinstance(value, dict):
            for section, given in value.items():
                kept = _override_rows(section, given, form)
                if kept is not None:
                    left.setdefault("overrides", {})[section] = kept
        elif key == "constraints" and isinstance(value, list):
            for i, item in enumerate(value):
                if not _constraint_row(item, form):
                    left["constraints"] = value[i:]  # keep the order: it names constraint-N
                    break
        else:
            left[key] = value
    return form, left


def _horizon_fields(given: object, form: EditorForm) -> bool:
    """Fill the horizon's fields from a parameters.horizon mapping; False (kept as extra YAML)
    when the form cannot hold it all."""
    if not isinstance(given, dict) or not given or not set(given) <= set(HORIZON) or not all(
            _scalar(v) for v in given.values()):
        return False
    if "mode" in given and as_text(given["mode"]) not in CHOICES["horizon_mode"]:
        return False
    for name, value in given.items():
        form.parameters[f"horizon_{name}"] = as_text(value)
    return True


def _override_rows(section: str, given: object, form: EditorForm) -> Any:  # noqa: ANN401
    """Add the section's rows to the form; what it could not add (None: all added)."""
    if section in MAPPED and isinstance(given, dict):
        kept = {}
        for code, factor in given.items():
            if _scalar(code) and _scalar(factor):
                form.overrides[section].append({MAPPED[section]: as_text(code),
                                                "factor": as_text(factor)})
            else:
                kept[code] = factor
        return kept or None
    if section in OVERRIDES and section not in MAPPED and isinstance(given, list):
        fields = OVERRIDES[section]
        kept_items = []
        for item in given:
            if isinstance(item, dict) and item and set(item) <= set(fields) \
                    and all(_scalar(v) for v in item.values()):
                form.overrides[section].append({f: as_text(item.get(f, "")) for f in fields})
            else:
                kept_items.append(item)
        return kept_items or None
    return given


def _constraint_row(item: object, form: EditorForm) -> bool:
    """Add a constraint row if every key of the item has a field; whether it did."""
    if not isinstance(item, dict) or not item or not set(item) <= set(CONSTRAINT_FIELDS):
        return False
    row = blank_row(None)
    for key, value in item.items():
        if key in SELECTORS:
            values = value if isinstance(value, list) else [value]
            if not values or not all(_scalar(v) for v in values):
                return False
            row[key] = [as_text(v) for v in values]
        elif not _scalar(value) or (key == "counts" and value not in COUNTS):
            return False
        else:
            row[key] = as_text(value)
    form.constraints.append(row)
    return True


def read_upload(data: bytes, name: str = "scenario.yaml") -> tuple[dict, list[str]]:
    """A scenario file sent by a planner, read within the limits of `read_scenario`.

    The same size cap (limits.SCENARIO_KB) and the same bounded parser (depth, aliases) as
    the CLI's reader; returns the mapping and notes on keys given twice (the last is kept).
    Raises InputError when it is not a YAML mapping.
    """
    limit = limits.SCENARIO_KB.value * 1024
    if len(data) > limit:
        raise fail(name, limits.SCENARIO_KB.message(f"more than {limit // 1024:,} KB"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(name, f"cannot read: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    doc, root = load_yaml(text, name)
    if doc is None:
        return {}, []
    if not isinstance(doc, dict):
        raise fail(name, "a scenario is a mapping with a `name`", 1)
    dupes = node_lines(root)[1] if root is not None else []
    return doc, [f"{name}:{line}: {'.'.join(map(str, loc))} given twice: the last value is kept"
                 for loc, line in dupes]


def place_issues(issues: list[dict], form: EditorForm,
                 ) -> tuple[dict[str, list[str]], list[dict]]:
    """Issues of the CLI's checks by field key of a compacted form; the rest as they are."""
    placed: dict[str, list[str]] = {}
    rest = []
    for issue in issues:
        key, field_name = _field_key(issue, form)
        if key is None:
            rest.append(issue)
            continue
        shown = issue.get("value")
        where = " ".join(part for part in (field_name, f"({shown})" if shown else "") if part)
        placed.setdefault(key, []).append(f"{where}: {issue['message']}" if where
                                          else issue["message"])
    return placed, rest


def _field_key(issue: dict, form: EditorForm) -> tuple[str | None, str]:
    """The form field an issue is about (`constraints.1`, `min`) or (None, "")."""
    if issue.get("file") != "scenario.yaml" or not issue.get("column"):
        return None, ""
    parts = str(issue["column"]).split(".")
    head = parts[0]
    if head in ("name", "description") and len(parts) == 1:
        return head, ""
    if head == "parameters" and len(parts) == 2 and parts[1] in PARAMETERS:
        return f"parameters.{parts[1]}", ""
    if head == "constraints" and len(parts) >= 2 and parts[1].isdigit() \
            and int(parts[1]) < len(form.constraints):
        return f"constraints.{parts[1]}", ".".join(parts[2:])
    if head == "overrides" and len(parts) >= 3 and parts[1] in OVERRIDES:
        rows = form.overrides[parts[1]]
        if parts[1] in MAPPED:
            codes = [row.get(MAPPED[parts[1]]) for row in rows]
            if parts[2] in codes:
                about = MAPPED[parts[1]] if issue.get("value") == parts[2] else "factor"
                return f"overrides.{parts[1]}.{codes.index(parts[2])}", about
        elif parts[2].isdigit() and int(parts[2]) < len(rows):
            return f"overrides.{parts[1]}.{parts[2]}", ".".join(parts[3:])
    return None, ""

