"""Writing outputs so a crash or a second run never leaves half a file."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

_UNSAFE = re.compile(r"[^\w.-]+")
_UMASK = os.umask(0o022)  # read once (setting it is the only way to read it), then restored
os.umask(_UMASK)


def write_text(path: Path, text: str | Iterable[str]) -> None:
    """Temp file in the same folder, then os.replace: readers see the old or the new file.

    ``text`` may be an iterable of pieces, so a large file is streamed rather than
    built as one string in memory first.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; an output is as readable as any file
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            if isinstance(text, str):
                handle.write(text)
            else:
                handle.writelines(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_user_text(path: Path | str, what: str = "file", hint: str = "") -> str:
    """A text file a user hands us (a roster, a scores CSV): UTF-8, with or without a BOM.

    Every way it can fail becomes one CasebookError line naming the file and
    what it was meant to be; ``hint`` is added to the "not UTF-8" line.
    """
    from casebook.errors import CasebookError

    path = Path(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CasebookError(f"{path}: no such {what}") from None
    except UnicodeDecodeError:
        raise CasebookError(f"{path}: {what} is not UTF-8 text{hint}") from None
    except OSError as exc:
        raise CasebookError(f"{path}: cannot read {what} ({exc.strerror or exc})") from None


def write_if_changed(path: Path | str, text: str) -> bool:
    """For the thousands of feedback files: skip identical ones, never half-replace one.

    Re-grading mostly reproduces the same files, and reading one costs far less
    than replacing it. A file that changed is replaced through a temp file and
    os.replace, so a reader sees the old or the new page. A file that does not
    exist yet is created in place (O_EXCL): on this kind of disk a temp file
    plus rename costs two to five times a plain create, and if a crash left a
    partial new file, the next run finds it different and replaces it whole.
    """
    data = text.encode("utf-8")
    try:
        with open(path, "rb") as handle:
            if handle.read(len(data) + 1) == data:
                return False
        exists = True
    except FileNotFoundError:
        exists = False
    except OSError:
        exists = True
    if not exists:
        try:
            _write_fd(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644), data)
            return True
        except FileExistsError:
            pass  # appeared meanwhile: replace it atomically below
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        _write_fd(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return True


def _write_fd(fd: int, data: bytes) -> None:
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def safe_name(text: str, fallback: str = "unknown") -> str:
    """A file-name part from a student id or name: word characters, dots, dashes."""
    name = _UNSAFE.sub("_", text.strip()).strip("._")
    return name[:80] or fallback


# A cell a spreadsheet would read as a formula. OWASP's CSV-injection advice
# (https://owasp.org/www-community/attacks/CSV_Injection): cells starting with
# = + - @, tab or carriage return are prefixed with a single quote. Plain
# numbers ("-2", "+1.5") are left alone so grade columns still import as numbers.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


_QUOTED_FORMULA = re.compile(r"'+[=+\-@\t\r]")
_RISKY = frozenset("=+-@\t\r'")  # first characters spreadsheet_safe may change


def spreadsheet_safe(value: object) -> object:
    """``value`` as a CSV cell that Excel and LibreOffice show as text, never run as a formula.

    A text that already starts with quotes before a formula character gets one more,
    so :func:`from_spreadsheet` gives back exactly what was written.
    """
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START):
        return value if _PLAIN_NUMBER.fullmatch(value) else "'" + value
    if value.startswith("'") and _QUOTED_FORMULA.match(value):
        return "'" + value
    return value


def from_spreadsheet(cell: str) -> str:
    """A cell of a CSV the project wrote (or a spreadsheet saved back) as the text it stands for.

    Undoes :func:`spreadsheet_safe`: ``'=SUM(1)`` reads as ``=SUM(1)``. A spreadsheet that
    saves the cell back drops the quote itself, and ``=SUM(1)`` reads as it stands.
    """
    return cell[1:] if _QUOTED_FORMULA.match(cell) else cell


def csv_text(rows: Iterable[Iterable[object]], *, lineterminator: str = "\n") -> str:
    """Rows as CSV text with every cell made :func:`spreadsheet_safe`: the one CSV writer for outputs."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator)
    safe = spreadsheet_safe
    writer.writerows(
        [safe(c) if c.__class__ is str and c[:1] in _RISKY else c for c in row] for row in rows
    )  # the test first: most cells are plain, and this runs per cell
    return buffer.getvalue()


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def printable(text: str) -> str:
    """Text safe to print to a terminal: control characters (escape sequences that could
    clear the screen or retitle the window) and undecodable bytes shown as escapes."""
    return _CONTROL.sub(lambda m: repr(m[0])[1:-1], text) if _CONTROL.search(text) else text


def shown_path(path: str) -> str:
    """A file path as text that can be written as UTF-8 (undecodable bytes as escapes)."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape" if _only_escapes(path) else "backslashreplace").decode(
            "utf-8", "backslashreplace"
        )


def _only_escapes(path: str) -> bool:
    return all(not 0xD800 <= ord(c) <= 0xDFFF or 0xDC80 <= ord(c) <= 0xDCFF for c in path)


def out_folder(path: Path | str) -> Path:
    """An output folder made if needed, or one line saying why it cannot be."""
    from casebook.errors import CasebookError

    path = Path(path)
    if path.exists() and not path.is_dir():
        raise CasebookError(f"{path}: is a file, not a folder (give a folder for --out)")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CasebookError(f"{path}: cannot make this folder ({exc.strerror or exc})") from None
    return path


LOCK = ".casebook.lock"


@contextlib.contextmanager
def folder_lock(folder: Path | str, command: str) -> Iterator[None]:
    """Hold an exclusive lock on an output folder while ``command`` writes into it.

    ``grade`` and ``merge`` both take it, so two runs into one folder never interleave:
    the second stops at once with one line naming the first. The lock is ``flock`` on
    ``.casebook.lock`` in the folder: the kernel releases it when its holder ends, even
    by SIGKILL, so a crash never leaves a stale lock behind.
    """
    import fcntl

    from casebook.errors import CasebookError

    folder = Path(folder)
    path = folder / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another run"
            raise CasebookError(
                f"{folder}: in use by {holder}; wait for it to finish, then run again"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"casebook {command} (process {os.getpid()})\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
