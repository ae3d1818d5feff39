"""Written answers end to end: notebook cell → grade (pending) → review sheets → filled CSV → merge."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from casebook import cli, edition, fileio, grading, review
from casebook.grading import demo, submission, written
from casebook.quiz import bank, notebooks
from casebook.review import merge

DATA = Path(__file__).parent / "data"
ESSAYS = DATA / "written.yml"
STUDENTS = 60


@pytest.fixture(scope="module")
def essays() -> bank.Bank:
    return bank.load(ESSAYS)


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory, essays: bank.Bank) -> Path:
    """A demo class answering the essay bank: written answers, blanks, copies, long ones."""
    out = tmp_path_factory.mktemp("class")
    return demo.make_class(out, students=STUDENTS, seed=2, banks=[essays])


def graded_copy(klass: Path, essays: bank.Bank, tmp_path: Path) -> tuple[Path, grading.Result]:
    out = tmp_path / "graded"
    result = grading.grade_paths([klass], out, banks=[essays], jobs=1, plots=False, feedback=("html", "md"))
    return out, result


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))
    return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, header, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every output file (the lock file says which run held the folder last: not an output)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != fileio.LOCK
    }


def gradebook(folder: Path) -> dict[str, dict[str, str]]:
    _, rows = read_csv(folder / "gradebook.csv")
    return {r["student"]: r for r in rows if r["status"] == "graded"}


# --- the notebook ---------------------------------------------------------------------------------


def test_written_question_is_a_markdown_answer_cell(tmp_path: Path, essays: bank.Bank) -> None:
    (path,) = notebooks.release([essays], tmp_path)
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    answers = [c for c in nb.cells if c.metadata.get("casebook", {}).get("role") == "answer"]
    kinds = [(c.cell_type, c.metadata.casebook.get("kind")) for c in answers]
    assert kinds == [("code", None), ("code", None), ("markdown", "written"), ("markdown", "written")]
    assert answers[2].source == "**Your answer to question 3:**\n\n*Write your answer here.*"
    prompt = next(
        c.source
        for c in nb.cells
        if c.metadata.get("casebook", {}).get("question") == "ess-w01"
        and c.metadata.casebook.role == "prompt"
    )
    assert "Scored on: evidence (3); test design (4). At most 60 words." in prompt
    assert "text cell below" in prompt
    text = path.read_text(encoding="utf-8")
    assert "Four data items and a decision rule" not in text  # the level descriptions stay out


def test_practice_and_solutions_notebooks_treat_written_answers(tmp_path: Path, essays: bank.Bank) -> None:
    paras = edition.by_id()
    (practice,) = notebooks.release([essays], tmp_path, practice=True, paras=paras)
    nb = nbformat.read(practice, as_version=4)
    assert "Written answers are not checked automatically" in nb.cells[0].source
    checker = next(c.source for c in nb.cells if c.metadata.get("casebook", {}).get("role") == "checker")
    namespace: dict = {"q01": "b", "q02": False}
    exec(compile(checker, "checker", "exec"), namespace)  # noqa: S102 (our own code)
    out = io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out):
        namespace["check"](namespace)
    assert "Question 3 (ess-w01): WRITTEN, not checked automatically" in out.getvalue()
    assert "Total: 2 of 2 (plus 12 scored by hand)" in out.getvalue()
    (solutions,) = notebooks.write_solutions([essays], tmp_path, paras)
    text = solutions.read_text(encoding="utf-8")
    assert "Four data items and a decision rule" in text and "Scored by hand with this rubric" in text


def _student_nb(essays: bank.Bank) -> dict:
    return json.loads(notebooks.dumps(notebooks.for_student(notebooks.student(essays), essays, "s9", "Ann")))


def _answer(nb: dict, qid: str) -> dict:
    return next(
        c
        for c in nb["cells"]
        if c["metadata"].get("casebook", {}).get("question") == qid
        and c["metadata"]["casebook"]["role"] == "answer"
    )


def _read(nb: dict, essays: bank.Bank) -> dict[str, submission.Answer]:
    parsed = submission.load(json.dumps(nb).encode())
    found, _ = submission.answers(parsed, bank.answer_key(essays)["questions"])
    return found


def test_written_answers_are_found_even_when_metadata_is_lost(essays: bank.Bank) -> None:
    nb = _student_nb(essays)
    _answer(nb, "ess-w01")["source"] = (
        "**Your answer to question 3:**\n\n*Write your answer here.*\n\nLists show survivors only."
    )
    _answer(nb, "ess-w02")["source"] = "Copy it, but keep a *selection* stage."
    got = _read(nb, essays)
    assert got["ess-w01"].value == "Lists show survivors only."
    assert got["ess-w02"].value == "Copy it, but keep a *selection* stage." and not got["ess-w02"].notes
    inline = json.loads(json.dumps(nb))
    _answer(inline, "ess-w01")["source"] = "**Your answer to question 3:** Inline, then\nmore."
    assert _read(inline, essays)["ess-w01"].value == "Inline, then\nmore."
    # Metadata gone and cells shuffled: the heading line still names the question.
    lost = demo._lose_metadata(nb)
    got = _read(lost, essays)
    assert got["ess-w01"].value == "Lists show survivors only."
    assert got["ess-w01"].notes == ["answer cell found by its heading (metadata lost)"]
    # Heading deleted and metadata lost, cells in place: the cell after the prompt.
    plain = {**nb, "cells": [{**c, "metadata": {}} for c in nb["cells"]]}
    got = _read(plain, essays)
    assert got["ess-w02"].value == "Copy it, but keep a *selection* stage."
    assert got["ess-w02"].notes == ["answer cell found after its question (metadata lost)"]
    # The answer cell deleted: nothing is taken from the closing cell instead.
    gone = {**plain, "cells": [c for c in plain["cells"] if "selection" not in c["source"]]}
    assert not _read(gone, essays)["ess-w02"].found
    # Split into two cells (both keep the metadata): the texts are joined.
    split = json.loads(json.dumps(nb))
    cell = _answer(split, "ess-w02")
    split["cells"].insert(split["cells"].index(cell) + 1, {**cell, "id": "x", "source": "More."})
    got = _read(split, essays)["ess-w02"]
    assert got.value == "Copy it, but keep a *selection* stage.\n\nMore." and "joined" in got.notes[0]


def test_earlier_code_cell_form_and_placeholder_read_as_expected(essays: bank.Bank) -> None:
    nb = _student_nb(essays)
    _answer(nb, "ess-w01").update(
        cell_type="code", outputs=[], execution_count=None, source='q03 = """Old form.\n"""'
    )
    got = _read(nb, essays)
    assert got["ess-w01"].value == "Old form." and got["ess-w02"].value == ""
    _answer(nb, "ess-w01")["source"] = "I typed prose in a code cell"
    got = _read(nb, essays)["ess-w01"]
    assert got.value == "I typed prose in a code cell" and "read as text" in got.notes[0]


# --- grade ----------------------------------------------------------------------------------------


def test_grade_keeps_written_answers_pending(tmp_path: Path, klass: Path, essays: bank.Bank) -> None:
    out, result = graded_copy(klass, essays, tmp_path)
    header = (out / "gradebook.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[: len(grading.FIXED_COLUMNS) + 4] == grading.FIXED_COLUMNS + written.COLUMNS
    rows = gradebook(out)
    states = {r["ess-w01"] for r in rows.values()}
    assert states <= {"pending", "0"} and "pending" in states
    for r in rows.values():
        pending = sum(p for q, p in (("ess-w01", 7), ("ess-w02", 5)) if r[q] == "pending")
        assert float(r["pending_points"]) == pending
        assert r["written_score"] == "0" and r["total"] == r["score"]
        assert (r["max_score"], r["total_max"]) == ("2", "14")
    assert result.pending == sum(list(r.values()).count("pending") for r in rows.values())
    assert result.pending_points == sum(float(r["pending_points"]) for r in rows.values())
    store = written.load_store(out)
    states = {written.STATES[r["outcomes"][j]] for r in store["submissions"] for j in (2, 3)}
    assert states >= {"answered", "blank"}
    assert set(store["quizzes"]) == {"essays"} and len(store["submissions"]) == len(rows)
    page = next((out / "feedback").glob("*.md")).read_text(encoding="utf-8")
    assert "scored automatically" in page


def test_cli_grade_says_how_many_answers_await_review(tmp_path: Path, klass: Path, capsys) -> None:
    code = cli.main(
        [
            "grade",
            str(klass),
            "--out",
            str(tmp_path / "g"),
            "--bank",
            str(ESSAYS),
            "--quiz",
            "essays",
            "--jobs",
            "1",
            "--feedback",
            "html,md",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    match = re.search(
        r"^(\d+) written answers \(([\d,]+) points\) await review: casebook review "
        r"\S+ --out \S+review$",
        out,
        re.MULTILINE,
    )
    assert match, out
    rows = gradebook(tmp_path / "g")
    assert int(match[1]) == sum(list(r.values()).count("pending") for r in rows.values())


# --- review ---------------------------------------------------------------------------------------


def test_review_writes_a_sheet_and_a_csv_per_question(tmp_path: Path, klass: Path, essays: bank.Bank) -> None:
    graded, _ = graded_copy(klass, essays, tmp_path)
    result = review.review(graded, tmp_path / "rev")
    names = sorted(p.name for p in (tmp_path / "rev").iterdir())
    assert names == ["ess-w01-scores.csv", "ess-w01.html", "ess-w02-scores.csv", "ess-w02.html", "index.html"]
    header, rows = read_csv(tmp_path / "rev" / "ess-w01-scores.csv")
    assert header == ["code", "question", "evidence", "test design", "comment", "answer_id"]
    pending = [r for r in gradebook(graded).values() if r["ess-w01"] == "pending"]
    assert len(rows) == len(pending) == len(result.sheets[0].entries)
    assert all(re.fullmatch(r"S[0-9A-HJKMNP-TV-Z]{7}", r["code"]) for r in rows)
    assert len({r["code"] for r in rows}) == len(rows)
    page = (tmp_path / "rev" / "ess-w01.html").read_text(encoding="utf-8")
    for r in rows[:3]:
        assert f'id="{r["code"]}"' in page
    assert "Wei" not in page and "s00001" not in page  # anonymous: no names, no ids
    assert "Four data items and a decision rule" in page  # the rubric beside the answers
    assert "position:sticky" in page
    assert result.over >= 1 and "over the 60-word limit" in page
    assert result.flagged >= 4
    assert 'identical to <a href="#S' in page or 'identical to <a href="#S' in (
        tmp_path / "rev" / "ess-w02.html"
    ).read_text(encoding="utf-8")
    both = page + (tmp_path / "rev" / "ess-w02.html").read_text(encoding="utf-8")
    assert "near-identical (" in both
    assert result.blank >= 1 and "Not to review" in both
    # Codes are stable: a second review gives the same files.
    again = review.review(graded, tmp_path / "rev2")
    assert [s.html_path.read_bytes().replace(b"/rev2/", b"/rev/") for s in again.sheets] == [
        s.html_path.read_bytes() for s in result.sheets
    ]


def test_review_sheet_is_self_contained_and_escapes_answers(tmp_path: Path, essays: bank.Bank) -> None:
    nb = _student_nb(essays)
    evil = '<script>alert("x")</script><img src="https://evil.example/x.png">'
    _answer(nb, "ess-w01")["source"] = evil
    path = tmp_path / "subs" / "a.ipynb"
    path.parent.mkdir()
    path.write_text(json.dumps(nb), encoding="utf-8")
    graded = tmp_path / "graded"
    grading.grade_paths([path], graded, banks=[essays], jobs=1, plots=False)
    review.review(graded, tmp_path / "rev", names=True)
    for page in (tmp_path / "rev").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text.lower()
        # in-page anchors and the sheets next to the index only
        assert not re.search(r"(src|href)\s*=\s*\"(?!#|[\w.-]+\.html\")", text)
        assert not re.search(r"https?://(?!evil\.example)", text)
        assert "<img" not in text and "<link" not in text and "@import" not in text
    page = (tmp_path / "rev" / "ess-w01.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "Ann (s9)" in page  # --names shows who wrote it
    header, _ = read_csv(tmp_path / "rev" / "ess-w01-scores.csv")
    assert header[0] == "student"
    feedback = (graded / "feedback" / "s9-essays.html").read_text(encoding="utf-8")
    assert "<script" not in feedback and "&lt;script&gt;" in feedback


@pytest.mark.slow
def test_review_sheet_opens_from_the_file_system(tmp_path: Path, klass: Path, essays: bank.Bank) -> None:
    """In a real browser, from file://: no request leaves the file, the rubric stays in view."""
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("chromium is not installed")
    graded, _ = graded_copy(klass, essays, tmp_path)
    result = review.review(graded, tmp_path / "rev")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1300, "height": 800})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(result.sheets[0].html_path.resolve().as_uri())
        page.mouse.wheel(0, 5000)
        page.wait_for_function("() => window.scrollY > 500")  # the wheel scrolls asynchronously
        box = page.locator("aside").bounding_box()
        assert box is not None and -1 <= box["y"] <= 1  # the rubric column stuck to the top
        assert page.locator("article.answer").count() == len(result.sheets[0].entries)
        browser.close()
    assert requests == [result.sheets[0].html_path.resolve().as_uri()]


