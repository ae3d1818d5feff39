"""Sub-command for the instructor's reports: ``class-report``."""

from __future__ import annotations

import argparse
from pathlib import Path

from casebook import paths
from casebook.quiz import bank


def _class_report(args: argparse.Namespace) -> int:
    from casebook.report import classreport

    root = paths.project_root()
    banks = bank.load_all(bank.discover(root, [Path(b) for b in args.bank]), root)
    report = classreport.class_report(
        Path(args.graded), Path(args.out), names=args.names, banks=banks, quiz=args.quiz, root=root
    )
    for rep in report.quizzes:
        unread = f", {rep.unread} not readable again" if rep.unread else ""
        print(f"{rep.quiz}: {rep.graded} graded{unread} -> {rep.page}")
    print(f"class report in {report.out_dir}: open {report.index}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser(
        "class-report",
        help="what the class misread in the case: passages, misconceptions, objectives, whom to call on",
    )
    c.add_argument("graded", help="folder written by casebook grade")
    c.add_argument("--out", required=True, help="folder for the report pages and CSVs")
    c.add_argument(
        "--names",
        action="store_true",
        help="show student ids and names instead of the review sheets' anonymous codes",
    )
    c.add_argument("--quiz", help="only this quiz")
    c.add_argument("--bank", action="append", default=[], help="also use a bank kept outside exercises/")
    c.set_defaults(handler=_class_report)
