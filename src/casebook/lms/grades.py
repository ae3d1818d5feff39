"""Grades for an LMS: the grader's gradebook.csv as a Canvas or Moodle grade-import CSV.

Students are matched by id (case and surrounding spaces ignored) between the
gradebook's ``student`` column and the roster's ``student_id``. What the two
LMSs' importers do decides what is written:

- An empty cell removes a grade the LMS already holds: Canvas's
  ``GradebookImporter`` treats a blank next to an existing score as a change
  and posts ``posted_grade: ""``; Moodle's ``grade/import/csv`` maps ``''``
  to a null final grade, which ``grade_item::update_final_grade`` stores.
  So only students with a grade are written, one row each, in roster order;
  every other roster student is reported (no submission, not graded and why,
  written answers awaiting review) and left out, which leaves their LMS grade
  as it is. ``clear_missing`` writes them with an empty cell, on request only.
- Moodle's import stops as a whole on one row whose ID number matches no user
  (``usermappingerrorusernotfound``) and on one grade above the grade item's
  maximum (``gradevaluetoobig``). Given the LMS's own export of the class
  (``lms_roster``: Canvas's gradebook export, Moodle's grade export), a roster
  student it does not list is reported and left out; a grade above the
  maximum is reported and left out, never written.
- The maximum is the whole quiz, hand-scored questions included: the points
  the QTI quiz and the Moodle XML questions carry (``lms.bank_points``), so the
  three agree. ``--points auto`` grades leave the hand-scored points out, and
  the report says so. ``out_of`` rescales every grade to another maximum (a
  Moodle quiz's default maximum grade is 10).
- The grade column is named as the quiz is titled in the bank exports (the
  QTI quiz and assignment carry the bank's title), which is the column Canvas
  matches (``Title`` or ``Title (id)``).

Canvas: ``Student, ID, SIS User ID, SIS Login ID, Section, <assignment>``, then
the "Points Possible" row, as Canvas's own gradebook export has it; Canvas
matches ID (its user id, from a roster column ``canvas_id``), else SIS User ID
(the student id), else SIS Login ID. Moodle: ``ID number`` (map it to the
user field "ID number" on import), ``Email address`` when the roster has
emails, ``Full name``, then the grade column. Every cell goes through
``fileio.csv_text`` (formula-safe; plain numbers untouched).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from casebook import fileio, roster
from casebook.errors import CasebookError
from casebook.grading.submission import GRADED
from casebook.lms.report import number
from casebook.roster import Student, key
from casebook.roster import read_csv as _read_csv

NEEDED = ("student", "quiz", "status", "score", "max_score")
ROSTER_OPTIONAL = roster.OPTIONAL
FORMATS = ("canvas", "moodle")
POINTS = {"auto": "score", "total": "total"}


@dataclass
class Grades:
    """The matched grades, and every line the instructor should read before importing."""

    quiz: str
    points: str  # the maximum written as Points Possible: the whole quiz (or out_of)
    students: list[Student]
    scores: dict[str, str]  # student key -> score, for students with one graded submission
    problems: list[str] = field(default_factory=list)
    not_in_roster: int = 0
    unknown_to_lms: set[str] = field(default_factory=set)  # student keys the LMS export lacks
    clear_missing: bool = False

    @property
    def rows(self) -> list[Student]:
        """The students written: those with a grade the LMS knows (all known ones if clearing)."""
        return [
            s
            for s in self.students
            if key(s.student_id) not in self.unknown_to_lms
            and (self.clear_missing or key(s.student_id) in self.scores)
        ]

    @property
    def blank(self) -> int:
        """Roster students without a grade (left out, or written empty with clear_missing)."""
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
        raise CasebookError(
            f"{path}: no total column (its quizzes have no written questions): use --points auto"
        )
    return rows


def _choose_quiz(rows: list[dict[str, str]], quiz: str | None, path: Path) -> str:
    graded = sorted({r["quiz"] for r in rows if r["status"] == GRADED and r["quiz"]})
    if quiz is not None:
        if quiz not in graded:
            raise CasebookError(
                f"{path}: no graded submission of quiz {quiz!r} (graded quizzes: "
                f"{', '.join(graded) or 'none'})"
            )
        return quiz
    if not graded:
        raise CasebookError(f"{path}: no graded submission to export")
    if len(graded) > 1:
        raise CasebookError(f"{path}: gradebook has quizzes {', '.join(graded)}: choose one with --quiz")
    return graded[0]


def _maximum(row: dict[str, str]) -> str:
    """The whole quiz's points from a graded row: total_max (hand-scored points included) when
    the gradebook has it, else max_score (a quiz without written questions)."""
    return row.get("total_max") or row.get("max_score", "")


def match(rows: list[dict[str, str]], students: list[Student], quiz: str, points: str = "auto") -> Grades:
    """Scores by roster student, and a line for every student or row that needs a look."""
    value = POINTS[points]
    roster = {key(s.student_id): s for s in students}
    assignments = {r["quiz"] for r in rows if r["status"] == GRADED and r["quiz"]}
    graded: dict[str, list[dict[str, str]]] = {}
    other: dict[str, list[dict[str, str]]] = {}
    left_out: dict[str, int] = {}
    possible = auto_max = ""
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
            possible = possible or _maximum(row)
            auto_max = auto_max or row.get("max_score", "")
            graded.setdefault(who, []).append(row)
        else:
            other.setdefault(who, []).append(row)
    scores: dict[str, str] = {}
    for s in students:
        who, label = key(s.student_id), f"{s.student_id} ({s.name})" if s.name else s.student_id
        found = graded.get(who, [])
        pending = found[0].get("pending_points", "") if len(found) == 1 else ""
        if len(found) == 1 and points == "total" and pending not in ("", "0"):
            problems.append(f"{label}: {pending} written points await review: no grade")
        elif len(found) == 1:
            scores[who] = found[0][value]
        elif found:
            files = ", ".join(r.get("submission", "") for r in found)
            problems.append(f"{label}: {len(found)} graded submissions ({files}): no grade, decide by hand")
        elif who in other:
            why = "; ".join(f"{r['status']}: {r.get('submission', '')}" for r in other[who])
            problems.append(f"{label}: not graded ({why}): no grade")
        else:
            problems.append(f"{label}: no submission under this id: no grade")
    if left_out:
        problems.append(
            "rows of other quizzes left out: "
            + ", ".join(f"{name} ({count})" for name, count in sorted(left_out.items()))
        )
    if points == "auto" and auto_max and possible and _float(auto_max) != _float(possible):
        problems.append(
            f"--points auto: the grades are the automatically scored points (at most "
            f"{auto_max}); the {number(_float(possible) - _float(auto_max))} hand-scored "
            f"points of the {possible}-point quiz are not in them (--points total adds them)"
        )
    return Grades(quiz, possible, students, scores, problems, outside)


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def rescale(grades: Grades, out_of: float) -> None:
    """Every grade and the maximum scaled to out_of (rounded to 2 decimals), in place."""
    total = _float(grades.points)
    if total <= 0:
        raise CasebookError(f"quiz {grades.quiz}: no maximum in the gradebook to rescale from")
    grades.scores = {k: number(round(_float(v) * out_of / total, 2)) for k, v in grades.scores.items()}
    grades.problems.append(f"grades rescaled from {grades.points} to {number(out_of)} points")
    grades.points = number(out_of)


def drop_above_maximum(grades: Grades) -> None:
    """A grade above the maximum would make Moodle reject the whole file: report it, leave it out."""
    most = _float(grades.points)
    for s in grades.students:
        who = key(s.student_id)
        if who in grades.scores and most > 0 and _float(grades.scores[who]) > most + 1e-9:
            grades.problems.append(
                f"{s.student_id}: grade {grades.scores.pop(who)} is above the maximum "
                f"{grades.points} (the LMS would reject it): not written"
            )


# --- the LMS's own list of the class ----------------------------------------------------------


@dataclass
class LmsClass:
    """Who the LMS knows, from its own export, and (Canvas) the assignment columns it has."""

    ids: set[str] = field(default_factory=set)  # keyed identifiers the LMS matches on
    columns: dict[str, str] = field(default_factory=dict)  # column header -> its points possible


def read_lms_class(path: Path, fmt: str) -> LmsClass:
    """Canvas: the gradebook export (Grades → Export → CSV); Moodle: a grade export as plain text
    (Grades → Export → Plain text file), which has the "ID number" column."""
    header, rows = _read_csv(Path(path), "LMS export")
    out = LmsClass()
    if fmt == "canvas":
        needed = ("Student", "ID", "SIS User ID")
        if not all(h in header for h in needed):
            raise CasebookError(f"{path}: not a Canvas gradebook export (needs columns {', '.join(needed)})")
        for row in rows:
            if "Points Possible" in row.get("Student", ""):
                out.columns = {h: v for h, v in row.items() if h and h not in needed and v}
                continue
            for name, prefix in (("ID", "id:"), ("SIS User ID", "sis:"), ("SIS Login ID", "login:")):
                if row.get(name):
                    out.ids.add(prefix + key(row[name]))
    else:
        if "ID number" not in header:
            raise CasebookError(f"{path}: not a Moodle grade export (needs the column ID number)")
        out.ids = {"idnumber:" + key(row["ID number"]) for row in rows if row.get("ID number")}
    return out


def _known(s: Student, lms: LmsClass, fmt: str) -> bool:
    """Whether the LMS would find this student: Canvas by ID, SIS User ID or SIS Login ID (its
    order); Moodle by ID number (the column mapped on import)."""
    if fmt == "canvas":
        ours = [("id:", s.canvas_id), ("sis:", s.student_id), ("login:", s.sis_login)]
        return any(value and prefix + key(value) in lms.ids for prefix, value in ours)
    return f"idnumber:{key(s.student_id)}" in lms.ids


def check_against_lms(grades: Grades, lms: LmsClass, fmt: str, column: str) -> str:
    """Mark students the LMS does not know (reported, left out); return the column name to
    write: Canvas's own header for this assignment when its export has one ("Title (id)")."""
    for s in grades.students:
        if not _known(s, lms, fmt):
            grades.unknown_to_lms.add(key(s.student_id))
            grades.problems.append(
                f"{s.student_id} ({s.name}): not in the LMS's class list: not written "
                "(the LMS would reject the row)"
            )
    if fmt != "canvas":
        return column
    found = [h for h in lms.columns if h == column or h.startswith(f"{column} (")]
    if not found:
        grades.problems.append(
            f"no column {column!r} in the Canvas export: Canvas will offer to create it "
            f"as a new assignment (columns there: {', '.join(lms.columns) or 'none'})"
        )
        return column
    header = found[0]
    theirs = lms.columns[header]
    if _float(theirs) != _float(grades.points):
        grades.problems.append(
            f"{header!r} is worth {theirs} points in Canvas but the grades are out of "
            f"{grades.points}: set the assignment's points (or use --out-of {theirs})"
        )
    return header