def test_near_identical_answers_are_found_exactly() -> None:
    base = (
        "The list of products shows only survivors, so it cannot tell us how many projects "
        "failed or what they cost; we would need every project started since 2015, who "
        "picked it, when it was stopped, what it cost and what comparable top-down projects "
        "achieved in the same years, before we could say the bottom-up process works."
    )
    edited = base.replace("cost", "spent")
    texts = [
        base,
        base.upper() + "!!",
        edited,
        "Something else entirely about Ant Forest.",
        "蚂蚁森林的成功不能说明自下而上的机制有效，因为失败的项目没有被统计。",
        "蚂蚁森林的成功不能说明自下而上的机制有效，因为失败的项目没有被统计！",
        "",
    ]
    found = review.similar(texts)
    assert found[0][0] == (1, 1.0, True)  # case and punctuation do not matter
    assert any(j == 2 and not same and 0.8 <= score < 1 for j, score, same in found[0])
    assert 3 not in found and 6 not in found
    assert found[4] == [(5, 1.0, True)]
    # The prefix filter misses nothing a brute-force comparison finds.
    import random

    rng = random.Random(4)
    words = "a b c d e f g h".split()
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(150)]
    fast = {(i, j) for i, pairs in review.similar(texts).items() for j, _, _ in pairs}
    sets = [review.shingles(review.tokens(t)) for t in texts]
    slow = {
        (i, j)
        for i in range(len(texts))
        for j in range(len(texts))
        if i != j and sets[i] and sets[j] and len(sets[i] & sets[j]) / len(sets[i] | sets[j]) >= 0.8 - 1e-9
    }
    assert fast == slow


