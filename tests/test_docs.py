"""The docs a user reads: example outputs current, Python snippets runnable, links valid.

`python -m docs.examples --check` re-runs every documented command and snippet (the snippets of
docs/whatif.md included, as written) and fails on any difference with README.md and docs/*.md:
a change of output must come with `python -m docs.examples` and a reviewed diff.
"""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]*`")


def _prose(text: str) -> str:
    """The Markdown without code blocks and inline code (where `[a](b)` is not a link)."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*]", "", heading.strip().lower())
    text = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LNM")
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {_slug(m) for m in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.M)}


def _examples():  # noqa: ANN202 - docs/ is not a package of the tool
    sys.path.insert(0, str(ROOT))
    try:
        import docs.examples as examples
    finally:
        sys.path.remove(str(ROOT))
    return examples


EXAMPLES = _examples()


def test_every_doc_block_names_an_example_and_every_example_is_shown():
    assert EXAMPLES.name_errors(EXAMPLES.documents()) == []


@pytest.mark.parametrize("session", [s.name for s in EXAMPLES.SESSIONS])
def test_docs_examples_are_current(session):
    """The session's generated blocks equal what the current code prints (snippets run too).
    One test per session, so that the sessions spread over the test workers."""
    done = subprocess.run([sys.executable, "-m", "docs.examples", "--check", "--jobs", "1",
                           session], cwd=ROOT, capture_output=True, text=True, timeout=900,
                          check=False)
    assert done.returncode == 0, done.stderr[-20000:] + done.stdout[-5000:]


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_no_link_or_mention_of_the_shared_folder(path):
    """Users do not have the development `shared` folder: the docs must stand alone."""
    text = path.read_text(encoding="utf-8")
    for needle in ("../shared", "shared/spec", "shared/testcases"):
        assert needle not in text, f"{path.name} mentions {needle}"


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_relative_links_point_to_existing_files(path):
    """Every relative link (and image) resolves to a file of the repository; anchors into
    Markdown files name a heading."""
    broken = []
    for target in LINK.findall(_prose(path.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("//"):
            continue  # http:, https:, mailto: ...
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif ROOT not in linked.parents and linked != ROOT:
            broken.append(f"{target}: outside the repository")
        elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
            broken.append(f"{target}: no heading #{anchor} in {linked.name}")
    assert not broken, f"{path.name}: " + "; ".join(broken)


def test_link_checker_sees_links():
    """The checker finds links, so an empty result above means no broken link."""
    text = "[a](docs/model.md) ![b](docs/report.png) `[c](nope.md)` [d](x.md#y)"
    assert LINK.findall(_prose(text)) == ["docs/model.md", "docs/report.png", "x.md#y"]
    assert _slug("Reading a plan: post categories") == "reading-a-plan-post-categories"
    assert _slug("The engine: one model, many variants (`reuse.py`, `reuse_hull.py`)") == \
        "the-engine-one-model-many-variants-reusepy-reuse_hullpy"
