"""Sub-commands for learning-management systems: ``export`` (banks) and ``export-grades``."""

from __future__ import annotations

import argparse
from pathlib import Path

from casebook import paths
from casebook.fileio import printable
from casebook.quiz import bank


def _export(args: argparse.Namespace) -> int:
    from casebook.lms import write_banks

    root = paths.project_root()
    loaded = bank.load_all(bank.discover(root, [Path(b) for b in args.bank]), root)
    chosen = bank.select(loaded, args.quiz)
    out = Path(args.out) if args.out else root / "_build" / "export"
    for report in write_banks(chosen, args.format, out):
        print("\n".join(report.lines()))
    return 0


def _export_grades(args: argparse.Namespace) -> int:
    from casebook.lms import grades as lms_grades

    grades = lms_grades.export(Path(args.gradebook), Path(args.roster), args.format, Path(args.out),
                              assignment=args.assignment, quiz=args.quiz, points=args.points)
    for line in grades.problems:
        print(printable(line))  # names and file names come from students and the LMS
    graded = len(grades.students) - grades.blank
    extra = f"; {grades.not_in_roster} gradebook row(s) not exported (above)" if grades.not_in_roster else ""
    print(f"{args.format} grades of {grades.quiz} (points possible {grades.points or '?'}) -> {args.out}: "
          f"{graded} of {len(grades.students)} roster students graded, {grades.blank} left empty{extra}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser("export", help="write each bank for an LMS: QTI zip for Canvas or GIFT for Moodle")
    e.add_argument("--format", required=True, choices=["qti", "gift"],
                   help="qti: <quiz>.qti.zip (Canvas, QTI 1.2); gift: <quiz>.gift.txt (Moodle)")
    e.add_argument("--out", metavar="DIR", help="output folder (default _build/export)")
    e.add_argument("--bank", action="append", default=[], metavar="PATH",
                   help="also use a bank kept outside the project (repeatable)")
    e.add_argument("--quiz", metavar="ID", help="only this quiz")
    e.set_defaults(handler=_export)

    g = sub.add_parser("export-grades", help="turn gradebook.csv into a Canvas or Moodle grade-import CSV")
    g.add_argument("gradebook", metavar="GRADEBOOK.csv", help="the gradebook.csv written by 'casebook grade'")
    g.add_argument("--roster", required=True, metavar="CSV",
                   help="columns student_id,name (optional: email, section, sis_login, canvas_id)")
    g.add_argument("--format", required=True, choices=["canvas", "moodle"])
    g.add_argument("--out", required=True, metavar="FILE")
    g.add_argument("--assignment", metavar="NAME",
                   help="the grade column's name, as the assignment is called in the LMS (default: quiz id)")
    g.add_argument("--quiz", metavar="ID", help="which quiz, when the gradebook has several")
    g.add_argument("--points", choices=["auto", "total"], default="auto",
                   help="auto: the automatically scored points (default); total: with the hand scores "
                        "of written answers merged (students awaiting review are left empty)")
    g.set_defaults(handler=_export_grades)
