"""The ``casebook`` command.

Every user mistake surfaces as a :class:`CasebookError` and becomes one line on
stderr with exit status 2 (usage) or 1 (problems found); tracebacks are kept
for real bugs. Sub-commands live beside the code they drive and register
themselves here through ``register(subparsers)``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from . import __version__
from .errors import CasebookError

Handler = Callable[[argparse.Namespace], int]

# Modules that add sub-commands, in the order ``--help`` lists them.
COMMAND_MODULES = ("cli_edition", "cli_quiz", "cli_export")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casebook",
        description="Tools of the Ant Financial case course: edition, banks, notebooks, grading.",
    )
    parser.add_argument("--version", action="version", version=f"casebook {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    import importlib

    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"casebook.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"casebook.{name}":
                raise
            continue
        module.register(sub)
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
