"""Writing outputs so a crash or a second run never leaves half a file."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

_UNSAFE = re.compile(r"[^\w.-]+")


def write_text(path: Path, text: str) -> None:
    """Temp file in the same folder, then os.replace: readers see the old or the new file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_fast(path: Path, text: str) -> None:
    """Atomic too, without mkstemp's random names: for the thousands of feedback files.

    The temp name is unique per target and process, which is all a rename needs.
    """
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def safe_name(text: str, fallback: str = "unknown") -> str:
    """A file-name part from a student id or name: word characters, dots, dashes."""
    name = _UNSAFE.sub("_", text.strip()).strip("._")
    return name[:80] or fallback