def test_codes_are_keyed_unique_and_lengthen_on_a_clash(tmp_path: Path, monkeypatch) -> None:
    key = review.secret(tmp_path, create=True)
    assert (tmp_path / review.KEY_FILE).stat().st_mode & 0o077 == 0
    assert review.secret(tmp_path) == key
    students = [f"s{i}" for i in range(300)]
    codes = review.codes.codes(students, key)
    assert len(set(codes.values())) == 300 and codes == review.codes.codes(reversed(students), key)
    assert review.codes.codes(students, bytes(32)) != codes
    monkeypatch.setattr(review.codes, "CODE_LENGTH", 1)
    short = review.codes.codes(students, bytes(32))  # a fixed key: 300 students cannot fit in 32 codes
    assert len(set(short.values())) == 300
    assert max(map(len, short.values())) > 2  # clashes were lengthened
    assert short == review.codes.codes(reversed(students), bytes(32))


# --- merge ----------------------------------------------------------------------------------------


@pytest.fixture
def reviewed(tmp_path: Path, klass: Path, essays: bank.Bank) -> tuple[Path, Path]:
    graded, _ = graded_copy(klass, essays, tmp_path)
    review.review(graded, tmp_path / "rev")
    return graded, tmp_path / "rev"


def test_end_to_end_grade_review_fill_merge(
    reviewed: tuple[Path, Path], klass: Path, essays: bank.Bank, capsys
) -> None:
    graded, rev = reviewed
    sheets = sorted(rev.glob("*-scores.csv"))
    for sheet in sheets:
        demo.fill_scores(sheet, graded, seed=3, share=0.7)
    before = gradebook(graded)
    code = cli.main(["merge", *map(str, sheets), "--graded", str(graded)])
    out = capsys.readouterr().out
    assert code == 0 and "merged" in out and "still await review" in out
    rows = gradebook(graded)
    scores = written.load_scores(graded)
    assert scores
    codes = {c: s for s, c in review.codes.codes(rows, review.secret(graded)).items()}
    filled = 0
    for sheet in sheets:
        _, lines = read_csv(sheet)
        for line in lines:
            student = codes[line["code"]]
            qid = line["question"]
            row = rows[student]
            if not line["comment"] and not any(
                line[c] for c in ("evidence", "test design", "argument") if c in line
            ):
                assert row[qid] == "pending"
                continue
            filled += 1
            record = scores[student, qid]
            assert row[qid] == f"{written.record_points(record):g}"
            assert before[student][qid] == "pending"
    assert filled == len(scores)
    for row in rows.values():
        got = sum(float(row[q]) for q in ("ess-w01", "ess-w02") if row[q] != "pending")
        assert float(row["written_score"]) == pytest.approx(got)
        assert float(row["total"]) == pytest.approx(float(row["score"]) + got)
        pend = sum(p for q, p in (("ess-w01", 7), ("ess-w02", 5)) if row[q] == "pending")
        assert float(row["pending_points"]) == pend
    # Feedback names the level and shows the comment.
    student, qid = next((s, q) for (s, q), r in scores.items() if r["comment"])
    record = scores[student, qid]
    feedback = graded / "feedback" / f"{student}-essays.html"
    page = feedback.read_text(encoding="utf-8")
    criterion = next(iter(record["criteria"]))
    crit = next(
        c
        for quiz in written.load_store(graded)["quizzes"].values()
        for q in quiz["written"]
        if q["id"] == qid
        for c in q["rubric"]
        if c["criterion"] == criterion
    )
    label = written.level_label(crit, record["criteria"][criterion])
    import html

    assert html.escape(label) in page and html.escape(record["comment"]) in page
    assert "scored by hand" in page
    md = feedback.with_suffix(".md").read_text(encoding="utf-8")
    assert f"| {criterion} |" in md and record["comment"] in md

    # Merging the same sheets again changes nothing.
    state = snapshot(graded)
    assert merge.merge(sheets, graded).unchanged == len(scores)
    assert snapshot(graded) == state

    # A corrected sheet replaces the score, never adds to it.
    sheet = next(s for s in sheets if s.name.startswith(qid))
    header, lines = read_csv(sheet)
    line = next(x for x in lines if codes[x["code"]] == student)
    for c in record["criteria"]:
        line[c] = "0"
    line["comment"] = "Corrected: see me."
    write_csv(sheet, header, lines)
    result = merge.merge([sheet], graded)
    assert (result.replaced, result.added) == (1, 0)
    row = gradebook(graded)[student]
    assert row[qid] == "0" and "Corrected: see me." in feedback.read_text(encoding="utf-8")
    other = "ess-w02" if qid == "ess-w01" else "ess-w01"
    assert float(row["written_score"]) == (0 if row[other] == "pending" else float(row[other]))
    assert len(written.load_scores(graded)) == len(scores)

    # Grading again keeps the merged scores; the files come out the same.
    state = snapshot(graded)
    grading.grade_paths([klass], graded, banks=[essays], jobs=1, plots=False, feedback=("html", "md"))
    assert snapshot(graded) == state

    # Reviewing again: merged scores are filled in and the sheet may be rewritten.
    again = review.review(graded, rev)
    assert again.scored == len(scores)
    _, lines = read_csv(sheet)
    line = next(x for x in lines if codes[x["code"]] == student)
    assert (
        line["comment"] == "Corrected: see me."
        and line["evidence" if qid == "ess-w01" else "argument"] == "0"
    )


