"""Sub-commands that build and check the edition: ``edition`` and ``validate``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from casebook import edition, paths


def _edition(args: argparse.Namespace) -> int:
    root = paths.project_root()
    built = edition.build(root, seed=Path(args.seed) if args.seed else None)
    if args.write:
        target = paths.edition_file(root)
        changed = edition.write(built, target)
        print(f"{target}: {'written' if changed else 'unchanged'} ({len(built)} paragraphs)")
        return 0
    if args.json:
        sys.stdout.write(edition.to_json(built))
        return 0
    for p in built:
        body = p.en if args.lang == "en" else p.reading
        print(f"{p.id} [{p.kind}] {body}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from casebook import checks

    root, extra = paths.project_root(), [Path(b) for b in args.bank]
    found = checks.run(root, banks=extra)
    for line in found:
        print(line)
    cues = checks.warnings(root, banks=extra)
    for line in cues:
        print(f"warning: {line}")
    if cues:
        print(f"{len(cues)} form cue warning(s): a reader without the article may use them", file=sys.stderr)
    if found:
        print(f"{len(found)} problem(s)", file=sys.stderr)
        return 1
    print("edition, translation, banks and citations: no problems", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("edition", help="build the edition of the article from the seed")
    p.add_argument("--json", action="store_true", help="print the edition as a JSON array")
    p.add_argument("--write", action="store_true", help="write edition/edition.json")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the text listing")
    p.add_argument("--seed", help="build from another copy of the seed file")
    p.set_defaults(handler=_edition)

    v = sub.add_parser("validate", help="check edition, translation, banks and every citation")
    v.add_argument(
        "--bank",
        action="append",
        default=[],
        metavar="PATH",
        help="also check a bank kept outside the project (repeatable)",
    )
    v.set_defaults(handler=_validate)
    register_books(sub)
    register_handout(sub)


def _student_book(args: argparse.Namespace) -> int:
    from casebook.book import student_edition

    html = student_edition.build(out=Path(args.out) if args.out else None)
    print(f"student edition: open {html / 'index.html'}")
    return 0


def _public_book(args: argparse.Namespace) -> int:
    from casebook.book import public_edition

    html = public_edition.build(out=Path(args.out) if args.out else None, student=args.student)
    print(f"public edition: open {html / 'index.html'}")
    return 0


def register_books(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("student-book", help="build the book without the instructor part or answers")
    s.add_argument("--out", help="output folder (default _build/student)")
    s.set_defaults(handler=_student_book)
    p = sub.add_parser(
        "public-book", help="build the book for open hosting, without the article's text or translation"
    )
    p.add_argument("--out", help="output folder (default _build/public)")
    p.add_argument("--student", action="store_true", help="also leave out the instructor part and answers")
    p.set_defaults(handler=_public_book)


def _handout(args: argparse.Namespace) -> int:
    from casebook.book import handout

    for path in handout.write(Path(args.out), lang=args.lang, pdf=not args.html_only):
        print(path)
    return 0


def register_handout(sub: argparse._SubParsersAction) -> None:
    h = sub.add_parser("handout", help="the case as a printable page and PDF, both languages")
    h.add_argument("--out", default="_build/handout/case", help="file name without extension")
    h.add_argument("--lang", choices=["both", "zh", "en"], default="both")
    h.add_argument("--html-only", action="store_true", help="skip the PDF")
    h.set_defaults(handler=_handout)
