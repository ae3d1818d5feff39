"""Sub-commands of the quiz engine: ``release``, ``solutions``, ``grade``, ``review``, ``merge``, ``demo``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from casebook import edition, paths
from casebook.errors import CasebookError
from casebook.fileio import printable
from casebook.quiz import bank


def _banks(args: argparse.Namespace) -> list[bank.Bank]:
    root = paths.project_root()
    loaded = bank.load_all(bank.discover(root, [Path(b) for b in args.bank]), root)
    return bank.select(loaded, args.quiz)


def _release(args: argparse.Namespace) -> int:
    from casebook.quiz import notebooks

    chosen = _banks(args)
    roster = notebooks.read_roster(Path(args.roster)) if args.roster else None
    paras = edition.by_id() if args.practice else None
    written = notebooks.release(chosen, Path(args.out), practice=args.practice, roster=roster, paras=paras)
    kind = "practice" if args.practice else "student"
    print(f"{len(written)} {kind} notebook(s) in {args.out}")
    return 0


def _solutions(args: argparse.Namespace) -> int:
    from casebook.quiz import notebooks

    written = notebooks.write_solutions(_banks(args), Path(args.out), edition.by_id())
    print(f"{len(written)} solutions notebook(s) in {args.out}")
    return 0


def _summary(result) -> str:
    statuses = ", ".join(f"{n} {s}" for s, n in result.counts.items()) or "no files"
    return f"{result.files} file(s) into {result.out_dir}: {statuses} ({result.seconds:.2f} s)"


def identity_line(result) -> str:
    """The run summary's word on notebooks that name another student than where they came from."""
    n = result.mismatched
    if not n:
        return ""
    return (
        f"{_count(n)} submission{'' if n == 1 else 's'} name{'s' if n == 1 else ''} another "
        "student in the identity cell than the folder or file name it came from: graded "
        "under the folder or file name (see the identity column of gradebook.csv)"
    )