def _first_filled(rev: Path, graded: Path) -> tuple[Path, list[str], list[dict[str, str]]]:
    sheet = rev / "ess-w01-scores.csv"
    demo.fill_scores(sheet, graded, seed=5, share=1.0)
    header, rows = read_csv(sheet)
    return sheet, header, rows


BAD = {
    "unknown student": (lambda h, rows: rows[0].update(code="SZZZZZZZ"), "row 2: unknown code 'SZZZZZZZ'"),
    "above maximum": (
        lambda h, rows: rows[1].update(evidence="4"),
        "row 3: evidence: 4 is above the criterion's maximum 3",
    ),
    "missing cell": (
        lambda h, rows: rows[2].update({"test design": ""}),
        "row 4: test design: missing score",
    ),
    "not a number": (
        lambda h, rows: rows[0].update(evidence="three"),
        "row 2: evidence: 'three' is not a number or a level (strong, partial, missing)",
    ),
    "negative": (lambda h, rows: rows[0].update(evidence="-1"), "row 2: evidence: -1 is below 0"),
    "unknown criterion": (
        lambda h, rows: h.__setitem__(h.index("evidence"), "evidnce"),
        "row 1: no column for criterion 'evidence' of ess-w01",
    ),
    "extra column": (lambda h, rows: h.insert(4, "style"), "row 1: column 'style' is not a rubric criterion"),
    "unknown question": (
        lambda h, rows: rows[0].update(question="ess-w09"),
        "row 2: unknown question 'ess-w09'",
    ),
    "twice": (lambda h, rows: rows.append(dict(rows[0])), "is also on ess-w01-scores.csv row 2"),
    "changed answer": (lambda h, rows: rows[0].update(answer_id="0123456789ab"), "row 2: the answer of"),
    "answer_id cleared": (lambda h, rows: rows[0].update(answer_id=""), "row 2: answer_id is empty"),
    "no id column": (lambda h, rows: h.__setitem__(0, "who"), "row 1: needs one id column"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_scores_csv_is_rejected_and_changes_nothing(
    reviewed: tuple[Path, Path], case: str, capsys
) -> None:
    graded, rev = reviewed
    sheet, header, rows = _first_filled(rev, graded)
    change, message = BAD[case]
    header = list(header)
    if case in ("unknown criterion", "no id column"):
        for r in rows:  # the renamed column keeps its values
            r[header[header.index("evidence") if case == "unknown criterion" else 0]] = ""
            r["evidnce" if case == "unknown criterion" else "who"] = r.get(
                "evidence" if case == "unknown criterion" else "code", ""
            )
    change(header, rows)
    write_csv(sheet, header, rows)
    before = snapshot(graded)
    code = cli.main(["merge", str(sheet), "--graded", str(graded)])
    err = capsys.readouterr().err
    assert code == 1
    lines = err.strip().splitlines()
    assert any(message in line and line.startswith(str(sheet)) for line in lines), err
    assert lines[-1].startswith("casebook merge: nothing merged")
    assert snapshot(graded) == before


def test_merge_accepts_labels_decimal_commas_and_leaves_empty_rows(reviewed: tuple[Path, Path]) -> None:
    graded, rev = reviewed
    sheet = rev / "ess-w01-scores.csv"
    header, rows = read_csv(sheet)
    rows[0].update({"evidence": "Strong", "test design": "2,5", "comment": "方法清楚"})
    write_csv(sheet, header, rows)
    result = merge.merge([sheet], graded)
    assert (result.added, result.skipped) == (1, len(rows) - 1)
    (record,) = written.load_scores(graded).values()
    assert record["criteria"] == {"evidence": 3.0, "test design": 2.5}
    assert record["comment"] == "方法清楚"
    page = (graded / "feedback" / f"{record['student']}-essays.md").read_text(encoding="utf-8")
    assert "| test design | 2.5 / 4 | between partial and strong |" in page


def test_merge_by_name_sheet_and_dry_run(tmp_path: Path, klass: Path, essays: bank.Bank, capsys) -> None:
    graded, _ = graded_copy(klass, essays, tmp_path)
    code = cli.main(
        ["review", str(graded), "--out", str(tmp_path / "rev"), "--names", "--question", "ess-w02"]
    )
    out = capsys.readouterr().out
    assert code == 0 and "1 review sheet(s)" in out and "casebook merge" in out
    assert not (graded / review.KEY_FILE).exists()  # no codes, no key needed
    sheet = tmp_path / "rev" / "ess-w02-scores.csv"
    header, rows = read_csv(sheet)
    assert header[0] == "student" and rows[0]["student"].startswith("s0")
    rows[0]["argument"] = "partial"
    write_csv(sheet, header, rows)
    before = snapshot(graded)
    assert cli.main(["merge", str(sheet), "--graded", str(graded), "--dry-run"]) == 0
    assert "would merge 1 new score(s)" in capsys.readouterr().out
    assert snapshot(graded) == before
    assert cli.main(["merge", str(sheet), "--graded", str(graded)]) == 0
    assert gradebook(graded)[rows[0]["student"]]["ess-w02"] == "2"


def test_review_refuses_to_overwrite_unmerged_scores(reviewed: tuple[Path, Path], capsys) -> None:
    graded, rev = reviewed
    sheet = rev / "ess-w01-scores.csv"
    demo.fill_scores(sheet, graded, seed=1, share=0.5)
    filled = sheet.read_bytes()
    code = cli.main(["review", str(graded), "--out", str(rev)])
    err = capsys.readouterr().err
    assert code == 2 and "has scores not merged yet" in err and "--force" in err
    assert sheet.read_bytes() == filled
    assert merge.merge([sheet], graded).ok
    assert cli.main(["review", str(graded), "--out", str(rev)]) == 0  # merged: safe to rewrite
    header, rows = read_csv(sheet)
    assert sum(1 for r in rows if r["evidence"]) == len(written.load_scores(graded))
    rows[0]["comment"] = "typed after the merge"
    write_csv(sheet, header, rows)
    assert cli.main(["review", str(graded), "--out", str(rev)]) == 2
    assert cli.main(["review", str(graded), "--out", str(rev), "--force"]) == 0
    assert "typed after the merge" not in sheet.read_text(encoding="utf-8-sig")


def test_a_changed_answer_needs_a_new_review(tmp_path: Path, essays: bank.Bank) -> None:
    nb = _student_nb(essays)
    _answer(nb, "ess-w01")["source"] = "First version of my answer."
    path = tmp_path / "subs" / "a.ipynb"
    path.parent.mkdir()
    path.write_text(json.dumps(nb), encoding="utf-8")
    graded = tmp_path / "graded"
    grading.grade_paths([path], graded, banks=[essays], jobs=1, plots=False)
    review.review(graded, tmp_path / "rev")
    sheet = tmp_path / "rev" / "ess-w01-scores.csv"
    header, rows = read_csv(sheet)
    rows[0].update({"evidence": "1", "test design": "2"})
    write_csv(sheet, header, rows)
    assert merge.merge([sheet], graded).added == 1
    assert gradebook(graded)["s9"]["ess-w01"] == "3"
    _answer(nb, "ess-w01")["source"] = "Second, longer version of my answer."
    path.write_text(json.dumps(nb), encoding="utf-8")
    result = grading.grade_paths([path], graded, banks=[essays], jobs=1, plots=False)
    assert gradebook(graded)["s9"]["ess-w01"] == "pending" and result.pending == 1
    assert "written answer (or its rubric) changed since it was scored" in (graded / "notes.csv").read_text()
    again = merge.merge([sheet], graded)
    assert not again.ok and "has changed since this sheet was made" in again.problems[0]
    # A rubric changed after the merge (a criterion renamed): that score is pending again.
    data = json.loads(essays.model_dump_json(exclude_none=True))
    data["questions"][3]["rubric"][0]["criterion"] = "reasoning"
    changed = bank.Bank.model_validate(data)
    _answer(nb, "ess-w02")["source"] = "Copy the teams, not the selection."
    path.write_text(json.dumps(nb), encoding="utf-8")
    grading.grade_paths([path], graded, banks=[essays], jobs=1, plots=False)
    review.review(graded, tmp_path / "rev2")
    header, rows = read_csv(tmp_path / "rev2" / "ess-w02-scores.csv")
    rows[0]["argument"] = "strong"
    write_csv(tmp_path / "rev2" / "ess-w02-scores.csv", header, rows)
    assert merge.merge([tmp_path / "rev2" / "ess-w02-scores.csv"], graded).added == 1
    assert gradebook(graded)["s9"]["ess-w02"] == "5"
    grading.grade_paths([path], graded, banks=[changed], jobs=1, plots=False)
    assert gradebook(graded)["s9"]["ess-w02"] == "pending"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["review", "nowhere", "--out", "r"], "nowhere: no such folder"),
        (["merge", "x.csv", "--graded", "nowhere"], "nowhere: no such folder"),
    ],
)
def test_cli_usage_errors_are_one_line(
    tmp_path: Path, monkeypatch, capsys, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


def test_review_of_a_folder_without_written_answers_says_so(tmp_path: Path, capsys) -> None:
    sample = bank.load(DATA / "sample.yml")
    nb = json.loads(notebooks.dumps(notebooks.student(sample)))
    path = tmp_path / "a.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    grading.grade_paths([path], tmp_path / "g", banks=[sample], jobs=1, plots=False)
    assert cli.main(["review", str(tmp_path / "g"), "--out", str(tmp_path / "r")]) == 2
    assert "no written answers here" in capsys.readouterr().err
