"""The SOURCES.md section on `uptake.csv`: method, figures, sensitivity and literature.

Rendered from the estimate itself (`optimiser.datasets.uptake`), so the figures quoted can
never drift from the file; `docs.render` puts it last among the methods.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Mapping

from optimiser.datasets.uptake import (
    CLASSES,
    DECIMALS,
    GENERAL_LEAST_REMOTE,
    GENERAL_REMOTE,
    GENERAL_REMOTE_APPOINTED,
    GENERAL_REMOTE_TAKEN,
    LE360_URL,
    REMOTE_CLASS,
    SPECIALIST_NATIONAL,
    UptakeEstimate,
    estimate,
    logistic,
    logit,
    weighted_mean,
)

WIDTH = 92
"""Prose is wrapped to this width, like the rest of SOURCES.md (URLs are never broken)."""

# Blaauw et al. 2010, table 6: predicted uptake of rural posts by graduating nurses, base and
# with a rural allowance of 10, 20, 30% of salary (%, Kenya and South Africa).
ALLOWANCE_UPTAKE = {"Kenya": (43.4, 58.6, 71.2, 79.8), "South Africa": (36.0, 52.9, 66.5, 75.0)}
ALLOWANCES = (10, 20, 30)
SENSITIVITY_ANCHORS = (0.90, 0.95, 0.99)


def allowance_shift(level: int) -> float:
    """Mean logit shift of a rural allowance of `level`% of salary in Blaauw et al. (2010)."""
    step = ALLOWANCES.index(level) + 1
    return math.fsum(logit(u[step] / 100) - logit(u[0] / 100)
                     for u in ALLOWANCE_UPTAKE.values()) / len(ALLOWANCE_UPTAKE)


def _shifted_mean(est: UptakeEstimate, a: float, shift: float, remote: bool) -> float:
    rows = [r for r in est.delegations if not remote or r.priority_class == REMOTE_CLASS]
    return weighted_mean(lambda x: logistic(a + est.slope * x + shift),
                         {r.code: r.index for r in rows},
                         {r.code: float(r.posts) for r in rows})


def _class_table(est: UptakeEstimate) -> str:
    lines = ["| priority class | delegations | posts of the plan | p_accept, post-weighted "
             "| p_accept, range | p_general_est, post-weighted |", "|---|---|---|---|---|---|"]
    for k in range(1, CLASSES + 1):
        rows = [r for r in est.delegations if r.priority_class == k]
        ps = [r.p_specialist for r in rows]
        lines.append(f"| {k}{' (remote)' if k == REMOTE_CLASS else ''} | {len(rows)} | "
                     f"{sum(r.posts for r in rows)} | {est.mean(priority_class=k):.3f} | "
                     f"{min(ps):.3f} to {max(ps):.3f} | "
                     f"{est.mean(general=True, priority_class=k):.3f} |")
    ps = [r.p_specialist for r in est.delegations]
    lines.append(f"| all | {len(est.delegations)} | {sum(r.posts for r in est.delegations)} | "
                 f"{est.mean():.3f} | {min(ps):.3f} to {max(ps):.3f} | "
                 f"{est.mean(general=True):.3f} |")
    return "\n".join(lines)


def _sensitivity_table(est: UptakeEstimate) -> str:
    index = {r.code: r.index for r in est.delegations}
    posts = {r.code: r.posts for r in est.delegations}
    lines = ["| anchor p_general(x = 0) | b | a_specialist | p_accept range "
             "| p_accept remote class |", "|---|---|---|---|---|"]
    for anchor in SENSITIVITY_ANCHORS:
        alt = estimate(index, posts, anchor)
        ps = [r.p_specialist for r in alt.delegations]
        lines.append(f"| {anchor:.2f}{' (shipped)' if anchor == GENERAL_LEAST_REMOTE else ''} "
                     f"| {alt.slope:.4f} | {alt.a_specialist:.4f} | {min(ps):.3f} to "
                     f"{max(ps):.3f} | {alt.mean(priority_class=REMOTE_CLASS):.3f} |")
    return "\n".join(lines)


def _allowance_table(est: UptakeEstimate) -> str:
    lines = ["| rural allowance | logit shift (Kenya, South Africa mean) | general doctors, "
             "remote class | specialists, remote class |", "|---|---|---|---|"]
    for level in (0, *ALLOWANCES):
        shift = allowance_shift(level) if level else 0.0
        lines.append(f"| {level}% of salary | +{shift:.2f} | "
                     f"{_shifted_mean(est, est.a_general, shift, True):.2f} | "
                     f"{_shifted_mean(est, est.a_specialist, shift, True):.3f} |")
    return "\n".join(lines)


WHO_2010 = "https://www.ncbi.nlm.nih.gov/books/NBK138620/"
BLAAUW_2010 = "https://www.who.int/bulletin/volumes/88/5/09-072918/en/"
KRUK_2010 = "https://pmc.ncbi.nlm.nih.gov/articles/PMC2865662/"
HANSON_JACK_2010 = "https://pubmed.ncbi.nlm.nih.gov/20679647/"
MANSOURI = "https://www.one-health.panafrican-med-journal.com/content/article/3/4/full/"


ITEM = re.compile(r"^(- |\d+\. )")


def reflow(text: str, width: int = WIDTH) -> str:
    """Wrap the prose of markdown `text`: paragraphs and list items are refilled; headings,
    tables and indented code blocks are kept as they are."""
    blocks = []
    for block in text.split("\n\n"):
        lines = block.split("\n")
        kept: list[str] = []
        while lines and lines[0].startswith("#"):
            kept.append(lines.pop(0))
        if lines and lines[0].startswith(("|", "    ")):
            blocks.append("\n".join(kept + lines))
            continue
        items: list[list[str]] = []
        for line in lines:
            if not items or ITEM.match(line):
                items.append([line.strip()])
            else:
                items[-1].append(line.strip())
        for item in items:
            marker = ITEM.match(item[0])
            indent = " " * len(marker.group(1)) if marker else ""
            kept.append(textwrap.fill(" ".join(item), width, subsequent_indent=indent,
                                      break_long_words=False, break_on_hyphens=False))
        blocks.append("\n".join(kept))
    return "\n\n".join(blocks)


def sources_section(est: UptakeEstimate, names: Mapping[str, str]) -> str:
    """The SOURCES.md section on `uptake.csv` (markdown, ends without a newline)."""
    return reflow(_section(est, names))


def _section(est: UptakeEstimate, names: Mapping[str, str]) -> str:
    remote = sorted((r for r in est.delegations if r.priority_class == REMOTE_CLASS),
                    key=lambda r: (-r.index, r.code))
    low = min(est.delegations, key=lambda r: (r.p_specialist, r.code))
    high = max(est.delegations, key=lambda r: (r.p_specialist, r.code))
    return f"""### Acceptance estimate (`uptake.csv`)
