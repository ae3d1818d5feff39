"""Grades for LMS import: gradebook.csv + roster → Canvas or Moodle CSV, matched by student id.

What the LMSs' importers do with a file, encoded here (see casebook.lms.grades):
- an empty grade cell clears the grade the LMS holds (Canvas GradebookImporter
  ``no_change_to_value?`` + ``posted_grade: ""``; Moodle grade/import/csv
  ``load_data`` maps '' to a null final grade), so no empty cell is written
  unless asked;
- Moodle aborts the whole import on one ID number it does not know
  (``usermappingerrorusernotfound``) or one grade above the item's maximum
  (``gradevaluetoobig``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from casebook import cli
from casebook.errors import CasebookError
from casebook.grading import demo
from casebook.lms import grades as lms_grades
from casebook.quiz import bank as bank_mod

HEADER = "submission,student,name,quiz,status,score,max_score,q1,q2\n"
ROWS = [
    "subs/s1/quiz.ipynb,s1,Ann Li,quiz,graded,7.5,10,1,0.5",
    "subs/s2/quiz-first-try.ipynb,s2,Bo Wu,quiz,duplicate submission,,10,,",
    "subs/s2/quiz.ipynb,S2 ,Bo Wu,quiz,graded,0,10,0,0",  # id typed with a capital and a space
    "subs/s3/quiz.ipynb,s3,Cy Ng,quiz,unreadable JSON,,10,,",
    "subs/s3/other.ipynb,s3,Cy Ng,other,graded,4,5,,",  # another quiz: not this assignment
    "subs/s9/quiz.ipynb,s9,Zed Stray,quiz,graded,9,10,1,1",  # not in the roster
    "subs/broken.ipynb,,,,not a notebook,,,,",
]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    book = write(tmp_path / "gradebook.csv", HEADER + "\n".join(ROWS) + "\n")
    roster = write(
        tmp_path / "roster.csv",
        "student_id,name,email,section,sis_login\n"
        "s1,Ann Li,ann@uni.edu,A,ann\n"
        "s2,Bo Wu,bo@uni.edu,A,bo\n"
        "s3,Cy Ng,cy@uni.edu,B,cy\n"
        "s4,Di Xu,di@uni.edu,B,di\n",
    )
    return book, roster


def read(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_canvas_csv_has_points_possible_and_a_row_per_graded_student(files, tmp_path: Path) -> None:
    book, roster = files
    out = tmp_path / "canvas.csv"
    grades = lms_grades.export(book, roster, "canvas", out, assignment="Quiz 1 (bottom-up)", quiz="quiz")
    assert read(out) == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Quiz 1 (bottom-up)"],
        ["    Points Possible", "", "", "", "", "10"],
        ["Ann Li", "", "s1", "ann", "A", "7.5"],
        ["Bo Wu", "", "s2", "bo", "A", "0"],  # a real 0 stays 0
    ]  # s3 (unreadable file) and s4 (no submission): no row, so their LMS grade stays as it is
    assert grades.blank == 2 and grades.not_in_roster == 2
    text = "\n".join(grades.problems)
    assert "s3 (Cy Ng): not graded (unreadable JSON: subs/s3/quiz.ipynb): no grade" in text
    assert "s4 (Di Xu): no submission under this id: no grade" in text
    assert "not in the roster: student 's9' (subs/s9/quiz.ipynb, graded): not exported" in text
    assert "no student id (subs/broken.ipynb, not a notebook): not exported" in text
    assert "rows of other quizzes left out: other (1)" in text
    assert "s2" not in text  # the superseded copy of a graded student is not a problem


def test_moodle_csv_maps_by_id_number_and_email(files, tmp_path: Path) -> None:
    book, roster = files
    out = tmp_path / "moodle.csv"
    lms_grades.export(book, roster, "moodle", out, quiz="quiz")
    assert read(out) == [
        ["ID number", "Email address", "Full name", "quiz"],
        ["s1", "ann@uni.edu", "Ann Li", "7.5"],
        ["s2", "bo@uni.edu", "Bo Wu", "0"],
    ]


def test_no_empty_cell_unless_asked(files, tmp_path: Path) -> None:
    """An empty cell clears an LMS grade (both importers), so it is written only on request."""
    book, roster = files
    for fmt in ("canvas", "moodle"):
        out = tmp_path / f"{fmt}.csv"
        lms_grades.export(book, roster, fmt, out, quiz="quiz")
        assert all(row[-1] != "" for row in read(out)), fmt
        grades = lms_grades.export(book, roster, fmt, out, quiz="quiz", clear_missing=True)
        assert [row[-1] for row in read(out)][-2:] == ["", ""]  # s3, s4 written empty, as asked
        assert "2 student(s) without a grade written with an empty cell: importing clears" in "\n".join(
            grades.problems
        )


def test_moodle_without_emails_and_canvas_ids_when_the_roster_has_them(tmp_path: Path) -> None:
    book = write(tmp_path / "g.csv", HEADER + ROWS[0] + "\n")
    roster = write(tmp_path / "r.csv", "\ufeffStudent_ID,Name,canvas_id\ns1,Ann Li,8812\n")  # BOM, caps
    lms_grades.export(book, roster, "moodle", tmp_path / "m.csv")
    assert read(tmp_path / "m.csv") == [["ID number", "Full name", "quiz"], ["s1", "Ann Li", "7.5"]]
    lms_grades.export(book, roster, "canvas", tmp_path / "c.csv")
    assert read(tmp_path / "c.csv")[2] == ["Ann Li", "8812", "s1", "", "", "7.5"]


def test_two_graded_rows_for_one_student_are_left_for_a_person(tmp_path: Path) -> None:
    book = write(tmp_path / "g.csv", HEADER + ROWS[0] + "\n" + ROWS[0].replace("s1/", "s1b/") + "\n")
    roster = write(tmp_path / "r.csv", "student_id,name\ns1,Ann Li\n")
    grades = lms_grades.export(book, roster, "canvas", tmp_path / "c.csv")
    assert grades.scores == {} and "2 graded submissions" in grades.problems[0]


@pytest.mark.parametrize(
    ("roster", "gradebook_text", "message"),
    [
        ("id,name\ns1,A\n", HEADER + ROWS[0], "roster needs columns student_id,name"),
        ("student_id,name\ns1,A\nS1,B\n", HEADER + ROWS[0], "student_id S1 also on line 2"),
        ("student_id,name\n,A\n", HEADER + ROWS[0], "empty student_id"),
        ("student_id,name\n", HEADER + ROWS[0], "roster has no students"),
        ("student_id,name\ns1,A\n", "student,score\ns1,3\n", "not a casebook gradebook"),
        ("student_id,name\ns1,A\n", HEADER + ROWS[0] + "\n" + ROWS[4], "choose one with --quiz"),
        ("student_id,name\ns1,A\n", HEADER + ROWS[3], "no graded submission to export"),
    ],
)
def test_mistakes_are_one_line(tmp_path: Path, roster: str, gradebook_text: str, message: str) -> None:
    book = write(tmp_path / "g.csv", gradebook_text + "\n")
    path = write(tmp_path / "r.csv", roster)
    with pytest.raises(CasebookError, match=message):
        lms_grades.export(book, path, "canvas", tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_unknown_quiz_is_named(files, tmp_path: Path) -> None:
    book, roster = files
    expected = r"no graded submission of quiz 'nope' \(graded quizzes: other, quiz\)"
    with pytest.raises(CasebookError, match=expected):
        lms_grades.export(book, roster, "canvas", tmp_path / "out.csv", quiz="nope")


def test_command(files, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    book, roster = files
    out = tmp_path / "c.csv"
    assert (
        cli.main(
            [
                "export-grades",
                str(book),
                "--roster",
                str(roster),
                "--format",
                "canvas",
                "--out",
                str(out),
                "--quiz",
                "quiz",
                "--assignment",
                "Quiz 1",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out.splitlines()
    assert printed[-1] == (
        f"canvas grades of quiz (points possible 10) -> {out}: 2 row(s) written, 2 of 4 "
        "roster students graded, 2 left out; 2 gradebook row(s) not exported (above)"
    )
    assert len(printed) == 6  # s3, s4, s9, the unidentified file, the other quiz, the summary
    assert read(out)[0][-1] == "Quiz 1"
    assert (
        cli.main(
            [
                "export-grades",
                str(tmp_path / "none.csv"),
                "--roster",
                str(roster),
                "--format",
                "moodle",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert capsys.readouterr().err.strip().endswith("no such gradebook file")


def test_a_graded_demo_class_exports_every_roster_student(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    sample = bank_mod.load(Path(__file__).parent / "data" / "sample.yml", root)
    result = demo.run(tmp_path / "demo", students=30, banks=[sample], jobs=1)
    grades = lms_grades.export(
        result.gradebook, tmp_path / "demo" / "roster.csv", "canvas", tmp_path / "canvas.csv"
    )
    rows = read(tmp_path / "canvas.csv")[2:]
    graded = {r["student"]: r["score"] for r in result.rows if r["status"] == "graded"}
    assert {r[2]: r[5] for r in rows} == graded  # every graded student, nobody else, no empty cell
    assert len(graded) < 30  # the demo class has students without a graded submission ...
    reported = "\n".join(grades.problems)
    roster = [
        line.split(",")[0]
        for line in (tmp_path / "demo" / "roster.csv").read_text(encoding="utf-8").splitlines()[1:]
    ]
    assert len(roster) == 30
    for sid in set(roster) - set(graded):
        assert sid in reported  # ... and each of them is reported


def test_total_points_leave_students_awaiting_review_empty(tmp_path: Path) -> None:
    book = write(
        tmp_path / "g.csv",
        "submission,student,name,quiz,status,score,max_score,written_score,pending_points,"
        "total,total_max\n"
        "a.ipynb,s1,Ann,quiz,graded,7,10,8,0,15,20\n"
        "b.ipynb,s2,Bo,quiz,graded,6,10,0,10,6,20\n",
    )
    roster = write(tmp_path / "r.csv", "student_id,name\ns1,Ann\ns2,Bo\n")
    grades = lms_grades.export(book, roster, "canvas", tmp_path / "c.csv", points="total")
    assert read(tmp_path / "c.csv")[1:] == [
        ["    Points Possible", "", "", "", "", "20"],
        ["Ann", "", "s1", "", "", "15"],
    ]
    assert grades.problems == ["s2 (Bo): 10 written points await review: no grade"]
    auto = lms_grades.export(book, roster, "canvas", tmp_path / "auto.csv")  # the default: automatic points
    # The maximum is the whole quiz (20), as the QTI and Moodle XML quizzes carry it; the report
    # says the automatic grades leave the 10 hand-scored points out.
    assert [r[5] for r in read(tmp_path / "auto.csv")[1:]] == ["20", "7", "6"]
    assert any(
        "the 10 hand-scored points of the 20-point quiz are not in them" in line for line in auto.problems
    )
    plain = write(tmp_path / "p.csv", HEADER + ROWS[0] + "\n")
    with pytest.raises(CasebookError, match="no total column"):
        lms_grades.export(plain, roster, "moodle", tmp_path / "m.csv", points="total")


def test_students_the_lms_does_not_know_are_reported_and_left_out(files, tmp_path: Path) -> None:
    """One unknown ID number aborts a whole Moodle import; given the LMS's class list, such a
    student is left out and reported instead."""
    book, roster = files
    moodle_export = write(
        tmp_path / "moodle-export.csv",
        "First name,Last name,ID number,Institution,Department,Email address\n"
        "Bo,Wu,S2,,,bo@uni.edu\nCy,Ng,s3,,,cy@uni.edu\n",
    )
    grades = lms_grades.export(
        book, roster, "moodle", tmp_path / "m.csv", quiz="quiz", lms_roster=moodle_export
    )
    assert [r[0] for r in read(tmp_path / "m.csv")[1:]] == ["s2"]  # s1 is graded but unknown to Moodle
    assert "s1 (Ann Li): not in the LMS's class list: not written" in "\n".join(grades.problems)
    canvas_export = write(
        tmp_path / "canvas-export.csv",
        "Student,ID,SIS User ID,SIS Login ID,Section,Quiz 1 (4711),Other (9)\n"
        "    Points Possible,,,,,12,5\n"
        "Ann Li,101,x9,ann,A,,\nBo Wu,102,,,A,,\n",
    )
    grades = lms_grades.export(
        book, roster, "canvas", tmp_path / "c.csv", quiz="quiz", assignment="Quiz 1", lms_roster=canvas_export
    )
    rows = read(tmp_path / "c.csv")
    assert rows[0][-1] == "Quiz 1 (4711)"  # Canvas's own header, so it maps to the assignment
    assert [r[2] for r in rows[2:]] == ["s1"]  # Ann by her SIS Login ID; Bo cannot be matched
    text = "\n".join(grades.problems)
    assert "s2 (Bo Wu): not in the LMS's class list" in text
    assert "'Quiz 1 (4711)' is worth 12 points in Canvas but the grades are out of 10" in text
    with pytest.raises(CasebookError, match="not a Canvas gradebook export"):
        lms_grades.export(book, roster, "canvas", tmp_path / "x.csv", quiz="quiz", lms_roster=moodle_export)


def test_grades_above_the_maximum_are_never_written_and_out_of_rescales(tmp_path: Path) -> None:
    book = write(tmp_path / "g.csv", HEADER + ROWS[0] + "\n" + "b.ipynb,s2,Bo,quiz,graded,12,10,1,1\n")
    roster = write(tmp_path / "r.csv", "student_id,name\ns1,Ann\ns2,Bo\n")
    grades = lms_grades.export(book, roster, "moodle", tmp_path / "m.csv")
    assert read(tmp_path / "m.csv")[1:] == [["s1", "Ann", "7.5"]]
    assert "s2: grade 12 is above the maximum 10 (the LMS would reject it): not written" in grades.problems
    lms_grades.export(book, roster, "moodle", tmp_path / "m.csv", out_of=4)
    assert read(tmp_path / "m.csv")[1:] == [["s1", "Ann", "3"]]  # 7.5 of 10 is 3 of 4


def test_column_named_as_the_bank_exports_name_the_quiz(tmp_path: Path) -> None:
    """Canvas matches a column by the assignment's title; the QTI export titles the quiz with the
    bank's title, so the grade column defaults to it (not the quiz id)."""
    from casebook.lms import qti

    root = Path(__file__).resolve().parents[1]
    sample = bank_mod.load(Path(__file__).parent / "data" / "sample.yml", root)
    book = write(tmp_path / "g.csv", HEADER + ROWS[0].replace(",quiz,", ",sample,") + "\n")
    roster = write(tmp_path / "r.csv", "student_id,name\ns1,Ann\n")
    assert (
        cli.main(
            [
                "export-grades",
                str(book),
                "--roster",
                str(roster),
                "--format",
                "canvas",
                "--out",
                str(tmp_path / "c.csv"),
                "--bank",
                str(Path(__file__).parent / "data" / "sample.yml"),
            ]
        )
        == 0
    )
    header = read(tmp_path / "c.csv")[0][-1]
    meta = qti.assessment_meta(sample, "casebook-sample", 1.0).decode("utf-8")
    assert header == sample.title and f"<title>{sample.title}</title>" in meta


