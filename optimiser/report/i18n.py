"""Wording and number formats of the report, in French (default), English and Arabic.

Planners at the ministry read French first; `--lang en` is for partners and `--lang ar` for
Arabic readers. Every label the writers show comes from here (the phrases themselves are in
`words_page`, `words_plan` and `words_labels`), so a wording fix is made once for HTML, Excel
and Markdown.

Digits: Moroccan administrative documents in Arabic are written with Western digits (0-9),
so the Arabic report uses them too, with the French separators (1 234,5); only the percent
sign is attached to the number ("47,0%") so that the bidirectional algorithm keeps it with
its figure in right-to-left text, and signed figures are isolated (`isolate`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from optimiser.report.words_labels import COLUMNS, PARAMETERS, SHEET_NAMES, TABLE_TITLES
from optimiser.report.words_page import PAGE
from optimiser.report.words_plan import PLAN

__all__ = ["COLUMNS", "LANGUAGES", "PARAMETERS", "SHEET_NAMES", "TABLE_TITLES", "TEXT"]

LANGUAGES = ("fr", "en", "ar")
DIRECTION = {"fr": "ltr", "en": "ltr", "ar": "rtl"}
NARROW_NBSP = "\u202f"  # French thousands separator (typographic rule), never breaks a number
LRI, PDI = "\u2066", "\u2069"  # left-to-right isolate: a signed figure inside Arabic text
TEXT: dict[str, dict[str, str]] = {**PAGE, **PLAN}


def text(key: str, lang: str, **values: Any) -> str:
    """The wording of `key` in `lang`, with `{name}` fields filled from `values`."""
    wording = TEXT[key][lang]
    return wording.format(**values) if values else wording


def title(key: str, lang: str) -> str:
    """The title of table `key` (also its Excel sheet name)."""
    return TABLE_TITLES[key][lang]


def column(name: str, lang: str, extra: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The header of column `name`; `extra` names columns i18n cannot know (specialties)."""
    if extra and name in extra:
        return extra[name][lang]
    return COLUMNS[name][lang] if name in COLUMNS else name


def is_missing(value: Any) -> bool:
    """None or NaN: shown as a dash, left empty in Excel."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: Any, lang: str, decimals: int = 0) -> str:
    """`value` with the separators of `lang`: 1 234,5 (fr, ar: Western digits) or 1,234.5."""
    if is_missing(value):
        return TEXT["none"][lang]
    formatted = f"{float(value):,.{decimals}f}"
    if formatted.startswith("-") and float(formatted.replace(",", "")) == 0:
        formatted = formatted[1:]  # never show "-0.0"
    if lang in ("fr", "ar"):
        formatted = formatted.replace(",", NARROW_NBSP).replace(".", ",")
    if formatted.startswith("-"):
        formatted = isolate("−" + formatted[1:], lang)
    return formatted


def isolate(figure: str, lang: str) -> str:
    """A figure that must read left to right (a sign, a range) kept whole in Arabic text."""
    return f"{LRI}{figure}{PDI}" if lang == "ar" else figure


def percent(value: Any, lang: str, decimals: int = 1, signed: bool = False) -> str:
    """A fraction as a percentage: 0.47 -> "47,0 %" (fr), "47.0%" (en), "47,0%" (ar)."""
    if is_missing(value):
        return TEXT["none"][lang]
    body = number(abs(value) * 100, lang, decimals) if signed else number(value * 100, lang,
                                                                          decimals)
    sign = ("−" if value < 0 else "+") if signed and round(value * 100, decimals) else ""
    shown = f"{sign}{body}{NARROW_NBSP}%" if lang == "fr" else f"{sign}{body}%"
    return isolate(shown, lang) if sign else shown


def year(value: Any) -> str:
    """A promotion (graduating year) as written: 2023, never "2 023"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def name(name_fr: Any, name_ar: Any, lang: str) -> str:
    """A place's name in `lang`: the Arabic name in Arabic when the data has one."""
    if lang == "ar" and isinstance(name_ar, str) and name_ar.strip():
        return name_ar
    return "" if is_missing(name_fr) else str(name_fr)


def other_name(name_fr: Any, name_ar: Any, lang: str) -> str:
    """The second name shown under the first (Arabic under French, French under Arabic)."""
    if lang == "ar":
        shown = name(name_fr, name_ar, lang)
        return "" if is_missing(name_fr) or str(name_fr) == shown else str(name_fr)
    return name_ar if isinstance(name_ar, str) else ""


def term(value: Any, lang: str) -> str:
    """A word the report knows (status, category, item), else the value as it is."""
    key = str(value)
    if key.startswith("promotion:"):
        return text("promotion_item", lang, p=key.split(":", 1)[1])
    if key in TEXT:
        return TEXT[key][lang]
    return COLUMNS[key][lang] if key in COLUMNS else key


def cell(value: Any, kind: str, lang: str) -> str:
    """Format one table cell by its column kind (see `base.Table`)."""
    if is_missing(value) or (value == "" and kind not in ("text", "ar", "code", "data")):
        return TEXT["none"][lang]
    if kind in ("int", "money"):
        return number(value, lang, 0)
    if kind == "num1":
        return number(value, lang, 1)
    if kind == "num2":
        return number(value, lang, 2)
    if kind == "pct":
        return percent(value, lang)
    if kind == "year":
        return term(value, lang) if isinstance(value, str) else year(value)
    if kind == "term":
        return term(value, lang)
    if kind == "value":
        return plain_value(value, lang)
    if kind == "param":
        return PARAMETERS[value][lang] if value in PARAMETERS else str(value)
    return str(value)


def plain_value(value: Any, lang: str) -> str:
    """A parameter value of any type: booleans in words, numbers localised, None a dash."""
    if is_missing(value):
        return TEXT["none"][lang]
    if isinstance(value, bool):
        return TEXT["yes" if value else "no"][lang]
    if isinstance(value, int):
        return number(value, lang, 0)
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= 1:
            return number(value, lang, 0)
        shown = f"{value:g}"
        return shown.replace(".", ",") if lang in ("fr", "ar") else shown
    if isinstance(value, list | tuple):
        return TEXT["sep"][lang].join(str(v) for v in value)
    return str(value)