**An estimate, not an official figure.** No one publishes, per delegation, the share of
appointed doctors who take up their post. `uptake.csv` (UPTAKE.md) has one row per
delegation, `specialty_code` `*` (every specialty), and `p_accept`: the estimated probability
that a specialist appointed there takes the post up. There are no specialty-specific rows:
no published figure separates specialties, and an invented split would add noise, not
information. Extra columns keep the calibration checkable: `priority_class`,
`deprivation_index` (as in `delegations.csv`), `calibration_posts` (the weights below) and
`p_general_est` (the same logit for general doctors and interns; not used by the model).

Published figures:
- August 2025: of 400 doctors, interns included, given budget posts in remote areas
  (isolated towns, rural centres, mountain areas), only {GENERAL_REMOTE_TAKEN}
  ({100 * GENERAL_REMOTE:.0f}%) joined (ministry figures reported by Assabah, 15/08/2025,
  via le360: {LE360_URL}). The same article reports an earlier rural
  recruitment competition: 104 selected, 19 joined.
- Spring 2025: about {100 * SPECIALIST_NATIONAL:.0f}% of the ~700 specialists of the 2024
  promotion joined their posts (figure as stated in issue 14 and UPTAKE.md; its press source
  is not held here).

Model, with `x = deprivation_index` (0 = least deprived and closest to a CHU, 1 = most;
*Priority weights*):

    specialists (p_accept):     {est.formula()}
    general doctors (p_general_est): {est.formula(general=True)}