def test_grade_cells_are_formula_safe(tmp_path: Path) -> None:
    book = write(tmp_path / "g.csv", HEADER + ROWS[0] + "\n")
    roster = write(tmp_path / "r.csv", 'student_id,name\ns1,=HYPERLINK("x")\n')
    lms_grades.export(book, roster, "moodle", tmp_path / "m.csv")
    assert read(tmp_path / "m.csv")[1] == ["s1", '\'=HYPERLINK("x")', "7.5"]  # the grade stays a number


def test_outputs_are_readable_like_any_file(tmp_path: Path) -> None:
    """mkstemp makes 0600 files; an LMS file on a shared server must be readable like any other."""
    import os
    import stat

    mask = os.umask(0o022)
    os.umask(mask)
    book = write(tmp_path / "g.csv", HEADER + ROWS[0] + "\n")
    roster = write(tmp_path / "r.csv", "student_id,name\ns1,Ann\n")
    lms_grades.export(book, roster, "moodle", tmp_path / "m.csv")
    assert stat.S_IMODE((tmp_path / "m.csv").stat().st_mode) == 0o666 & ~mask


def test_readme_lms_section_names_only_real_options() -> None:
    """Every option the README's LMS section tells an instructor to use exists."""
    import contextlib
    import re

    root = Path(__file__).resolve().parents[1]
    text = (root / "README.md").read_text(encoding="utf-8")
    section = text.split("## LMS exports", 1)[1].split("\n## ", 1)[0]
    flags = set(re.findall(r"(--[a-z][a-z-]+)", section))
    assert {"--clear-missing", "--lms-roster", "--out-of", "--assignment", "--points", "--format"} <= flags
    helps = io.StringIO()
    for command in ("export", "export-grades"):
        with contextlib.redirect_stdout(helps), contextlib.suppress(SystemExit):
            cli.main([command, "--help"])
    for flag in flags:
        assert flag in helps.getvalue(), flag
