"""A Markdown summary short enough to paste into an email (about twenty lines).

Key figures, posts by region and the five delegations left worst off; the detail stays in
report.html and plan.xlsx. Names are escaped so that a `|` or `*` in a name cannot break
the table or the emphasis.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from optimiser.report import horizon, i18n
from optimiser.report.base import ReportData
from optimiser.report.html import TEMPLATES

WORST_SHOWN = 5
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]{}<>|#])")


def escape(value: Any) -> str:
    """Backslash-escape Markdown punctuation and flatten line breaks."""
    text = " ".join(str(value).split())
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    from optimiser.cache import template_cache

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False,
                             bytecode_cache=template_cache("markdown-1"),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["md"] = escape
    return env


def render(data: ReportData, lang: str, timestamp: bool) -> str:
    """The summary.md text."""
    s = data.summary
    num = i18n.number
    tables = data.tables
    promotions = tables["promotions"].frame.iloc[:-1]
    categories = tables["categories"].frame
    regions = tables["regions"].frame.iloc[:-1]
    worst = tables["worst_off"].frame.head(WORST_SHOWN)
    budget = s["budget"]
    sep = i18n.text("semi", lang)
    by_promotion = sep.join(i18n.text("md_promotion", lang, p=p, n=num(n, lang)) for p, n in
                            zip(promotions["promotion"], promotions["posts"], strict=True))
    by_promotion = f" ({by_promotion})" if by_promotion else ""
    split = " / ".join(f"{num(n, lang)} ({i18n.percent(share, lang, 0)})" for n, share in
                       zip(categories["posts"], categories["share"], strict=True))
    status = i18n.term(s["status"], lang)
    bullets = [
        i18n.text("md_status", lang, status=status, objective=num(s["objective"], lang, 2),
                  gap=i18n.percent(s["gap"], lang, 2)),
        i18n.text("md_posts", lang, n=num(s["posts_allocated"], lang),
                  available=num(s["posts_available"], lang), by_promotion=by_promotion),
        i18n.text("md_categories", lang, split=split),
        i18n.text("md_foreign", lang, n=num(s["foreign_deployed"], lang),
                  available=num(s["foreign_available"], lang),
                  used=num(s["budget_used"], lang),
                  cap=(i18n.text("no_budget_cap", lang) if i18n.is_missing(budget)
                       else i18n.text("of_budget", lang, n=num(budget, lang)))),
        i18n.text("md_unmet", lang, change=i18n.text(
            "unmet_change", lang, before=num(s["unmet_before"], lang, 1),
            after=num(s["unmet_after"], lang, 1),
            change=i18n.percent(s["unmet_change"], lang, signed=True))),
    ]
    headers = {c: i18n.column(c, lang) for c in
               ("region", "posts", "foreign", "unmet_before", "unmet_after")}
    context = {
        "heading": i18n.text("summary_md_title", lang, s=escape(s["scenario"])),
        "s": s,
        "t": {key: wording[lang] for key, wording in i18n.TEXT.items()},
        "bullets": bullets,
        "h": headers,
        "regions": [{"name": i18n.name(name, arabic, lang), "posts": num(posts, lang),
                     "foreign": num(foreign, lang), "unmet_before": num(before, lang, 1),
                     "unmet_after": num(after, lang, 1)}
                    for name, arabic, posts, foreign, before, after in zip(
                        regions["name_fr"], regions["name_ar"], regions["posts"],
                        regions["foreign"], regions["unmet_before"], regions["unmet_after"],
                        strict=True)],
        "worst": [i18n.text("worst_md_line", lang, name=escape(i18n.name(name, arabic, lang)),
                            region=escape(region), after=num(after, lang, 1),
                            before=num(before, lang, 1), density=num(density, lang, 1),
                            target=num(target, lang, 1))
                  for name, arabic, region, after, before, density, target in zip(
                      worst["name_fr"], worst["name_ar"], worst["region"], worst["unmet_after"],
                      worst["unmet_before"], worst["density_after"], worst["target_density"],
                      strict=True)],
        "stamp": s["generated_at"] if timestamp else None,
        "uptake": _uptake_lines(data, lang),
    }
    if context["uptake"] is not None:
        bullets.append(context["uptake"]["bullet"])
    if data.dependencies is not None:
        bullets.append(_dependencies_bullet(data.dependencies, lang))
    if data.horizon is not None:
        bullets.insert(0, _horizon_bullet(data.horizon, lang))
    return _environment().get_template("summary.md.j2").render(**context)


def _uptake_lines(data: ReportData, lang: str) -> dict[str, Any] | None:
    """A bullet and the posts most likely to stay empty, when the plan has the section."""
    up = data.uptake
    if up is None:
        return None
    num = i18n.number
    sim = up["simulation"]
    spread = "" if sim is None else i18n.text(
        "md_uptake_sim", lang, mean=num(sim["mean"], lang, 1), low=num(sim["p05"], lang, 1),
        high=num(sim["p95"], lang, 1))
    bullet = i18n.text("md_uptake", lang, arrivals=num(up["expected_arrivals"], lang, 1),
                       n=num(up["posts"], lang), empty=num(up["expected_empty"], lang, 1),
                       sim=spread)
    rows = data.tables["uptake"].frame.head(WORST_SHOWN)
    lines = [i18n.text("md_uptake_line", lang, name=escape(i18n.name(name, arabic, lang)),
                       spec=escape(spec), n=num(posts, lang), p=i18n.percent(p, lang, 0),
                       none=i18n.percent(none, lang, 0))
             for name, arabic, spec, posts, p, none in zip(
                 rows["name_fr"], rows["name_ar"], rows["specialty"], rows["posts"],
                 rows["p_accept"], rows["p_none_arrive"], strict=True)]
    return {"bullet": bullet, "title": i18n.text("md_uptake_title", lang), "lines": lines}


def _dependencies_bullet(facts: Mapping[str, Any], lang: str) -> str:
    """How many specialty dependency rules the plan obeys and in how many delegations one
    of them shaped it (the tables stay in report.html and plan.xlsx)."""
    return i18n.text("md_dependencies", lang, rules=i18n.number(facts["rules"], lang),
                     n=i18n.number(facts["delegations"], lang))


def _horizon_bullet(facts: Mapping[str, Any], lang: str) -> str:
    """The years a horizon plan covers, the weighted unmet need before the first and after
    the last, and which year the rest of the summary shows (it goes first)."""
    num = i18n.number
    return i18n.text("md_horizon", lang, span=horizon.span(facts, lang), start=facts["start"],
                     end=facts["end"], before=num(facts["unmet_before"], lang, 1),
                     after=num(facts["unmet_after"], lang, 1))
