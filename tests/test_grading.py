"""Grading end to end: release → answer → grade, bad input, identity, outputs, CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebook import cli, grading
from casebook.grading import demo, submission, written
from casebook.quiz import bank, layout, notebooks

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "sample.yml"

RIGHT = {
    "q01": '"b"',
    "q02": '["a", "c"]',
    "q03": "False",
    "q04": "3",
    "q05": '["b", "a", "c"]',
    "q06": '{"a": "x", "b": "y", "c": "z"}',
    "q07": '"中台"',
}
WRONG = {
    "q01": '"a"',
    "q02": '["b", "d"]',
    "q03": "True",
    "q04": "10",
    "q05": '["c", "a", "b"]',
    "q06": '{"a": "y", "b": "x", "c": "w"}',
    "q07": '"前台"',
}
PARTIAL = {
    "q01": '"B"',
    "q02": '["a"]',
    "q03": '"false"',
    "q04": "3.5",
    "q05": '["a", "b", "c"]',
    "q06": '{"a": "x", "b": "z", "c": "y"}',
    "q07": '" Middle  Platform。"',
}
PARTIAL_CREDITS = ["1", "1", "1", "1", "0.6667", "0.3333", "1"]


@pytest.fixture(scope="module")
def sample() -> bank.Bank:
    return bank.load(SAMPLE)


@pytest.fixture(scope="module")
def template(sample: bank.Bank) -> dict:
    return json.loads(notebooks.dumps(notebooks.student(sample)))


def submit(
    path: Path,
    template: dict,
    answers: dict[str, str],
    sid: str = "s1",
    name: str = "Ann",
    mtime: int | None = None,
) -> Path:
    """A filled-in notebook, as a student's Jupyter would save it."""
    nb = json.loads(json.dumps(template))
    for cell in nb["cells"]:
        meta = cell["metadata"].get("casebook", {})
        if meta.get("role") == "identity":
            cell["source"] = f'student_name = "{name}"\nstudent_id = "{sid}"\n'
        var = cell["source"].split(" = ")[0]
        if meta.get("role") == "answer" and var in answers:
            cell["source"] = f"{var} = {answers[var]}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def grade(paths, out: Path, sample: bank.Bank, **kw) -> grading.Result:
    kw.setdefault("feedback", ("html", "md"))  # these tests read both formats
    return grading.grade_paths(paths, out, banks=[sample], jobs=1, **kw)


def rows_by_file(result: grading.Result) -> dict[str, dict]:
    return {Path(r["submission"]).name: r for r in result.rows}