def _count(value: float) -> str:
    """1,200 and 2.5: thousands separated, no trailing zeros."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4f}".rstrip("0")


def pending_line(result) -> str:
    """What is left to score by hand after grading, and the command that does it."""
    if not result.pending:
        return ""
    n = result.pending
    return (
        f"{_count(n)} written answer{'' if n == 1 else 's'} ({_count(result.pending_points)} "
        f"points) await{'s' if n == 1 else ''} review: casebook review {result.out_dir} "
        f"--out {Path(result.out_dir).parent / 'review'}"
    )


def _formats(text: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    if not chosen or any(f not in ("html", "md") for f in chosen):
        raise argparse.ArgumentTypeError(f"{text!r}: use html, md or html,md")
    return chosen


def _grade(args: argparse.Namespace) -> int:
    from casebook import grading

    if not args.paths:
        raise CasebookError("nothing to grade: name notebooks or folders")
    root = paths.project_root()
    files = bank.discover(root, [Path(b) for b in args.bank])
    result = grading.grade_paths(
        args.paths,
        Path(args.out),
        banks=files,
        quiz=args.quiz,
        reveal=not args.no_reveal,
        jobs=args.jobs,
        root=root,
        feedback=args.feedback,
    )
    print(f"graded {_summary(result)}")
    for line in (identity_line(result), pending_line(result)):
        if line:
            print(line)
    if args.strict and not result.all_graded:
        print("some files were not graded (see status in gradebook.csv)", file=sys.stderr)
        return 1
    return 0


def _demo(args: argparse.Namespace) -> int:
    from casebook.grading import demo

    result = demo.run(
        Path(args.out),
        students=args.students,
        seed=args.seed,
        banks=_banks_unselected(args),
        quiz=args.quiz,
        jobs=args.jobs,
    )
    print(f"demo class of {args.students} in {args.out}; graded {_summary(result)}")
    for line in (identity_line(result), pending_line(result)):
        if line:
            print(line)
    return 0


def _review(args: argparse.Namespace) -> int:
    from casebook import review

    result = review.review(
        Path(args.graded), Path(args.out), names=args.names, only=args.question, force=args.force
    )
    if not result.sheets:
        print(f"no written questions to review in {args.graded}")
        return 0
    extra = [
        f"{_count(result.flagged)} flagged as identical or near-identical",
        f"{_count(result.over)} over the word limit",
        f"{_count(result.blank)} blank or unreadable (scored 0, not in the CSVs)",
    ]
    if result.scored:
        extra.insert(0, f"{_count(result.scored)} scored already")
    print(
        f"{len(result.sheets)} review sheet(s) in {result.out_dir} (open {result.index}): "
        f"{_count(result.answers)} answers to score; " + ", ".join(extra)
    )
    print(
        f"fill {result.out_dir}/<question>-scores.csv, then: casebook merge "
        f"{result.out_dir}/*-scores.csv --graded {args.graded}"
    )
    return 0


def _merge(args: argparse.Namespace) -> int:
    from casebook.review import merge

    result = merge.merge([Path(f) for f in args.scores], Path(args.graded), dry_run=args.dry_run)
    if not result.ok:
        for problem in result.problems:
            print(printable(problem), file=sys.stderr)
        n = len(result.problems)
        print(
            f"casebook merge: nothing merged: {n} problem{'' if n == 1 else 's'} to fix first",
            file=sys.stderr,
        )
        return 1
    verb = "would merge" if args.dry_run else "merged"
    print(
        f"{verb} {result.added} new score(s), {result.replaced} replaced, {result.unchanged} "
        f"unchanged, {result.skipped} row(s) left empty (not reviewed yet)"
    )
    left = (
        "no written answers await review"
        if not result.pending
        else f"{_count(result.pending)} written answer(s) ({_count(result.pending_points)} points) "
        "still await review"
    )
    print(f"{left}; gradebook: {Path(args.graded) / 'gradebook.csv'}")
    return 0


def _banks_unselected(args: argparse.Namespace) -> list[bank.Bank]:
    root = paths.project_root()
    return bank.load_all(bank.discover(root, [Path(b) for b in args.bank]), root)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--bank",
        action="append",
        default=[],
        metavar="PATH",
        help="also use a bank kept outside the project (repeatable)",
    )
    p.add_argument(
        "--quiz", metavar="ID", help="only this quiz (grade: notebooks of other quizzes are skipped)"
    )


def register(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser("release", help="write student notebooks (or practice ones) for each quiz")
    r.add_argument("--out", required=True, metavar="DIR")
    _common(r)
    r.add_argument(
        "--practice", action="store_true", help="self-study notebooks that carry the key and a checker"
    )
    r.add_argument(
        "--roster", metavar="CSV", help="one notebook per student (columns student_id,name), options shuffled"
    )
    r.set_defaults(handler=_release)

    s = sub.add_parser("solutions", help="write answered notebooks with explanations and evidence")
    s.add_argument("--out", required=True, metavar="DIR")
    _common(s)
    s.set_defaults(handler=_solutions)

    g = sub.add_parser("grade", help="grade submitted notebooks (never runs them)")
    g.add_argument("paths", nargs="*", metavar="PATH", help="notebooks or folders of notebooks")
    g.add_argument("--out", required=True, metavar="DIR")
    _common(g)
    g.add_argument("--strict", action="store_true", help="exit 1 unless every file was graded")
    g.add_argument("--no-reveal", action="store_true", help="feedback without right answers and explanations")
    g.add_argument("--jobs", type=_positive, metavar="N", help="worker processes (default: cores)")
    g.add_argument(
        "--feedback",
        type=_formats,
        default=("html",),
        metavar="FORMATS",
        help="feedback page formats: html (default), md, or html,md",
    )
    g.set_defaults(handler=_grade)

    v = sub.add_parser("review", help="write review sheets (HTML) and scores CSVs for written answers")
    v.add_argument("graded", metavar="GRADED_DIR", help="the --out folder of 'casebook grade'")
    v.add_argument("--out", required=True, metavar="DIR", help="folder for the sheets (give it to graders)")
    v.add_argument(
        "--names", action="store_true", help="show student names and ids instead of anonymous codes"
    )
    v.add_argument(
        "--question",
        action="append",
        default=[],
        metavar="ID",
        help="only this written question (repeatable)",
    )
    v.add_argument("--force", action="store_true", help="overwrite scores CSVs holding scores not merged yet")
    v.set_defaults(handler=_review)

    m = sub.add_parser("merge", help="check filled scores CSVs and merge them into the gradebook")
    m.add_argument("scores", nargs="+", metavar="SCORES.csv", help="filled <question>-scores.csv")
    m.add_argument(
        "--graded", required=True, metavar="GRADED_DIR", help="the --out folder of 'casebook grade'"
    )
    m.add_argument("--dry-run", action="store_true", help="check only; change nothing")
    m.set_defaults(handler=_merge)

    d = sub.add_parser("demo", help="make a synthetic class, then grade it")
    d.add_argument("--students", type=_positive, default=30, metavar="N")
    d.add_argument("--out", required=True, metavar="DIR")
    d.add_argument("--seed", type=int, default=0, metavar="S")
    _common(d)
    d.add_argument("--jobs", type=_positive, metavar="N", help="worker processes (default: cores)")
    d.set_defaults(handler=_demo)
