"""Grades for an LMS: the grader's gradebook.csv as a Canvas or Moodle grade-import CSV.

Students are matched by id (case and surrounding spaces ignored) between the
gradebook's ``student`` column and the roster's ``student_id``. The output has
one row per roster student, in roster order:

- a graded submission gives its ``score``: the automatically scored points
  (``--points auto``), or its ``total`` with the hand scores merged so far
  (``--points total``; a student whose written answers still await review then
  gets an empty grade and is reported, never a total that looks final);
- no graded submission gives an empty grade, never 0: an empty cell leaves the
  LMS grade as it is, and the student is reported (no submission, or the file
  could not be graded and why);
- a gradebook row whose student is not in the roster is reported, one line each,
  and not exported (an LMS import would stop on it or drop it silently).

Canvas: ``Student, ID, SIS User ID, SIS Login ID, Section, <assignment>``, then
the "Points Possible" row, as Canvas's own gradebook export has it; Canvas
matches ID (its user id, from a roster column ``canvas_id``), else SIS User ID
(the student id), else SIS Login ID. Moodle: ``ID number`` (map it to the
user field "ID number" on import), ``Email address`` when the roster has
emails, ``Full name``, then the grade column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from casebook import fileio, roster
from casebook.errors import CasebookError
from casebook.grading.submission import GRADED
from casebook.roster import Student, key
from casebook.roster import read_csv as _read_csv

NEEDED = ("student", "quiz", "status", "score", "max_score")
ROSTER_OPTIONAL = roster.OPTIONAL
FORMATS = ("canvas", "moodle")
POINTS = {"auto": ("score", "max_score"), "total": ("total", "total_max")}


@dataclass
class Grades:
    """The matched grades, and every line the instructor should read before importing."""

    quiz: str
    points: str
    students: list[Student]
    scores: dict[str, str]  # student key -> score, for students with one graded submission
    problems: list[str] = field(default_factory=list)
    not_in_roster: int = 0

    @property
    def blank(self) -> int:
        return sum(1 for s in self.students if key(s.student_id) not in self.scores)


def read_roster(path: Path) -> list[Student]:
    """Columns student_id,name and optionally email, section, sis_login, canvas_id (casebook.roster)."""
    return roster.read(path)


def read_gradebook(path: Path, points: str = "auto") -> list[dict[str, str]]:
    header, rows = _read_csv(path, "gradebook")
    missing = [c for c in NEEDED if c not in header]
    if missing:
        raise CasebookError(f"{path}: not a casebook gradebook (no column {', '.join(missing)})")
    if points == "total" and not {"total", "total_max", "pending_points"} <= set(header):
        raise CasebookError(f"{path}: no total column (its quizzes have no written questions): "
                            "use --points auto")
    return rows


def _choose_quiz(rows: list[dict[str, str]], quiz: str | None, path: Path) -> str:
    graded = sorted({r["quiz"] for r in rows if r["status"] == GRADED and r["quiz"]})
    if quiz is not None:
        if quiz not in graded:
            raise CasebookError(f"{path}: no graded submission of quiz {quiz!r} (graded quizzes: "
                                f"{', '.join(graded) or 'none'})")
        return quiz
    if not graded:
        raise CasebookError(f"{path}: no graded submission to export")
    if len(graded) > 1:
        raise CasebookError(f"{path}: gradebook has quizzes {', '.join(graded)}: choose one with --quiz")
    return graded[0]


def match(rows: list[dict[str, str]], students: list[Student], quiz: str, points: str = "auto") -> Grades:
    """Scores by roster student, and a line for every student or row that needs a look."""
    value, most = POINTS[points]
    roster = {key(s.student_id): s for s in students}
    assignments = {r["quiz"] for r in rows if r["status"] == GRADED and r["quiz"]}
    graded: dict[str, list[dict[str, str]]] = {}
    other: dict[str, list[dict[str, str]]] = {}
    left_out: dict[str, int] = {}
    possible = ""
    problems: list[str] = []
    outside = 0
    for row in rows:
        if row["quiz"] in assignments and row["quiz"] != quiz:
            left_out[row["quiz"]] = left_out.get(row["quiz"], 0) + 1
            continue  # another assignment
        # This quiz, or a file whose quiz could not be told (it may be this one).
        where = f"{row.get('submission') or 'no file'}, {row['status']}"
        if not row["student"]:
            outside += 1
            problems.append(f"no student id ({where}): not exported")
            continue
        who = key(row["student"])
        if who not in roster:
            outside += 1
            problems.append(f"not in the roster: student {row['student']!r} ({where}): not exported")
        elif row["status"] == GRADED:
            possible = possible or row.get(most, "")
            graded.setdefault(who, []).append(row)
        else:
            other.setdefault(who, []).append(row)
    scores: dict[str, str] = {}
    for s in students:
        who, label = key(s.student_id), f"{s.student_id} ({s.name})" if s.name else s.student_id
        found = graded.get(who, [])
        pending = found[0].get("pending_points", "") if len(found) == 1 else ""
        if len(found) == 1 and points == "total" and pending not in ("", "0"):
            problems.append(f"{label}: {pending} written points await review: grade left empty")
        elif len(found) == 1:
            scores[who] = found[0][value]
        elif found:
            files = ", ".join(r.get("submission", "") for r in found)
            problems.append(f"{label}: {len(found)} graded submissions ({files}): grade left empty, "
                            "decide by hand")
        elif who in other:
            why = "; ".join(f"{r['status']}: {r.get('submission', '')}" for r in other[who])
            problems.append(f"{label}: not graded ({why}): grade left empty")
        else:
            problems.append(f"{label}: no submission under this id: grade left empty")
    if left_out:
        problems.append("rows of other quizzes left out: " + ", ".join(
            f"{name} ({count})" for name, count in sorted(left_out.items())))
    return Grades(quiz, possible, students, scores, problems, outside)


def canvas_csv(grades: Grades, assignment: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment])
    writer.writerow(["    Points Possible", "", "", "", "", grades.points])
    for s in grades.students:
        writer.writerow([s.name, s.canvas_id, s.student_id, s.sis_login, s.section,
                         grades.scores.get(key(s.student_id), "")])
    return buffer.getvalue()


def moodle_csv(grades: Grades, assignment: str) -> str:
    emails = any(s.email for s in grades.students)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["ID number", *(["Email address"] if emails else []), "Full name", assignment])
    for s in grades.students:
        writer.writerow([s.student_id, *([s.email] if emails else []), s.name,
                         grades.scores.get(key(s.student_id), "")])
    return buffer.getvalue()


def export(gradebook: Path, roster: Path, fmt: str, out: Path, *, assignment: str | None = None,
           quiz: str | None = None, points: str = "auto") -> Grades:
    """Read, match and write the LMS file; the returned Grades carries the lines to report."""
    if fmt not in FORMATS:
        raise CasebookError(f"unknown grade format {fmt!r} (one of: {', '.join(FORMATS)})")
    if points not in POINTS:
        raise CasebookError(f"unknown points {points!r} (one of: {', '.join(POINTS)})")
    rows = read_gradebook(Path(gradebook), points)
    students = read_roster(Path(roster))
    chosen = _choose_quiz(rows, quiz, Path(gradebook))
    grades = match(rows, students, chosen, points)
    name = (assignment or chosen).strip() or chosen
    text = canvas_csv(grades, name) if fmt == "canvas" else moodle_csv(grades, name)
    fileio.write_text(Path(out), text)
    return grades