def test_release_answer_grade_gives_expected_scores(
    tmp_path: Path, sample: bank.Bank, template: dict
) -> None:
    subs = tmp_path / "subs"
    submit(subs / "right.ipynb", template, RIGHT, "s1")
    submit(subs / "wrong.ipynb", template, WRONG, "s2")
    submit(subs / "blank.ipynb", template, {}, "s3")
    submit(subs / "partial.ipynb", template, PARTIAL, "s4")
    result = grade([subs], tmp_path / "out", sample)
    rows = rows_by_file(result)
    assert {n: (r["status"], r["score"], r["max_score"]) for n, r in rows.items()} == {
        "right.ipynb": ("graded", "8", "8"),
        "wrong.ipynb": ("graded", "0", "8"),
        "blank.ipynb": ("graded", "0", "8"),
        "partial.ipynb": ("graded", "6", "8"),
    }
    ids = [q.id for q in sample.questions]
    assert [rows["partial.ipynb"][q] for q in ids] == PARTIAL_CREDITS
    header = (tmp_path / "out" / "gradebook.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == ",".join(grading.FIXED_COLUMNS + ids)
    fb = tmp_path / "out" / "feedback"
    assert sorted(p.name for p in fb.iterdir()) == sorted(
        f"s{i}-sample.{ext}" for i in range(1, 5) for ext in ("html", "md")
    )
    page = (fb / "s2-sample.html").read_text(encoding="utf-8")
    assert "SAMPLE-EXPLAIN-ONE-MONTH" in page and "Confuses the launch" in page
    assert "祖望等人仅花了1个月时间" in page and "b) About one month" in page
    assert "Reads the digits of 310" in (fb / "s2-sample.md").read_text(encoding="utf-8")


def test_solutions_and_shuffled_roster_copies_grade_full(tmp_path: Path, sample: bank.Bank) -> None:
    from casebook import edition

    notebooks.write_solutions([sample], tmp_path / "sol", edition.by_id())
    roster = [("1001", "Ann"), ("1002", "Bo"), ("1003", "Cy")]
    copies = notebooks.release([sample], tmp_path / "ros", roster=roster)
    for path in copies:  # answer by key on every shuffled copy
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["metadata"].get("casebook", {}).get("role") == "answer":
                var = cell["source"].split(" = ")[0]
                cell["source"] = f"{var} = {RIGHT[var]}"
        path.write_text(json.dumps(nb), encoding="utf-8")
    result = grade([tmp_path / "sol", tmp_path / "ros"], tmp_path / "out", sample)
    assert [(r["student"], r["score"]) for r in result.rows] == [
        ("1001", "8"),
        ("1002", "8"),
        ("1003", "8"),
        ("solutions", "8"),
    ]


def test_grading_twice_is_byte_identical(tmp_path: Path, sample: bank.Bank, template: dict) -> None:
    submit(tmp_path / "subs" / "a.ipynb", template, PARTIAL, "s1")
    submit(tmp_path / "subs" / "b.ipynb", template, WRONG, "s2")
    (tmp_path / "subs" / "c.ipynb").write_text("{", encoding="utf-8")
    out = tmp_path / "out"
    grade([tmp_path / "subs"], out, sample)
    names = [
        "gradebook.csv",
        "notes.csv",
        "items.csv",
        "summary.json",
        "feedback/s1-sample.html",
        "feedback/s2-sample.md",
    ]
    first = {n: (out / n).read_bytes() for n in names}
    grade([tmp_path / "subs"], out, sample)
    assert {n: (out / n).read_bytes() for n in names} == first
    assert not list(out.rglob("*.tmp"))


def _v3(nb: dict) -> dict:
    return demo._to_v3(nb)


def test_bad_input_never_stops_the_batch(tmp_path: Path, sample: bank.Bank, template: dict) -> None:
    subs = tmp_path / "subs"
    good = submit(subs / "good.ipynb", template, RIGHT, "s1")
    text = good.read_text(encoding="utf-8")
    (subs / "truncated.ipynb").write_text(text[: len(text) // 2], encoding="utf-8")
    (subs / "empty.ipynb").write_text("", encoding="utf-8")
    (subs / "binary.ipynb").write_bytes(os.urandom(2000))
    (subs / "list.ipynb").write_text("[1, 2]", encoding="utf-8")
    (subs / "dict.ipynb").write_text('{"a": 1}', encoding="utf-8")
    (subs / "huge.ipynb").write_bytes(b" " * (submission.MAX_BYTES + 1))
    nb = json.loads(text)
    nb["metadata"]["casebook"]["quiz"] = "elsewhere"
    (subs / "other-quiz.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    v3 = submit(subs / "tmp.ipynb", template, PARTIAL, "s3")
    (subs / "v3.ipynb").write_text(json.dumps(_v3(json.loads(v3.read_text()))), encoding="utf-8")
    v3.unlink()
    no_ids = submit(subs / "noids.ipynb", template, RIGHT, "s4")
    (subs / "noids.ipynb").write_text(
        json.dumps(demo._strip_ids(json.loads(no_ids.read_text()))), encoding="utf-8"
    )
    lost = submit(subs / "lost.ipynb", template, RIGHT, "s5")
    (subs / "lost.ipynb").write_text(
        json.dumps(demo._lose_metadata(json.loads(lost.read_text()))), encoding="utf-8"
    )
    submit(
        subs / "code.ipynb",
        template,
        RIGHT
        | {
            "q01": "1+1",
            "q02": "open('pwned.txt', 'w').write('x')",
            "q03": "__import__('os')",
            "q07": '"中台"\nimport os',
        },
        "s6",
    )
    submit(subs / "longstr.ipynb", template, RIGHT | {"q07": '"' + "中" * 1_000_000 + '"'}, "s7")
    submit(subs / "deep.ipynb", template, RIGHT | {"q02": "[" * 5000 + "]" * 5000}, "s8")
    (subs / ".ipynb_checkpoints").mkdir()
    submit(subs / ".ipynb_checkpoints" / "good-checkpoint.ipynb", template, RIGHT, "s1")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = grade([subs], tmp_path / "out", sample)
    finally:
        os.chdir(cwd)
    assert not (tmp_path / "pwned.txt").exists() and not (subs / "pwned.txt").exists()
    rows = rows_by_file(result)
    inputs = sorted(p.name for p in subs.glob("*.ipynb"))
    assert sorted(rows) == inputs and len(result.rows) == len(inputs)
    status = {n: r["status"] for n, r in rows.items()}
    assert status == {
        "good.ipynb": "graded",
        "truncated.ipynb": "unreadable JSON",
        "empty.ipynb": "unreadable JSON",
        "binary.ipynb": "unreadable JSON",
        "list.ipynb": "not a notebook",
        "dict.ipynb": "not a notebook",
        "huge.ipynb": "too large",
        "other-quiz.ipynb": "unknown quiz",
        "v3.ipynb": "graded",
        "noids.ipynb": "graded",
        "lost.ipynb": "graded",
        "code.ipynb": "graded",
        "longstr.ipynb": "graded",
        "deep.ipynb": "graded",
    }
    assert rows["v3.ipynb"]["score"] == "6" and rows["v3.ipynb"]["student"] == "s3"
    assert rows["noids.ipynb"]["score"] == rows["lost.ipynb"]["score"] == "8"
    assert [rows["code.ipynb"][q.id] for q in sample.questions] == ["0", "0", "0", "1", "1", "1", "0"]
    assert rows["longstr.ipynb"]["smp-q07"] == "0" and rows["deep.ipynb"]["smp-q02"] == "0"
    notes = (tmp_path / "out" / "notes.csv").read_text(encoding="utf-8")
    assert 'code.ipynb,smp-q01,"not a plain value (binop: computed, not written)"' in notes
    assert 'code.ipynb,smp-q07,"cell contains code, not just a value (line 2: import)"' in notes
    assert "metadata lost" in notes
    assert len((tmp_path / "out" / "feedback" / "s7-sample.html").read_text()) < 100_000


def test_last_assignment_wins_and_duplicate_cells_are_noted(
    tmp_path: Path, sample: bank.Bank, template: dict
) -> None:
    path = submit(tmp_path / "s.ipynb", template, RIGHT | {"q01": '"a"\nq01 = "b"'})
    nb = json.loads(path.read_text())
    cells = nb["cells"]
    q2 = next(i for i, c in enumerate(cells) if c["source"].startswith("q02 ="))
    cells.insert(q2 + 1, {**cells[q2], "id": "dup", "source": 'q02 = ["a"]'})
    path.write_text(json.dumps(nb))
    result = grade([path], tmp_path / "out", sample)
    assert result.rows[0]["smp-q01"] == "1" and result.rows[0]["smp-q02"] == "1"
    assert "2 answer cells for this question; graded the last" in (tmp_path / "out" / "notes.csv").read_text()


def test_duplicate_submission_keeps_the_newest(tmp_path: Path, sample: bank.Bank, template: dict) -> None:
    submit(tmp_path / "subs" / "z-old.ipynb", template, RIGHT, "s1", mtime=1_000)
    submit(tmp_path / "subs" / "a-new.ipynb", template, WRONG, "s1", mtime=2_000)
    result = grade([tmp_path / "subs"], tmp_path / "out", sample)
    rows = rows_by_file(result)
    assert rows["a-new.ipynb"]["status"] == "graded" and rows["a-new.ipynb"]["score"] == "0"
    assert rows["z-old.ipynb"]["status"] == "duplicate submission"
    assert result.counts == {"duplicate submission": 1, "graded": 1}
    assert not result.all_graded


def test_identity_from_folders_and_lms_file_names(
    tmp_path: Path, sample: bank.Bank, template: dict, monkeypatch
) -> None:
    nb = json.loads(json.dumps(template))
    text = json.dumps(nb)
    files = {
        "submitted/alice/sample/sample.ipynb": ("alice", ""),
        "canvas/smith_12345_67890_sample.ipynb": ("12345", "smith"),
        "canvas/jones_LATE_222_333_quiz-1.ipynb": ("222", "jones"),
        "moodle/Jane Doe_4711_assignsubmission_file_sample.ipynb": ("4711", "Jane Doe"),
        "moodle/Li Lei_99_assignsubmission_file_/sample.ipynb": ("99", "Li Lei"),
        "plain/mystery.ipynb": ("plain/mystery", ""),
        "other/mystery.ipynb": ("other/mystery", ""),
    }
    for rel in files:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = grade(["submitted", "canvas", "moodle", "plain", "other"], tmp_path / "out", sample)
    got = {r["submission"]: (r["student"], r["name"]) for r in result.rows}
    assert got == files
    assert {r["status"] for r in result.rows} == {"graded"}


def test_file_name_wins_over_identity_cell_and_the_claim_is_reported(
    tmp_path: Path, sample: bank.Bank, template: dict
) -> None:
    path = submit(tmp_path / "smith_12345_67890_q.ipynb", template, RIGHT, "s42", "Zoe")
    result = grade([path], tmp_path / "out", sample)
    (row,) = result.rows
    assert (row["student"], row["name"], row["status"]) == ("12345", "smith", "graded")
    assert row["identity"] == "file name; the notebook says s42" and result.mismatched == 1
    assert "the identity cell says student_id 's42'" in (tmp_path / "out" / "notes.csv").read_text()


def test_a_student_cannot_grade_as_another_nbgrader(
    tmp_path: Path, sample: bank.Bank, template: dict
) -> None:
    """Review S1 (MAL-imp-nbgrader): mallory's notebook claims alice, and is newer."""
    subs = tmp_path / "submitted"
    submit(subs / "alice" / "sample" / "sample.ipynb", template, RIGHT, "alice", "Alice", mtime=1_000)
    submit(subs / "mallory" / "sample" / "sample.ipynb", template, WRONG, "alice", "Alice", mtime=2_000)
    result = grade([subs], tmp_path / "out", sample)
    got = {r["student"]: (r["status"], r["score"], r["identity"]) for r in result.rows}
    assert got == {
        "alice": ("graded", "8", "folder"),
        "mallory": ("graded", "0", "folder; the notebook says alice"),
    }
    assert result.mismatched == 1 and result.counts == {"graded": 2}
    page = (tmp_path / "out" / "feedback" / "alice-sample.md").read_text(encoding="utf-8")
    assert "Score: 8 / 8" in page  # alice's own answers, not mallory's


def test_a_student_cannot_grade_as_another_canvas(tmp_path: Path, sample: bank.Bank, template: dict) -> None:
    """Review S1 (MAL-imp-canvas): a newer Canvas file of mallory claims alice's id 12345."""
    subs = tmp_path / "canvas"
    submit(subs / "alice_12345_67890_sample.ipynb", template, RIGHT, "12345", mtime=1_000)
    submit(subs / "mallory_99999_11111_sample.ipynb", template, WRONG, "12345", mtime=2_000)
    result = grade([subs], tmp_path / "out", sample)
    got = {r["student"]: (r["status"], r["score"]) for r in result.rows}
    assert got == {"12345": ("graded", "8"), "99999": ("graded", "0")}


def test_duplicates_follow_the_stated_rule(tmp_path: Path, sample: bank.Bank, template: dict) -> None:
    """Latest Canvas attempt over newest file; a trusted file over one that only claims the id;
    every file stays in the gradebook with its status."""
    subs = tmp_path / "subs"
    # a later Canvas attachment id counts even when its file is older on disk
    submit(subs / "ann_7_200_sample.ipynb", template, RIGHT, "7", mtime=1_000)
    submit(subs / "ann_7_100_sample.ipynb", template, WRONG, "7", mtime=5_000)
    # a loose file whose cell claims 7 is newest of all, yet only claims the identity
    submit(subs / "loose.ipynb", template, WRONG, "7", mtime=9_000)
    result = grade([subs], tmp_path / "out", sample)
    rows = rows_by_file(result)
    assert {n: r["status"] for n, r in rows.items()} == {
        "ann_7_200_sample.ipynb": "graded",
        "ann_7_100_sample.ipynb": "duplicate submission",
        "loose.ipynb": "duplicate submission",
    }
    assert rows["ann_7_200_sample.ipynb"]["score"] == "8"
    assert rows["loose.ipynb"]["score"] == "" and rows["loose.ipynb"]["identity"] == "identity cell"
    notes = (tmp_path / "out" / "notes.csv").read_text()
    assert "superseded by" in notes and "newest of 3 submissions" in notes
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["quizzes"]["sample"]["graded"] == 1  # the superseded are out of the analysis
    assert summary["quizzes"]["sample"]["mean"] == 8.0


def test_quiz_comes_from_metadata_then_option_then_single_bank(
    tmp_path: Path, sample: bank.Bank, template: dict
) -> None:
    path = submit(tmp_path / "s.ipynb", template, RIGHT)
    nb = json.loads(path.read_text())
    del nb["metadata"]["casebook"]
    path.write_text(json.dumps(nb))
    assert grade([path], tmp_path / "a", sample).rows[0]["score"] == "8"
    assert grade([path], tmp_path / "b", sample, quiz="sample").rows[0]["score"] == "8"


def test_feedback_escapes_student_text_and_no_reveal_hides_answers(
    tmp_path: Path, sample: bank.Bank, template: dict
) -> None:
    evil = "<script>alert(1)</script>"
    path = submit(tmp_path / "s.ipynb", template, WRONG | {"q07": json.dumps(evil)}, "s1", evil)
    grade([path], tmp_path / "out", sample, reveal=False)
    page = (tmp_path / "out" / "feedback" / "s1-sample.html").read_text(encoding="utf-8")
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "SAMPLE-EXPLAIN" not in page and "About one month" not in page
    assert "祖望等人仅花了1个月时间" in page  # the passage to reread stays
    md = (tmp_path / "out" / "feedback" / "s1-sample.md").read_text(encoding="utf-8")
    assert "SAMPLE-EXPLAIN" not in md and "<script>" not in md.split("```")[0]


def test_written_answers_are_kept_pending(tmp_path: Path, sample: bank.Bank) -> None:
    data = bank.Bank.model_validate(
        {
            **json.loads(sample.model_dump_json()),
            "questions": [json.loads(q.model_dump_json(exclude_none=True)) for q in sample.questions]
            + [
                {
                    "id": "smp-w01",
                    "type": "written",
                    "prompt": "Argue.",
                    "points": 3,
                    "word_limit": 50,
                    "rubric": [
                        {
                            "criterion": "evidence",
                            "description": "cites",
                            "levels": [{"points": 3, "label": "ok", "description": "d"}],
                        }
                    ],
                    "evidence": [{"para": "P045", "quote": "祖望等人仅花了1个月时间"}],
                    "objective": "sample-o1",
                    "bloom": "evaluate",
                }
            ],
        }
    )
    nb = json.loads(notebooks.dumps(notebooks.student(data)))
    (cell,) = [c for c in nb["cells"] if c["metadata"].get("casebook", {}).get("kind") == "written"]
    assert cell["cell_type"] == "markdown" and cell["source"].endswith("*Write your answer here.*")
    cell["source"] = cell["source"].replace("*Write your answer here.*", "Small teams\nmove fast. 中台")
    path = submit(tmp_path / "s.ipynb", nb, RIGHT)
    result = grading.grade_paths([path], tmp_path / "out", banks=[data], jobs=1)
    row = result.rows[0]
    assert (row["score"], row["max_score"], row["smp-w01"]) == ("8", "8", "pending")
    assert (row["pending_points"], row["total"], row["total_max"]) == ("3", "8", "11")
    assert (result.pending, result.pending_points) == (1, 3)
    store = json.loads((tmp_path / "out" / "written.json").read_text(encoding="utf-8"))
    (kept,) = store["submissions"]
    assert kept["shown"][7] == "Small teams\nmove fast. 中台" and kept["outcomes"][7] == "manual"
    assert written.words(kept["shown"][7]) == 6 and kept["answer_ids"]["smp-w01"]
    assert store["quizzes"]["sample"]["written"][0]["rubric"][0]["max"] == 3
    # The same question answered in the earlier form, a code cell with a triple-quoted string.
    old = json.loads(json.dumps(nb))
    old["cells"][old["cells"].index(cell)] = {
        **cell,
        "cell_type": "code",
        "outputs": [],
        "execution_count": None,
        "source": 'q08 = """Small teams."""',
    }
    path = submit(tmp_path / "old.ipynb", old, RIGHT)
    (row,) = grading.grade_paths([path], tmp_path / "old", banks=[data], jobs=1).rows
    assert row["smp-w01"] == "pending"


SOURCES = st.sampled_from(
    [
        '"b"',
        '"a"',
        "[]",
        '["a", "c"]',
        "None",
        "True",
        "3",
        "3.7",
        '{"a": "x"}',
        '""',
        "1+1",
        "open('x', 'w')",
        "[",
        '"中台"',
        "x",
        "-1",
        '("a",)',
        "{1, 2}",
        "'\\x00'",
        "1e400",
        "b''",
    ]
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(sorted(RIGHT)), SOURCES))
def test_any_answers_score_within_range_and_add_up(
    tmp_path_factory, sample: bank.Bank, template: dict, answers: dict
) -> None:
    tmp = tmp_path_factory.mktemp("prop")
    path = submit(tmp / "s.ipynb", template, answers)
    (row,) = grade([path], tmp / "out", sample, analyse=False).rows
    credits = [float(row[q.id]) for q in sample.questions]
    assert all(0 <= c <= q.points for c, q in zip(credits, sample.questions, strict=True))
    assert float(row["score"]) == pytest.approx(sum(credits), abs=1e-3)
    assert 0 <= float(row["score"]) <= 8


MUTATIONS = st.sampled_from(
    ["truncate", "drop_cells", "shuffle", "dup", "garbage_meta", "v3", "noids", "wrong_types", "bytes"]
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(MUTATIONS, st.integers(0, 10_000)), min_size=1, max_size=6))
def test_malformed_notebooks_are_all_accounted_for(
    tmp_path_factory, sample: bank.Bank, template: dict, plan: list
) -> None:
    tmp = tmp_path_factory.mktemp("bad")
    for i, (kind, n) in enumerate(plan):
        nb = json.loads(json.dumps(template))
        cells = nb["cells"]
        if kind == "drop_cells":
            del cells[n % len(cells) :]
        elif kind == "shuffle":
            cells.reverse()
        elif kind == "dup":
            cells.extend(cells)
        elif kind == "garbage_meta":
            for c in cells:
                c["metadata"] = [n]
            nb["metadata"] = "x"
        elif kind == "v3":
            nb = demo._to_v3(nb)
        elif kind == "noids":
            nb = demo._strip_ids(nb)
        elif kind == "wrong_types":
            for c in cells:
                c["source"] = n
        text = json.dumps(nb)
        if kind == "truncate":
            text = text[: n % len(text)]
        path = tmp / f"{i}.ipynb"
        if kind == "bytes":
            path.write_bytes(n.to_bytes(4, "big") * 3)
        else:
            path.write_text(text, encoding="utf-8")
    result = grade([tmp], tmp / "out", sample, analyse=False)
    assert sorted(Path(r["submission"]).name for r in result.rows) == sorted(
        f"{i}.ipynb" for i in range(len(plan))
    )
    status = {Path(r["submission"]).stem: r["status"] for r in result.rows}
    known = {
        submission.GRADED,
        submission.UNREADABLE,
        submission.NOT_NOTEBOOK,
        submission.NO_ANSWERS,
        submission.DUPLICATE,
    }
    assert set(status.values()) <= known, status
    # Four bytes repeated may even decode (as UTF-32) to a JSON number: not a notebook then.
    sure = {
        "bytes": {submission.UNREADABLE, submission.NOT_NOTEBOOK},
        "truncate": {submission.UNREADABLE},
        "shuffle": {submission.GRADED},
        "dup": {submission.GRADED},
        "v3": {submission.GRADED},
        "noids": {submission.GRADED},
    }
    for i, (kind, _) in enumerate(plan):
        if kind in sure:
            assert status[str(i)] in sure[kind], (kind, status[str(i)])


@pytest.mark.slow  # a pool of worker processes
def test_parallel_grading_matches_serial(tmp_path: Path, sample: bank.Bank) -> None:
    folder = demo.make_class(
        tmp_path / "class", students=grading.IN_PROCESS_BELOW + 10, seed=3, banks=[sample]
    )
    one = grading.grade_paths([folder], tmp_path / "one", banks=[sample], jobs=1, plots=False)
    two = grading.grade_paths([folder], tmp_path / "two", banks=[sample], jobs=2, plots=False)
    assert (tmp_path / "one" / "gradebook.csv").read_bytes() == (
        tmp_path / "two" / "gradebook.csv"
    ).read_bytes()
    assert len(one.feedback) == len(two.feedback) == one.counts["graded"]
    assert set(one.counts) == {
        "graded",
        "duplicate submission",
        "no answers found",
        "not a notebook",
        "unknown quiz",
        "unreadable JSON",
    }
    again = demo.make_class(tmp_path / "again", students=20, seed=3, banks=[sample])
    first = demo.make_class(tmp_path / "first", students=20, seed=3, banks=[sample])
    assert [p.read_bytes() for p in sorted(again.rglob("*.ipynb"))] == [
        p.read_bytes() for p in sorted(first.rglob("*.ipynb"))
    ]


# --- the command line ----------------------------------------------------------------------------


@pytest.fixture
def isolated(tmp_path: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project root with the edition and no banks, so chapter banks in progress don't matter."""
    project = tmp_path / "project"
    (project / "exercises").mkdir(parents=True)
    shutil.copytree(root / "edition", project / "edition")
    monkeypatch.setenv("CASEBOOK_ROOT", str(project))
    monkeypatch.chdir(tmp_path)
    return project


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_release_grade_strict(isolated: Path, capsys, template: dict) -> None:
    code, out, _ = run_cli(["release", "--out", "rel", "--bank", str(SAMPLE)], capsys)
    assert code == 0 and Path("rel/sample.ipynb").exists()
    submit(Path("subs/a.ipynb"), template, RIGHT)
    code, out, _ = run_cli(["grade", "subs", "--out", "g", "--bank", str(SAMPLE), "--strict"], capsys)
    assert code == 0 and "1 graded" in out
    Path("subs/b.ipynb").write_text("nope", encoding="utf-8")
    code, _, err = run_cli(
        ["grade", "subs", "--out", "g", "--bank", str(SAMPLE), "--strict", "--jobs", "1"], capsys
    )
    assert code == 1
    code, _, _ = run_cli(["grade", "subs", "--out", "g", "--bank", str(SAMPLE)], capsys)
    assert code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["grade", "missing", "--out", "g", "--bank", str(SAMPLE)], "missing: no such file or folder"),
        (["grade", "--out", "g", "--bank", str(SAMPLE)], "nothing to grade"),
        (["grade", ".", "--out", "g"], "no question banks"),
        (["release", "--out", "r", "--bank", str(SAMPLE), "--roster", "none.csv"], "no such roster file"),
        (["release", "--out", "r", "--bank", str(SAMPLE), "--quiz", "nope"], "no quiz 'nope'"),
        (["solutions", "--out", "r", "--bank", "nope.yml"], "nope.yml: no such bank file"),
    ],
)
def test_cli_usage_errors_are_one_line(isolated: Path, capsys, args: list[str], message: str) -> None:
    code, _, err = run_cli(args, capsys)
    assert code == 2
    assert err.count("\n") == 1 and message in err, err


