"""The notebook contract: what a released notebook holds for the grader to find its answers.

The notebook writer (:mod:`casebook.quiz.notebooks`) and the reader
(:mod:`casebook.grading.submission`) both import this module, so the two
cannot drift apart. It is the whole contract:

- notebook metadata ``casebook: {quiz, version, format}``: ``version`` is the
  hash of the quiz's prompts (``bank.version``), ``format`` is :data:`FORMAT`,
  the version of this contract;
- cell metadata ``casebook: {role, question?, kind?}`` with a role of
  :data:`ROLES`; a written answer cell is Markdown with ``kind: written``;
- answer variables ``q01``, ``q02``... (:func:`variable`) or the question id
  as a Python name (:func:`alias`), for cells whose metadata an editor lost;
- the identity cell's ``student_name`` and ``student_id``;
- the written answer cell's heading line (:func:`written_heading`) and its
  placeholder; the prompt heading ``### Question n``; the closing cell.

Format history: notebooks without ``format`` are version 1's contract as it
was before the number was written, and still grade. A notebook whose format is
newer than :data:`FORMAT` was made by a newer casebook; the grader gives it
the status ``newer notebook format`` rather than guessing.

Imports nothing of casebook: both ends of the contract may use it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

NAMESPACE = "casebook"
FORMAT = 1

IDENTITY = "identity"
PROMPT = "prompt"
ANSWER = "answer"
CHECKER = "checker"
CHECK = "check"
END = "end"
SOLUTION = "solution"
ROLES = (IDENTITY, PROMPT, ANSWER, CHECKER, CHECK, END, SOLUTION)
WRITTEN = "written"  # cell kind of a written answer (Markdown, scored by hand)

STUDENT_NAME = "student_name"
STUDENT_ID = "student_id"

# A written answer is typed into a Markdown cell that starts out as these two lines. The
# heading lets the grader find the cell when an editor dropped its metadata and moved it.
WRITTEN_PLACEHOLDER = "*Write your answer here.*"
END_NOTE = "Save the notebook and hand it in."  # the closing cell: never an answer
WRITTEN_HEADING = re.compile(r"^[\s*_#]*your answer to question\s+(\d+)\b[\s*_:.]*", re.IGNORECASE)
PROMPT_HEADING = re.compile(r"^#+\s*question\s+(\d+)\b", re.IGNORECASE)


def variable(index: int) -> str:
    """Name of the answer variable of the index-th question (0-based): q01, q02, ..."""
    return f"q{index + 1:02d}"


def alias(question_id: str) -> str:
    """The question id as a Python name, accepted when a student renamed the cell's variable."""
    return re.sub(r"\W", "_", question_id)


def written_heading(n: int) -> str:
    """The first line of the answer cell of question n."""
    return f"**Your answer to question {n}:**"


def prompt_heading(n: int, points: str, plural: bool) -> str:
    """The first line of question n's prompt cell (PROMPT_HEADING finds it again)."""
    return f"### Question {n} ({points} point{'s' if plural else ''})"


def meta(**fields: Any) -> dict[str, Any]:
    """Cell or notebook metadata in the contract's namespace."""
    return {NAMESPACE: fields}


def notebook_meta(quiz: str, version: str, **extra: Any) -> dict[str, Any]:
    """The casebook metadata of a released notebook, with the contract's format."""
    return {"quiz": quiz, "version": version, "format": FORMAT, **extra}


def cell_meta(cell: Mapping[str, Any]) -> dict[str, Any]:
    """A cell's casebook metadata as a dict, whatever an editor left in its place."""
    metadata = cell.get("metadata")
    value = metadata.get(NAMESPACE) if isinstance(metadata, Mapping) else None
    return value if isinstance(value, dict) else {}


def role(cell: Mapping[str, Any]) -> str:
    """The cell's role (``answer``, ``prompt``...), or "" for a cell outside the contract."""
    value = cell_meta(cell).get("role")
    return value if isinstance(value, str) else ""


def format_problem(value: object) -> str:
    """Why a notebook's ``format`` cannot be read by this version, or "" when it can."""
    if value is None:
        return ""  # made before the format was recorded: version 1
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return f"notebook format {value!r} is not a version number"
    if value > FORMAT:
        return f"notebook format {value} is newer than this casebook reads ({FORMAT})"
    return ""
