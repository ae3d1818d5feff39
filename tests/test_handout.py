"""The printable case: every paragraph in both languages, and a PDF that Chromium printed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from casebook import edition
from casebook.book import handout

pytestmark = pytest.mark.slow


def test_handout_html_and_pdf(tmp_path: Path) -> None:
    html_path, pdf_path = handout.write(tmp_path / "case")
    page = html_path.read_text(encoding="utf-8")
    assert re.findall(r'<tr class="(?:body|caption)" id="(p\d{3})"', page) == [
        f"p{i:03d}" for i in range(1, 116)
    ]
    paras = edition.load()
    assert paras[44].en[:40] in page and paras[44].reading[:20] in page
    assert "<script" not in page
    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 10, f"only {pages} pages: the case did not print in full"


def test_one_language_only(tmp_path: Path) -> None:
    (html_path,) = handout.write(tmp_path / "case-en", lang="en", pdf=False)
    page = html_path.read_text(encoding="utf-8")
    assert 'class="zh"' not in page and page.count('class="en"') == 115