def test_cli_demo_is_deterministic(isolated: Path, capsys) -> None:
    for out in ("d1", "d2"):
        code, text, _ = run_cli(
            ["demo", "--students", "12", "--out", out, "--seed", "5", "--bank", str(SAMPLE)], capsys
        )
        assert code == 0 and "demo class of 12" in text
    assert Path("d1/graded/gradebook.csv").read_text().replace("d1/", "") == Path(
        "d2/graded/gradebook.csv"
    ).read_text().replace("d2/", "")
    assert len(list(Path("d1/graded/plots").glob("*.png"))) == 3


@pytest.mark.slow  # a Jupyter kernel
def test_grading_notebook_runs_clean(root: Path, tmp_path: Path) -> None:
    """exercises/grading.ipynb runs top to bottom on its demo class with nothing on stderr."""
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(root / "exercises" / "grading.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute(env={**os.environ, "TMPDIR": str(tmp_path)})  # the demo class goes there
    streams = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in streams if o.get("name") == "stderr" or o.output_type == "error"]
    images = [o for o in streams if "image/png" in o.get("data", {})]
    assert len(images) >= 3


@pytest.mark.slow  # a subprocess
def test_cli_module_runs_as_script(root: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "casebook", "grade", "--help"],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=60,
    )
    assert run.returncode == 0 and "--no-reveal" in run.stdout


