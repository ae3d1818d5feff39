"""Sub-commands for learning-management systems: ``export`` (banks) and ``export-grades``."""

from __future__ import annotations

import argparse
from pathlib import Path

from casebook import edition, paths
from casebook.errors import CasebookError
from casebook.fileio import printable
from casebook.quiz import bank


def _export(args: argparse.Namespace) -> int:
    from casebook.lms import write_banks

    root = paths.project_root()
    loaded = bank.load_all(bank.discover(root, [Path(b) for b in args.bank]), root)
    chosen = bank.select(loaded, args.quiz)
    out = Path(args.out) if args.out else root / "_build" / "export"
    for report in write_banks(chosen, args.format, out, edition.by_id(root)):
        print("\n".join(report.lines()))
    return 0


def _quiz_titles(extra: list[str]) -> dict[str, str]:
    """Quiz id -> title from the banks, to name the grade column as the bank exports name the
    quiz. A bank that does not load only costs the title (the quiz id is used)."""
    root = paths.project_root()
    try:
        return {b.quiz: b.title for b in bank.load_all(bank.discover(root, [Path(p) for p in extra]), root)}
    except CasebookError:
        return {}


def _export_grades(args: argparse.Namespace) -> int:
    from casebook.lms import grades as lms_grades

    titles = _quiz_titles(args.bank) if args.assignment is None else {}
    grades = lms_grades.export(
        Path(args.gradebook),
        Path(args.roster),
        args.format,
        Path(args.out),
        assignment=args.assignment,
        quiz=args.quiz,
        points=args.points,
        titles=titles,
        clear_missing=args.clear_missing,
        lms_roster=Path(args.lms_roster) if args.lms_roster else None,
        out_of=args.out_of,
    )
    for line in grades.problems:
        print(printable(line))  # names and file names come from students and the LMS
    written = len(grades.rows)
    graded = len(grades.students) - grades.blank
    extra = f"; {grades.not_in_roster} gradebook row(s) not exported (above)" if grades.not_in_roster else ""
    left = len(grades.students) - written
    print(
        f"{args.format} grades of {grades.quiz} (points possible {grades.points or '?'}) -> {args.out}: "
        f"{written} row(s) written, {graded} of {len(grades.students)} roster students graded, "
        f"{left} left out{extra}"
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from casebook.lms import FORMATS

    e = sub.add_parser(
        "export", help="write each bank for an LMS: QTI zip for Canvas, GIFT or Moodle XML for Moodle"
    )
    e.add_argument(
        "--format",
        required=True,
        choices=list(FORMATS),
        help="qti: <quiz>.qti.zip (Canvas, QTI 1.2); gift: <quiz>.gift.txt (Moodle); "
        "moodle-xml: <quiz>.moodle.xml (Moodle, every type, points and rubrics)",
    )
    e.add_argument("--out", metavar="DIR", help="output folder (default _build/export)")
    e.add_argument(
        "--bank",
        action="append",
        default=[],
        metavar="PATH",
        help="also use a bank kept outside the project (repeatable)",
    )
    e.add_argument("--quiz", metavar="ID", help="only this quiz")
    e.set_defaults(handler=_export)

    g = sub.add_parser("export-grades", help="turn gradebook.csv into a Canvas or Moodle grade-import CSV")
    g.add_argument("gradebook", metavar="GRADEBOOK.csv", help="the gradebook.csv written by 'casebook grade'")
    g.add_argument(
        "--roster",
        required=True,
        metavar="CSV",
        help="columns student_id,name (optional: email, section, sis_login, canvas_id)",
    )
    g.add_argument("--format", required=True, choices=["canvas", "moodle"])
    g.add_argument("--out", required=True, metavar="FILE")
    g.add_argument(
        "--assignment",
        metavar="NAME",
        help="the grade column's name, as the assignment is called in the LMS (default: the "
        "quiz's title, as the bank exports name it; Canvas also takes 'Title (id)')",
    )
    g.add_argument("--quiz", metavar="ID", help="which quiz, when the gradebook has several")
    g.add_argument(
        "--points",
        choices=["auto", "total"],
        default="auto",
        help="auto: the automatically scored points (default); total: with the hand scores "
        "of written answers merged (students awaiting review get no grade)",
    )
    g.add_argument(
        "--lms-roster",
        metavar="CSV",
        help="the LMS's own export of the class (Canvas gradebook export, Moodle grade export): "
        "students it does not list are reported and left out",
    )
    g.add_argument(
        "--out-of",
        type=float,
        metavar="POINTS",
        help="rescale the grades to this maximum (default: the quiz's points)",
    )
    g.add_argument(
        "--clear-missing",
        action="store_true",
        help="also write students without a grade, with an empty cell: importing that CLEARS "
        "any grade the LMS holds for them (by default they are left out)",
    )
    g.add_argument(
        "--bank",
        action="append",
        default=[],
        metavar="PATH",
        help="also use a bank kept outside the project (for the quiz's title)",
    )
    g.set_defaults(handler=_export_grades)