One remoteness slope `b = {est.slope:.4f}` for both groups, one intercept each. **Priority
classes**: the delegations ranked by `deprivation_index` (ties by code) and cut into
{CLASSES} quarters; class {REMOTE_CLASS}, "remote", is {", ".join(names[r.code] for r in remote)}.
Three conditions fix the coefficients, one after the other (each a monotone equation solved
by bisection; coefficients rounded to {DECIMALS} decimals):
1. assumption: a general doctor's post in the least remote place (`x = 0`) is taken up
   {100 * GENERAL_LEAST_REMOTE:.0f}% of the time, the specialists' national rate (refusals
   there are about emigration or the private sector, not the place):
   `a_general = logit({GENERAL_LEAST_REMOTE:.2f}) = {est.a_general:.4f}`;
2. the mean `p_general_est` of the remote class, weighted by posts, is
   {GENERAL_REMOTE_TAKEN}/{GENERAL_REMOTE_APPOINTED} = {GENERAL_REMOTE:.2f}: `b`
   (achieved: {est.mean(general=True, priority_class=REMOTE_CLASS):.4f});
3. the national mean `p_accept`, weighted by posts, is {SPECIALIST_NATIONAL:.2f}:
   `a_specialist = {est.a_specialist:.4f}` (achieved: {est.mean():.4f}).

Weights (`calibration_posts`): the posts of the default plan without foreign doctors
(MODEL.md defaults, contingents removed), which the exact greedy of `optimiser/fastpath.py`
computes from the built tables at build time, without a solver; {sum(r.posts for r in
est.delegations)} posts, {sum(r.posts for r in remote)} of them in the remote class. A
change of the tables or of the model moves the weights and so the coefficients: rebuild.

{_class_table(est)}

`p_accept` runs from {low.p_specialist:.4f} ({names[low.code]}) to {high.p_specialist:.4f}
({names[high.code]}).

**Why 26% and 95% do not contradict each other.** They describe different doctors and posts:
general doctors and interns sent to rural centres and remote towns, and specialists appointed
to hospitals. The model keeps one remoteness effect, measured where it was observed (general
doctors, remote posts), and lets the two groups differ by a constant (the intercepts). So a
specialist accepts less in a remote delegation than in a city, and never less than a general
doctor in the same place (`a_specialist > a_general`): the 26% is a floor that the
specialists' remote class ({est.mean(priority_class=REMOTE_CLASS):.3f}) stays far above.
Because the plan sends most posts to remote, high-priority delegations, the national 95%
leaves little room: the specialists' spread between classes is a few points.

**Sensitivity.** Condition 1 is an assumption; other anchors give (the targets of conditions
2 and 3 still met):

{_sensitivity_table(est)}

Financial incentives move these figures. Discrete-choice experiments price rural postings:
Blaauw et al. (Bull World Health Organ 2010;88:350-356, {BLAAUW_2010}) predicted that a
rural allowance of 10, 20 or 30% of salary would raise graduating nurses' uptake of rural
posts from 43% to 59, 71 and 80% in Kenya and from 36% to 53, 67 and 75% in South Africa
(much less in Thailand, where base uptake was 84%). Applied to this estimate as a shift on
the logit scale, by analogy only (nurses, other countries):

{_allowance_table(est)}

Other evidence, qualitative: the WHO's 2010 global policy recommendations on increasing
access to health workers in remote and rural areas through improved retention ({WHO_2010})
group the levers into education, regulation, financial incentives, and professional and
personal support; a discrete-choice experiment among Ghanaian medical students (Kruk et al.,
Bull World Health Organ 2010;88:333-341, {KRUK_2010}) found equipment and supportive
management the strongest attractions of a rural post, salary bonuses also significant; one
among Ethiopian doctors and nurses (Hanson and Jack, Health Aff 2010;29(8):1452-1460,
{HANSON_JACK_2010}) found higher wages and good housing moved doctors most. For Morocco we
know of no discrete-choice experiment on rural posts; a 2019 survey of 280 Moroccan medical
students (Mansouri et al., {MANSOURI}) asked where they plan to practise.

Limits: acceptance is estimated per delegation, while the remote posts of the published
figure lie in rural parts of delegations; the index ranks the southern provinces (Laâyoune,
Oued Ed-Dahab, Boujdour) near the middle because they are urban and equipped, although they
are 700 to 1,200 km from a CHU, so their `p_accept` may be too high; posts are taken up
independently (UPTAKE.md); nothing here separates specialties."""
