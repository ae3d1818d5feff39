"""The book builds with -W (warnings are errors) and its pages carry what readers rely on."""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

import pytest

from casebook import edition

pytestmark = pytest.mark.slow


def test_case_page_has_every_paragraph_in_both_languages(html: Path) -> None:
    page = (html / "chapters" / "case.html").read_text(encoding="utf-8")
    ids = re.findall(r'<div class="case-para case-(?:body|caption) docutils container" id="(p\d{3})"', page)
    assert ids == [f"p{i:03d}" for i in range(1, 116)]
    assert page.count('class="case-zh"') == 115 and page.count('class="case-en') == 115
    notes = [p for p in edition.load() if p.note]
    assert page.count("Translator’s note:") + page.count("Translator's note:") == len(notes) > 10
    assert "case-switch" in page


def test_citations_link_to_the_case_and_carry_the_passage(html: Path) -> None:
    page = (html / "chapters" / "timeline.html").read_text(encoding="utf-8")
    cite = re.search(
        r'<span class="para-cite"[^>]*data-zh="([^"]+)"[^>]*>\s*<a[^>]*href="case.html#(p\d{3})"', page
    )
    assert cite, "no resolved paragraph citation on the timeline page"
    para = {p.id.lower(): p for p in edition.load()}[cite.group(2)]
    shown = html_lib.unescape(cite.group(1))
    assert shown.strip() and shown == para.reading, "the hover text is not the cited paragraph's Chinese"


def test_timeline_figure_is_rendered(html: Path) -> None:
    page = (html / "chapters" / "timeline.html").read_text(encoding="utf-8")
    images = re.findall(r'<img[^>]+src="\.\./(_images/[^"]+\.png)"', page)
    assert len(images) == 1
    assert (html / images[0]).stat().st_size > 20_000


def test_search_finds_chinese_and_english_words(html: Path) -> None:
    raw = (html / "searchindex.js").read_text(encoding="utf-8")
    terms = json.loads(raw[raw.index("(") + 1 : raw.rindex(")")])["terms"]
    # Chinese is segmented into words (not single characters), English is stemmed as usual.
    assert {"森林", "中台", "红包"} <= set(terms)
    assert "alipay" in terms