LINES = st.lists(
    st.one_of(
        st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,3}", fullmatch=True).map(lambda n: f"{n} = "),
        st.sampled_from(["", " ", "#c", "  # x", "\t", "q01=", "q01 =  "]),
    )
    .flatmap(
        lambda head: st.tuples(
            st.just(head),
            st.sampled_from(
                [
                    '"b"',
                    "'b'",
                    '"中 台"',
                    '"a\\"b"',
                    "'it''s'",
                    '"x" # c',
                    '"x";',
                    '""',
                    "''",
                    'r"x"',
                    '"\\x41"',
                    '"a" "b"',
                    "1",
                    "",
                    '"\u2028"',
                    '"\x0c"',
                ]
            ),
        )
    )
    .map("".join),
    max_size=4,
)


@given(LINES.map("\n".join))
def test_fast_path_agrees_with_the_parser(source: str) -> None:
    """The regex shortcut for `name = "text"` lines must mean exactly what ast would read."""
    fast = submission._simple(source)
    if fast is None:
        return
    assert fast == submission.parse(source)


def test_a_corrected_key_is_used_at_once(tmp_path: Path, sample: bank.Bank, template: dict) -> None:
    """Re-grading in the same session (the notebook) after fixing a key gives the new credits."""
    path = submit(tmp_path / "s.ipynb", template, {"q01": '"a"'})
    assert grade([path], tmp_path / "one", sample).rows[0]["smp-q01"] == "0"
    fixed = sample.model_copy(
        update={"questions": [sample.questions[0].model_copy(update={"answer": "a"}), *sample.questions[1:]]}
    )
    assert grade([path], tmp_path / "two", fixed).rows[0]["smp-q01"] == "1"


