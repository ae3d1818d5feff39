"""The ``casebook`` command.

Every user mistake surfaces as a :class:`CasebookError` and becomes one line on
stderr with exit status 2 (usage) or 1 (problems found); tracebacks are kept
for real bugs. Each module of this package registers its sub-commands through
``register(subparsers)``; the domain code lives in the other subpackages and
never imports this one.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable

from casebook import __version__
from casebook.errors import CasebookError

Handler = Callable[[argparse.Namespace], int]

# Modules that add sub-commands, in the order ``--help`` lists them.
COMMAND_MODULES = ("edition", "quiz", "report", "lms")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casebook",
        description="Tools of the Ant Financial case course: edition, banks, notebooks, grading.",
    )
    parser.add_argument("--version", action="version", version=f"casebook {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"casebook.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except CasebookError as exc:
        print(f"casebook {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"casebook {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
