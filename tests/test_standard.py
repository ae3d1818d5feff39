"""The theme chapters and the teaching note meet the course standard, and the checks can fail."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from casebook.book import standard


def test_the_course_meets_the_standard(root: Path) -> None:
    assert standard.problems(root) == []


@pytest.fixture
def course(tmp_path: Path, root: Path) -> Path:
    dst = tmp_path / "course"
    shutil.copytree(root / "chapters", dst / "chapters")
    shutil.copytree(root / "exercises", dst / "exercises", ignore=shutil.ignore_patterns("*.ipynb"))
    return dst


def test_a_chapter_with_too_few_passages_is_reported(course: Path) -> None:
    page = course / "chapters" / "techfin.md"
    text = page.read_text(encoding="utf-8")
    lens = text.split("## The case through this lens")[1].split("\n## ")[0]
    page.write_text(text.replace(lens, lens.replace(":::{passage}", ":::{note}")), encoding="utf-8")
    assert any("quotes 0 passages" in p for p in standard.problems(course))


def test_an_untested_objective_is_reported(course: Path) -> None:
    bank = course / "exercises" / "boundaries.yml"
    bank.write_text(
        re.sub(r"objective: boundaries-o1\b", "objective: boundaries-o2", bank.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    assert "exercises/boundaries.yml: objective boundaries-o1 is tested by 0 question(s), needs 2" in (
        standard.problems(course)
    )


def test_a_teaching_plan_that_does_not_add_up_is_reported(course: Path) -> None:
    note = course / "chapters" / "instructor" / "index.md"
    text = note.read_text(encoding="utf-8")
    note.write_text(text.replace("| 5 | Opening |", "| 6 | Opening |", 1), encoding="utf-8")
    assert any("add up to [81, 120]" in p or "add up to [120, 81]" in p for p in standard.problems(course))


def test_word_count_ignores_roles_and_directives() -> None:
    text = "Huang Hao says {para}`P051` that:\n:::{passage} P051\n:quote: 每一个项目\n:::\nno more."
    assert standard.words(text) == 6
