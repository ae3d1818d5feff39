"""Sub-commands of the quiz engine: ``release``, ``solutions``, ``grade`` and ``demo``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import bank, edition, paths
from .errors import CasebookError


def _banks(args: argparse.Namespace) -> list[bank.Bank]:
    root = paths.project_root()
    loaded = bank.load_all(bank.discover(root, [Path(b) for b in args.bank]), root)
    return bank.select(loaded, args.quiz)


def _release(args: argparse.Namespace) -> int:
    from . import notebooks

    chosen = _banks(args)
    roster = notebooks.read_roster(Path(args.roster)) if args.roster else None
    paras = edition.by_id() if args.practice else None
    written = notebooks.release(chosen, Path(args.out), practice=args.practice, roster=roster,
                                paras=paras)
    kind = "practice" if args.practice else "student"
    print(f"{len(written)} {kind} notebook(s) in {args.out}")
    return 0


def _solutions(args: argparse.Namespace) -> int:
    from . import notebooks

    written = notebooks.write_solutions(_banks(args), Path(args.out), edition.by_id())
    print(f"{len(written)} solutions notebook(s) in {args.out}")
    return 0


def _summary(result) -> str:
    statuses = ", ".join(f"{n} {s}" for s, n in result.counts.items()) or "no files"
    return f"{len(result.rows)} file(s) into {result.out_dir}: {statuses} ({result.seconds:.2f} s)"


def _grade(args: argparse.Namespace) -> int:
    from . import grading

    if not args.paths:
        raise CasebookError("nothing to grade: name notebooks or folders")
    root = paths.project_root()
    files = bank.discover(root, [Path(b) for b in args.bank])
    result = grading.grade_paths(args.paths, Path(args.out), banks=files, quiz=args.quiz,
                                 reveal=not args.no_reveal, jobs=args.jobs, root=root)
    print(f"graded {_summary(result)}")
    if args.strict and not result.all_graded:
        print("some files were not graded (see status in gradebook.csv)", file=sys.stderr)
        return 1
    return 0


def _demo(args: argparse.Namespace) -> int:
    from . import demo

    result = demo.run(Path(args.out), students=args.students, seed=args.seed,
                      banks=_banks_unselected(args), quiz=args.quiz, jobs=args.jobs)
    print(f"demo class of {args.students} in {args.out}; graded {_summary(result)}")
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
    p.add_argument("--bank", action="append", default=[], metavar="PATH",
                   help="also use a bank kept outside the project (repeatable)")
    p.add_argument("--quiz", metavar="ID", help="only this quiz")


def register(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser("release", help="write student notebooks (or practice ones) for each quiz")
    r.add_argument("--out", required=True, metavar="DIR")
    _common(r)
    r.add_argument("--practice", action="store_true",
                   help="self-study notebooks that carry the key and a checker")
    r.add_argument("--roster", metavar="CSV",
                   help="one notebook per student (columns student_id,name), options shuffled")
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
    g.add_argument("--no-reveal", action="store_true",
                   help="feedback without right answers and explanations")
    g.add_argument("--jobs", type=_positive, metavar="N", help="worker processes (default: cores)")
    g.set_defaults(handler=_grade)

    d = sub.add_parser("demo", help="make a synthetic class, then grade it")
    d.add_argument("--students", type=_positive, default=30, metavar="N")
    d.add_argument("--out", required=True, metavar="DIR")
    d.add_argument("--seed", type=int, default=0, metavar="S")
    _common(d)
    d.add_argument("--jobs", type=_positive, metavar="N", help="worker processes (default: cores)")
    d.set_defaults(handler=_demo)