# --- the files --------------------------------------------------------------------------------


def canvas_csv(grades: Grades, assignment: str) -> str:
    rows: list[list[str]] = [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment],
        ["    Points Possible", "", "", "", "", grades.points],
    ]
    rows += [
        [s.name, s.canvas_id, s.student_id, s.sis_login, s.section, grades.scores.get(key(s.student_id), "")]
        for s in grades.rows
    ]
    return fileio.csv_text(rows)


def moodle_csv(grades: Grades, assignment: str) -> str:
    emails = any(s.email for s in grades.students)
    rows: list[list[str]] = [["ID number", *(["Email address"] if emails else []), "Full name", assignment]]
    rows += [
        [s.student_id, *([s.email] if emails else []), s.name, grades.scores.get(key(s.student_id), "")]
        for s in grades.rows
    ]
    return fileio.csv_text(rows)


def export(
    gradebook: Path,
    roster: Path,
    fmt: str,
    out: Path,
    *,
    assignment: str | None = None,
    quiz: str | None = None,
    points: str = "auto",
    titles: dict[str, str] | None = None,
    clear_missing: bool = False,
    lms_roster: Path | None = None,
    out_of: float | None = None,
) -> Grades:
    """Read, match and write the LMS file; the returned Grades carries the lines to report.

    The grade column is ``assignment``, else the quiz's title in ``titles`` (quiz id -> bank
    title, as the bank exports name the quiz), else the quiz id.
    """
    if fmt not in FORMATS:
        raise CasebookError(f"unknown grade format {fmt!r} (one of: {', '.join(FORMATS)})")
    if points not in POINTS:
        raise CasebookError(f"unknown points {points!r} (one of: {', '.join(POINTS)})")
    if out_of is not None and not out_of > 0:
        raise CasebookError(f"--out-of must be a positive number of points, not {number(out_of)}")
    rows = read_gradebook(Path(gradebook), points)
    students = read_roster(Path(roster))
    lms = read_lms_class(Path(lms_roster), fmt) if lms_roster is not None else None
    chosen = _choose_quiz(rows, quiz, Path(gradebook))
    grades = match(rows, students, chosen, points)
    grades.clear_missing = clear_missing
    if out_of is not None:
        rescale(grades, out_of)
    drop_above_maximum(grades)
    name = " ".join((assignment or (titles or {}).get(chosen) or chosen).split()) or chosen
    if lms is not None:
        name = check_against_lms(grades, lms, fmt, name)
    if clear_missing and grades.blank:
        grades.problems.append(
            f"{grades.blank} student(s) without a grade written with an empty cell: "
            "importing clears any grade the LMS holds for them"
        )
    text = canvas_csv(grades, name) if fmt == "canvas" else moodle_csv(grades, name)
    fileio.write_text(Path(out), text)
    return grades
