"""The student edition: no instructor page, no quiz answer, nothing pointing to either."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from casebook.book import student_edition

pytestmark = pytest.mark.slow


def _pages(html: Path) -> dict[str, str]:
    return {str(p.relative_to(html)): p.read_text(encoding="utf-8") for p in html.rglob("*.html")}


def test_no_instructor_page(student_html: Path, root: Path) -> None:
    pages = _pages(student_html)
    assert "chapters/bottom-up.html" in pages and "chapters/case.html" in pages
    assert not any(name.startswith("chapters/instructor") for name in pages)
    for name, text in pages.items():
        assert "instructor/" not in text, f"{name} links to the instructor part"
    assert not list(student_html.rglob("_sources/chapters/instructor*"))


def test_no_quiz_answers(student_html: Path, root: Path) -> None:
    pages = _pages(student_html)
    everything = "\n".join(pages.values()) + (student_html / "searchindex.js").read_text(encoding="utf-8")
    assert "cbq-key" not in everything and "cbq-check" not in everything
    for bank in sorted((root / "exercises").glob("*.yml")):
        for q in yaml.safe_load(bank.read_text(encoding="utf-8"))["questions"]:
            first_line = q.get("explanation", "").strip().splitlines()[0] if q.get("explanation") else ""
            if len(first_line) > 30:
                assert first_line[:60] not in everything, f"{q['id']}: explanation leaked"
            for opt in q.get("options") or []:
                if opt.get("misconception"):
                    assert opt["misconception"][:60] not in everything, f"{q['id']}: misconception leaked"
    # The questions themselves are there, to be answered in the released notebook.
    assert pages["chapters/bottom-up.html"].count('class="cbq"') >= 15


def test_student_toc_drops_only_the_instructor_part(root: Path) -> None:
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    pruned = student_edition.student_toc(toc)
    captions = [p["caption"] for p in pruned["parts"]]
    assert "Instructor" not in captions
    files = [c["file"] for p in pruned["parts"] for c in p["chapters"]]
    assert "chapters/bottom-up" in files and not any("instructor" in f for f in files)
