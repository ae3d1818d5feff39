"""The edition: correction tables, the text/reading invariant, the JSON contract."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casebook import edition, paths
from casebook.edition import fixes, source
from casebook.errors import CasebookError


@pytest.fixture(scope="module")
def built(root: Path) -> list[edition.Paragraph]:
    return edition.build(root)


def test_committed_edition_is_regenerated_byte_for_byte(root: Path, built) -> None:
    assert paths.edition_file(root).read_text(encoding="utf-8") == edition.to_json(built)


def test_every_correction_row_matches_its_context(root: Path) -> None:
    raw = {p.id: p.text for p in source.load_paragraphs(paths.seed_file(root))}
    rows = fixes.read_table(root / "seeds" / "corrections.tsv")
    assert 90 <= len(rows) <= 140
    for row in rows:
        assert fixes.check(row, raw[row.para]) is None, row
        assert row.why.strip()
    text = fixes.apply(rows, raw)
    for row in fixes.read_table(root / "seeds" / "punctuation.tsv"):
        assert row.old == "" and fixes.check(row, text[row.para]) is None, row


def _strip(s: str) -> str:
    return "".join(c for c in s if not (unicodedata.category(c)[0] in "PZ" or c.isspace()))


def test_reading_equals_text_without_punctuation(built) -> None:
    for p in built:
        assert _strip(p.text) == _strip(p.reading), p.id
    # Restoring punctuation did something: most paragraphs gained a mark.
    assert sum(p.text != p.reading for p in built) > 80


def test_no_traditional_or_odd_characters_left(built) -> None:
    for p in built:
        for ch in p.text:
            if ch in "—’":
                continue
            ch.encode("gb2312")  # raises for traditional forms, kana, box drawing


def test_kinds_and_ids(built) -> None:
    assert [p.id for p in built] == [f"P{i:03d}" for i in range(1, 116)]
    captions = [p.id for p in built if p.kind == "caption"]
    assert captions == ["P006", "P027", "P034", "P050", "P065", "P070"]


def test_a_row_whose_context_changed_is_refused(project_copy: Path) -> None:
    table = project_copy / "seeds" / "corrections.tsv"
    rows = fixes.read_table(table)
    first = rows[0]
    rows[0] = fixes.Fix(first.para, first.offset, first.old, first.new, "不对", first.after, first.why)
    fixes.write_table(table, rows)
    with pytest.raises(CasebookError, match="context before"):
        edition.build(project_copy)


def test_overlapping_rows_are_refused() -> None:
    text = {"P001": "abcdef"}
    a = fixes.make_row("P001", text["P001"], 2, "c", "C", "x")
    b = fixes.make_row("P001", text["P001"], 2, "cd", "D", "y")
    with pytest.raises(CasebookError, match="overlaps"):
        fixes.apply([a, b], text)


@given(
    st.text(alphabet="蚂蚁金服创新边界abc ", min_size=1, max_size=40),
    st.lists(st.tuples(st.integers(0, 40), st.sampled_from("。,:?、")), max_size=8),
)
def test_rows_from_diff_reproduce_any_punctuation(text: str, inserts) -> None:
    target = list(text)
    for pos, mark in sorted(inserts, reverse=True):
        target.insert(min(pos, len(target)), mark)
    target_s = "".join(target)
    rows = fixes.rows_from_diff("P001", text, target_s, "test")
    assert fixes.apply(rows, {"P001": text})["P001"] == target_s


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "casebook", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow  # the CLI in a subprocess
def test_edition_json_contract(root: Path) -> None:
    out = _cli("edition", "--json", cwd=root)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert len(rows) == 115
    for row in rows:
        assert {"id", "kind", "text", "reading", "en"} <= set(row)
        assert row["kind"] in {"body", "caption"} and row["en"]


@pytest.mark.slow  # the CLI in a subprocess
@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00", b"one line only\n"])
def test_bad_seed_is_one_line_and_nonzero(root: Path, tmp_path: Path, content: bytes) -> None:
    seed = tmp_path / "seed.txt"
    seed.write_bytes(content)
    out = _cli("edition", "--seed", str(seed), cwd=root)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert str(seed) in out.stderr


@pytest.mark.slow  # the CLI in a subprocess
def test_validate_reports_broken_citation(project_copy: Path) -> None:
    page = project_copy / "chapters" / "broken.md"
    page.write_text(
        "See {para}`P999` and\n\n:::{passage} P045\n:quote: 不在这里的话\n:::\n"
        # P098 as scraped: no full stop between the two sentences the edition separates
        ":::{passage} P098\n:quote: 也面临着监管的要求当你体量越大\n:::\n",
        encoding="utf-8",
    )
    out = subprocess.run(
        [sys.executable, "-m", "casebook", "validate"],
        cwd=project_copy,
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "CASEBOOK_ROOT": str(project_copy)},
    )
    assert out.returncode == 1
    assert "chapters/broken.md:1: cites 'P999'" in out.stdout
    assert "chapters/broken.md:3: quote is not verbatim in P045" in out.stdout
    assert "chapters/broken.md:6: quote drops punctuation the edition restores in P098" in out.stdout


@pytest.mark.slow  # the CLI in a subprocess
def test_validate_with_a_missing_bank_is_one_line(root: Path, tmp_path: Path) -> None:
    out = _cli("validate", "--bank", str(tmp_path / "private.yml"), cwd=root)
    assert out.returncode == 2
    assert out.stderr.strip() == f"casebook validate: {tmp_path / 'private.yml'}: no such bank file"


def test_row_for_names_the_place_by_what_it_says() -> None:
    text = "其中一节课是在黑暗中进行的老师讓他们一个个"
    row = fixes.row_for("P002", text, "老师讓他们", "讓", "让", "traditional form of 让")
    assert (row.offset, row.before, row.after) == (text.index("讓"), "行的老师", "他们一个")
    assert fixes.apply([row], {"P002": text})["P002"] == text.replace("讓", "让")
    with pytest.raises(CasebookError, match="occurs 0 times"):
        fixes.row_for("P002", text, "不在这里", "在", "再", "x")


def test_inline_chinese_long_enough_to_be_a_quotation_must_be_the_articles(tmp_path: Path) -> None:
    from casebook.book import citations

    paras = edition.by_id()
    page = tmp_path / "chapters" / "page.md"
    page.parent.mkdir()
    page.write_text(
        "Verbatim, with its quotation marks: 向管理层汇报“要钱” ({para}`P079`).\n"
        "Cut without an ellipsis: (一开始就笃定会开放余额宝, P099).\n"
        "Cut with one: 虽然一开始…就笃定会开放余额宝 ({para}`P099`).\n"
        "A name is short: 支付宝, 中台.\n"
        ":quote: 一开始就笃定会开放余额宝\n",
        encoding="utf-8",
    )
    (tmp_path / "chapters" / "epilogue.md").write_text("蚂蚁科技集团股份有限公司\n", encoding="utf-8")
    out = citations.unquoted(sorted((tmp_path / "chapters").glob("*.md")), paras, tmp_path)
    assert out == ["chapters/page.md:2: Chinese not verbatim in the article: '一开始就笃定会开放余额宝'"]


def test_the_project_passes_its_own_validate(root: Path) -> None:
    """What `casebook validate` checks (edition, timeline, glossary, standard, citations, inline
    quotations, banks) holds for the course as committed, so a red validate cannot land."""
    from casebook import checks

    assert checks.run(root) == []
