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
from pathlib import Path

from casebook import __version__
from casebook.errors import CasebookError
from casebook.fileio import printable

Handler = Callable[[argparse.Namespace], int]

# Modules that add sub-commands, in the order ``--help`` lists them.
COMMAND_MODULES = ("edition", "quiz", "report", "lms")
# Commands whose --out names a file (or a file name without extension), not a folder.
OUT_IS_FILE = ("export-grades", "handout")


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
        check_out(args.command, getattr(args, "out", None))
        return handler(args)
    except CasebookError as exc:
        print(f"casebook {args.command}: {printable(str(exc))}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk, a read-only folder: the environment, not a bug
        where = exc.filename2 or exc.filename
        where = f"{printable(str(where))}: " if where else ""
        print(f"casebook {args.command}: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"casebook {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def check_out(command: str, out: str | None) -> None:
    """An --out that cannot be used is one line before any work: a file where a folder is
    meant (or the reverse), or a path through a file."""
    if not out:
        return
    path = Path(out)
    wants_file = command in OUT_IS_FILE
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise CasebookError(f"{out}: {parent} is not a folder")
            break
    if wants_file and path.is_dir():
        raise CasebookError(f"{out}: is a folder (--out names the file to write)")
    if not wants_file and path.exists() and not path.is_dir():
        raise CasebookError(f"{out}: is a file, not a folder (--out names a folder)")


if __name__ == "__main__":
    sys.exit(main())
