"""Grades for LMS import: gradebook.csv + roster → Canvas or Moodle CSV, matched by student id."""

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
    roster = write(tmp_path / "roster.csv",
                   "student_id,name,email,section,sis_login\n"
                   "s1,Ann Li,ann@uni.edu,A,ann\n"
                   "s2,Bo Wu,bo@uni.edu,A,bo\n"
                   "s3,Cy Ng,cy@uni.edu,B,cy\n"
                   "s4,Di Xu,di@uni.edu,B,di\n")
    return book, roster


def read(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_canvas_csv_has_points_possible_and_one_row_per_roster_student(files, tmp_path: Path) -> None:
    book, roster = files
    out = tmp_path / "canvas.csv"
    grades = lms_grades.export(book, roster, "canvas", out, assignment="Quiz 1 (bottom-up)", quiz="quiz")
    assert read(out) == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Quiz 1 (bottom-up)"],
        ["    Points Possible", "", "", "", "", "10"],
        ["Ann Li", "", "s1", "ann", "A", "7.5"],
        ["Bo Wu", "", "s2", "bo", "A", "0"],  # a real 0 stays 0
        ["Cy Ng", "", "s3", "cy", "B", ""],  # unreadable file: empty, never 0
        ["Di Xu", "", "s4", "di", "B", ""],  # no submission: empty
    ]
    assert grades.blank == 2 and grades.not_in_roster == 2
    text = "\n".join(grades.problems)
    assert "s3 (Cy Ng): not graded (unreadable JSON: subs/s3/quiz.ipynb)" in text
    assert "s4 (Di Xu): no submission under this id" in text
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
        ["s3", "cy@uni.edu", "Cy Ng", ""],
        ["s4", "di@uni.edu", "Di Xu", ""],
    ]


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


@pytest.mark.parametrize(("roster", "gradebook_text", "message"), [
    ("id,name\ns1,A\n", HEADER + ROWS[0], "roster needs columns student_id,name"),
    ("student_id,name\ns1,A\nS1,B\n", HEADER + ROWS[0], "student_id S1 also on line 2"),
    ("student_id,name\n,A\n", HEADER + ROWS[0], "empty student_id"),
    ("student_id,name\n", HEADER + ROWS[0], "roster has no students"),
    ("student_id,name\ns1,A\n", "student,score\ns1,3\n", "not a casebook gradebook"),
    ("student_id,name\ns1,A\n", HEADER + ROWS[0] + "\n" + ROWS[4], "choose one with --quiz"),
    ("student_id,name\ns1,A\n", HEADER + ROWS[3], "no graded submission to export"),
])
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
    assert cli.main(["export-grades", str(book), "--roster", str(roster), "--format", "canvas",
                     "--out", str(out), "--quiz", "quiz", "--assignment", "Quiz 1"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[-1] == (f"canvas grades of quiz (points possible 10) -> {out}: 2 of 4 roster students "
                           "graded, 2 left empty; 2 gradebook row(s) not exported (above)")
    assert len(printed) == 6  # s3, s4, s9, the unidentified file, the other quiz, the summary
    assert read(out)[0][-1] == "Quiz 1"
    assert cli.main(["export-grades", str(tmp_path / "none.csv"), "--roster", str(roster), "--format",
                     "moodle", "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip().endswith("no such gradebook file")


def test_a_graded_demo_class_exports_every_roster_student(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    sample = bank_mod.load(Path(__file__).parent / "data" / "sample.yml", root)
    result = demo.run(tmp_path / "demo", students=30, banks=[sample], jobs=1)
    grades = lms_grades.export(result.gradebook, tmp_path / "demo" / "roster.csv", "canvas",
                              tmp_path / "canvas.csv")
    rows = read(tmp_path / "canvas.csv")[2:]
    assert len(rows) == 30
    graded = {r["student"]: r["score"] for r in result.rows if r["status"] == "graded"}
    assert {r[2]: r[5] for r in rows if r[5]} == graded
    reported = "\n".join(grades.problems)
    for sid in {r[2] for r in rows if not r[5]}:
        assert sid in reported


def test_total_points_leave_students_awaiting_review_empty(tmp_path: Path) -> None:
    book = write(tmp_path / "g.csv",
                 "submission,student,name,quiz,status,score,max_score,written_score,pending_points,"
                 "total,total_max\n"
                 "a.ipynb,s1,Ann,quiz,graded,7,10,8,0,15,20\n"
                 "b.ipynb,s2,Bo,quiz,graded,6,10,0,10,6,20\n")
    roster = write(tmp_path / "r.csv", "student_id,name\ns1,Ann\ns2,Bo\n")
    grades = lms_grades.export(book, roster, "canvas", tmp_path / "c.csv", points="total")
    assert read(tmp_path / "c.csv")[1:] == [["    Points Possible", "", "", "", "", "20"],
                                            ["Ann", "", "s1", "", "", "15"], ["Bo", "", "s2", "", "", ""]]
    assert grades.problems == ["s2 (Bo): 10 written points await review: grade left empty"]
    lms_grades.export(book, roster, "canvas", tmp_path / "auto.csv")  # the default: automatic points
    assert [r[5] for r in read(tmp_path / "auto.csv")[1:]] == ["10", "7", "6"]
    plain = write(tmp_path / "p.csv", HEADER + ROWS[0] + "\n")
    with pytest.raises(CasebookError, match="no total column"):
        lms_grades.export(plain, roster, "moodle", tmp_path / "m.csv", points="total")
