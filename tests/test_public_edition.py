"""The public edition carries no full paragraph of the article, in Chinese or in English.

The rule: a run of more than ``RUN`` characters of the article's Chinese may
appear only inside a passage the book quotes (a ``{passage}`` ``:quote:`` or a
quiz's evidence), each at most ``QUOTE_MAX`` characters long; and no
paragraph's full English translation appears unless a passage quotes that
paragraph in full. Every file of the built site is searched (pages, the search
index, page sources, scripts), after undoing HTML entities and ``\\uXXXX``
escapes. The same check run on the full book finds the case page, so it can fail.
"""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest

from casebook import edition
from casebook.book import public_edition
from casebook.quiz import bank

RUN = 60
QUOTE_MAX = 100
TEXT_SUFFIXES = {".html", ".js", ".txt", ".json", ".md", ".ipynb", ".xml", ".svg"}
QUOTE_RE = re.compile(r"\{passage\}\s*(P\d{3})\s*\n:quote:\s*(.+)")


@pytest.fixture(scope="module")
def public_html(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The public edition, built once with -W (warnings are errors)."""
    return public_edition.build(root, tmp_path_factory.mktemp("public"), strict=True)


@pytest.fixture(scope="module")
def paras() -> list[edition.Paragraph]:
    return edition.load()


@pytest.fixture(scope="module")
def quotes(root: Path) -> dict[str, str]:
    """Every span of the article the book quotes, keyed by the quote, valued by its paragraph."""
    out = {}
    for page in [*sorted((root / "chapters").rglob("*.md")), root / "intro.md"]:
        for m in QUOTE_RE.finditer(page.read_text(encoding="utf-8")):
            out[m.group(2).strip()] = m.group(1)
    for path in sorted((root / "exercises").glob("*.yml")):
        for q in bank.load(path, root=root).questions:
            for ev in q.evidence:
                out[ev.quote] = ev.para
    return out


def _site_text(site: Path) -> dict[str, str]:
    out = {}
    for f in site.rglob("*"):
        if f.is_file() and f.suffix in TEXT_SUFFIXES:
            text = htmllib.unescape(f.read_text(encoding="utf-8", errors="ignore"))
            text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
            out[str(f.relative_to(site))] = text
    return out


def chinese_leaks(site: Path, paras: list[edition.Paragraph], quotes: dict[str, str]) -> dict[str, str]:
    """Runs of more than RUN characters of the article's Chinese outside the quoted passages."""
    windows: dict[str, str] = {}
    for p in paras:
        for src in {p.reading, p.text}:
            for i in range(len(src) - RUN + 1):
                windows.setdefault(src[i : i + RUN], p.id)
    # A passage is set in quotation marks, which may be the article's own marks around the span.
    allowed = [f"“{q}”" for q in quotes]
    leaks = {}
    for name, text in _site_text(site).items():
        for i in range(len(text) - RUN + 1):
            w = text[i : i + RUN]
            pid = windows.get(w)
            if pid and not any(w in q for q in allowed):
                leaks.setdefault(pid, f"{name}: …{w}…")
    return leaks


def english_leaks(site: Path, paras: list[edition.Paragraph], quotes: dict[str, str]) -> dict[str, str]:
    """Paragraphs whose full English translation appears, unless a passage quotes them in full."""
    whole = {pid for q, pid in quotes.items() if any(p.id == pid and q in (p.reading, p.text) for p in paras)}
    pages = _site_text(site)
    return {
        p.id: name
        for p in paras
        if len(p.en) > RUN and p.id not in whole
        for name, text in pages.items()
        if p.en in text
    }


def test_quoted_passages_are_short(quotes: dict[str, str]) -> None:
    long = {q: pid for q, pid in quotes.items() if len(q) > QUOTE_MAX}
    assert long == {}


@pytest.mark.slow  # builds the book
def test_no_chinese_paragraph_beyond_the_quoted_passages(public_html: Path, paras, quotes) -> None:
    assert chinese_leaks(public_html, paras, quotes) == {}


@pytest.mark.slow  # builds the book
def test_no_full_english_paragraph(public_html: Path, paras, quotes) -> None:
    assert english_leaks(public_html, paras, quotes) == {}


@pytest.mark.slow  # builds the book
def test_the_check_finds_the_text_in_the_full_book(html: Path, paras, quotes) -> None:
    # The full book carries the article: nearly every paragraph longer than RUN must be found.
    long_ids = {p.id for p in paras if len(p.reading) > RUN}
    found = set(chinese_leaks(html, paras, quotes))
    assert len(found) >= 0.9 * len(long_ids)
    assert len(english_leaks(html, paras, quotes)) >= 0.9 * len(long_ids)


@pytest.mark.slow  # builds the book
def test_case_page_keeps_every_anchor_and_states_the_rights(public_html: Path, paras) -> None:
    page = (public_html / "chapters" / "case.html").read_text(encoding="utf-8")
    for p in paras:
        assert f'id="{p.id.lower()}"' in page, p.id
    assert 'class="case-para' not in page
    assert "China Entrepreneur" in page and "not part of this edition" in page


@pytest.mark.slow  # builds the book
def test_citations_carry_no_passage(public_html: Path) -> None:
    page = (public_html / "chapters" / "bottom-up.html").read_text(encoding="utf-8")
    assert 'class="para-cite"' in page
    assert "data-zh=" not in page and "data-en=" not in page
    assert 'href="case.html#p0' in page


def test_public_config_sets_the_flag_and_keeps_the_rest() -> None:
    config = {"title": "T", "sphinx": {"config": {"language": "en"}}}
    out = public_edition.public_config(config)
    assert out["sphinx"]["config"] == {"language": "en", "casebook_public": True}
    assert out["title"] == "T (public edition)"
    assert "casebook_public" not in config["sphinx"]["config"]  # the input is not changed