def test_feedback_is_html_unless_markdown_is_asked_for(tmp_path: Path, sample: bank.Bank) -> None:
    path = tmp_path / "s1" / "sample.ipynb"
    path.parent.mkdir()
    nbformat.write(notebooks.student(sample), str(path))
    grading.grade_paths([path], tmp_path / "out", banks=[sample], jobs=1, plots=False)
    feedback = tmp_path / "out" / "feedback"
    assert {p.suffix for p in feedback.iterdir()} == {".html"}
    grading.grade_paths([path], tmp_path / "out", banks=[sample], jobs=1, plots=False, feedback=("md",))
    assert {p.suffix for p in feedback.iterdir()} == {".md"}, "pages of a format not asked for stay"
    with pytest.raises(grading.CasebookError, match="feedback format .pdf."):
        grading.grade_paths([path], tmp_path / "out", banks=[sample], jobs=1, feedback=("pdf",))


def test_grade_quiz_option_grades_that_quiz_only(tmp_path: Path, root: Path) -> None:
    """`grade --quiz bottom-up` over the three chapters' solutions: the others are skipped."""
    assert cli.main(["solutions", "--out", str(tmp_path / "S")]) == 0
    banks = [bank.load(p) for p in bank.discover(root)]
    assert len(banks) >= 2, "needs banks of several quizzes"
    chosen = banks[0].quiz
    result = grading.grade_paths([tmp_path / "S"], tmp_path / "G", quiz=chosen, jobs=1, plots=False)
    statuses = {r["quiz"]: r["status"] for r in result.rows}
    assert statuses == {b.quiz: "graded" if b.quiz == chosen else submission.OTHER_QUIZ for b in banks}
    own = [q.id for q in banks[0].questions]
    assert (
        result.columns[len(grading.FIXED_COLUMNS) :]
        == (written.COLUMNS if any(q.manual for q in banks[0].questions) else []) + own
    )
    graded = [r for r in result.rows if r["status"] == "graded"]
    assert [r["score"] for r in graded] == [r["max_score"] for r in graded]
    assert all(r["score"] == "" for r in result.rows if r["quiz"] != chosen)
    assert len(result.feedback) == 1 and result.feedback[0].name.endswith(f"-{chosen}.html")
    if result.written:
        assert list(written.load_store(tmp_path / "G")["quizzes"]) == [chosen]
    assert result.all_graded  # skipped on purpose, so --strict still exits 0
    everything = grading.grade_paths([tmp_path / "S"], tmp_path / "all", jobs=1, plots=False)
    assert {r["status"] for r in everything.rows} == {"graded"}
    assert len(everything.rows) == len(banks)


@pytest.mark.parametrize(
    ("fmt", "status"),
    [
        (None, "graded"),  # released before the format was written: still grades
        (1, "graded"),
        (99, submission.NEWER_FORMAT),
        ("1", submission.NEWER_FORMAT),
    ],
)
def test_the_notebook_format_is_read_back(
    tmp_path: Path, sample: bank.Bank, template: dict, fmt: object, status: str
) -> None:
    path = submit(tmp_path / "s.ipynb", template, RIGHT)
    nb = json.loads(path.read_text())
    assert nb["metadata"]["casebook"]["format"] == layout.FORMAT  # written into every notebook
    if fmt is None:
        del nb["metadata"]["casebook"]["format"]
    else:
        nb["metadata"]["casebook"]["format"] = fmt
    path.write_text(json.dumps(nb))
    result = grade([path], tmp_path / "out", sample, analyse=False)
    (row,) = result.rows
    assert row["status"] == status
    assert (row["score"] == "8") == (status == "graded")
    notes = (tmp_path / "out" / "notes.csv").read_text()
    assert ("newer than this casebook reads" in notes) == (fmt == 99)
