"""The class roster: one reader for every command that takes ``--roster``.

``casebook release --roster`` (one notebook per student) and
``casebook export-grades --roster`` (one grade row per student) read the same
file the same way, so a roster accepted by one is accepted by the other:

- a CSV with columns ``student_id`` and ``name`` (header case and spaces
  ignored, so a spreadsheet's ``Student_ID`` is fine; a UTF-8 BOM too), and
  optionally ``email``, ``section``, ``sis_login``, ``canvas_id``;
- values are trimmed; a student id may not be empty or repeated, and ids that
  differ only in case or surrounding spaces (``S1``, ``s1 ``) are the same
  student, as LMSs and case-insensitive file systems take them;
- every mistake is one line naming the file and the line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from casebook import fileio
from casebook.errors import CasebookError

OPTIONAL = ("email", "section", "sis_login", "canvas_id")


@dataclass(frozen=True)
class Student:
    student_id: str
    name: str
    email: str = ""
    section: str = ""
    sis_login: str = ""
    canvas_id: str = ""


def key(student_id: str) -> str:
    """How two ids are compared: case and surrounding spaces ignored."""
    return student_id.strip().casefold()


def read_csv(path: Path, what: str) -> tuple[list[str], list[dict[str, str]]]:
    """A user's CSV as (trimmed header, rows of trimmed strings); unreadable is one line."""
    path = Path(path)
    text = fileio.read_user_text(path, f"{what} file")
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [(h or "").strip() for h in reader.fieldnames or []]
        reader.fieldnames = header
        # fileio.from_spreadsheet: a cell casebook wrote formula-safe ('@x) reads as it was (@x)
        rows = [
            {
                k: fileio.from_spreadsheet((v or "").strip()) if isinstance(v, str) else ""
                for k, v in row.items()
            }
            for row in reader
        ]
    except csv.Error as exc:
        raise CasebookError(f"{path}: not a readable CSV ({exc})") from None
    return header, rows


def read(path: Path) -> list[Student]:
    """The students of a roster CSV, in file order."""
    header, rows = read_csv(path, "roster")
    lower = [h.lower() for h in header]
    if "student_id" not in lower or "name" not in lower:
        raise CasebookError(
            f"{path}: roster needs columns student_id,name (has: {','.join(header) or 'nothing'})"
        )
    students: list[Student] = []
    seen: dict[str, int] = {}
    for line, raw in enumerate(rows, start=2):
        row = {k.lower(): v for k, v in raw.items() if k}
        sid = row.get("student_id", "")
        if not sid:
            raise CasebookError(f"{path}:{line}: empty student_id")
        if key(sid) in seen:
            raise CasebookError(f"{path}:{line}: student_id {sid} also on line {seen[key(sid)]}")
        seen[key(sid)] = line
        students.append(Student(sid, row.get("name", ""), **{name: row.get(name, "") for name in OPTIONAL}))
    if not students:
        raise CasebookError(f"{path}: roster has no students")
    return students
