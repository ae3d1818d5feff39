"""Reading a handed-in notebook without running any of it.

A submission is untrusted input: it is read as JSON, its cells are parsed
with ``ast.parse`` and only a literal assigned to the expected name is
accepted (``ast.literal_eval`` on that value node). No exec, eval, import or
kernel is ever involved, so a cell that would write a file or loop forever
is just text that earns 0 with a reason. nbformat is not used to read
submissions on purpose: its validation rejects exactly the damaged files
(nbformat 3, missing ids, stray keys) that must still be graded, and it is
much slower than json.loads on thousands of files.
"""

from __future__ import annotations

import ast
import json
import keyword
import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePath
from typing import Any, NamedTuple

from casebook.quiz import layout
from casebook.quiz.layout import END_NOTE, WRITTEN_PLACEHOLDER

MAX_BYTES = 5 * 1024 * 1024
MAX_CELL = 200_000  # characters of one answer cell worth parsing
# The largest integer an answer may hold: 64 bits (19 decimal digits). Larger literals are
# "not a plain value": no quiz asks for one, and Python cannot turn an integer of more than
# 4,300 digits into text, nor one of more than 309 digits into a float.
MAX_INT_BITS = 64

# Status words of the gradebook (README lists them for instructors).
GRADED = "graded"
UNREADABLE = "unreadable JSON"
NOT_NOTEBOOK = "not a notebook"
TOO_LARGE = "too large"
UNKNOWN_QUIZ = "unknown quiz"
NO_ANSWERS = "no answers found"
DUPLICATE = "duplicate submission"
UNREADABLE_FILE = "unreadable file"
NOT_REGULAR = "not a regular file"  # a symbolic link, FIFO, device or socket: never opened
NOT_GRADABLE = "could not be graded"  # anything unforeseen in one file; notes.csv says what

# Where a submission's student id came from (the gradebook's identity column). The first
# two are vouched for by whoever collected the files, so they win over the notebook's cell.
FROM_FOLDER = "folder"  # nbgrader's submitted/<student>/<assignment>/
FROM_FILE_NAME = "file name"  # a Canvas or Moodle download name
FROM_CELL = "identity cell"
FROM_PATH = "path"  # nothing named the student: the file's path stands in
TRUSTED = (FROM_FOLDER, FROM_FILE_NAME)
OTHER_QUIZ = "skipped: another quiz"  # grade --quiz ID: a notebook of a quiz not asked for

NEWER_FORMAT = "newer notebook format"  # made by a newer casebook than this one

_IDENTITY_NAMES = (layout.STUDENT_NAME, layout.STUDENT_ID)
_TEXT_CELLS = ("markdown", "raw", "heading")
_WRITTEN_HEADING = layout.WRITTEN_HEADING
_PROMPT_HEADING = layout.PROMPT_HEADING

_CANVAS = re.compile(r"^(?P<name>[^_]+?)(?:_LATE)?_(?P<id>\d+)_(?P<attempt>\d+)_.+$", re.IGNORECASE)
_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_\w+", re.IGNORECASE)


@dataclass(slots=True)
class Cell:
    kind: str
    source: str
    meta: dict[str, Any]


@dataclass
class Parsed:
    """The parts of a notebook grading needs; everything else is dropped at once."""

    quiz: str | None
    version: str | None
    cells: list[Cell]
    format_problem: str = ""  # why this notebook's contract version cannot be read (layout.FORMAT)


@dataclass
class Answer:
    found: bool
    value: Any = None
    error: str = ""
    notes: list[str] = field(default_factory=list)


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Text safe to write as UTF-8: lone surrogates (legal in JSON and Python escapes, never
    in UTF-8) become U+FFFD, so one student's text cannot stop a file being written."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def _bounded(value: Any) -> tuple[Any, str]:
    """The value with clean strings, or an error when it holds an integer beyond MAX_INT_BITS."""
    if isinstance(value, str):
        return clean_text(value), ""
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value, ""
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:
            return None, f"not a plain value (an integer of more than {MAX_INT_BITS} bits)"
        return value, ""
    if isinstance(value, (list, tuple, set, frozenset)):
        items = []
        for item in value:
            got, error = _bounded(item)
            if error:
                return None, error
            items.append(got)
        return (
            items
            if isinstance(value, list)
            else tuple(items)
            if isinstance(value, tuple)
            else type(value)(items)
        ), ""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            k, error = _bounded(key)
            v, error2 = _bounded(item) if not error else (None, error)
            if error or error2:
                return None, error or error2
            out[k] = v
        return out, ""
    return value, ""


class Rejected(Exception):
    """A submission that cannot be graded; the message is its gradebook status."""


def load(data: bytes) -> Parsed:
    """JSON bytes to cells, for nbformat 4.x (with or without ids) and nbformat 3."""
    try:
        nb = json.loads(data)
    except (ValueError, RecursionError):
        raise Rejected(UNREADABLE) from None
    if not isinstance(nb, dict):
        raise Rejected(NOT_NOTEBOOK)
    if isinstance(nb.get("cells"), list):
        raw = nb["cells"]
    elif isinstance(nb.get("worksheets"), list):
        raw = [
            c
            for ws in nb["worksheets"]
            if isinstance(ws, dict)
            for c in (ws.get("cells") or [])
            if isinstance(ws.get("cells"), list)
        ]
    else:
        raise Rejected(NOT_NOTEBOOK)
    cells = []
    for cell in raw:
        if not isinstance(cell, dict):
            continue
        kind = cell.get("cell_type")
        if kind == "code":
            source = cell.get("source", cell.get("input", ""))  # v3 code cells keep it in "input"
        elif kind in _TEXT_CELLS:
            kind = "markdown" if kind == "heading" else kind  # v3 headings are Markdown now
            source = cell.get("source", "")  # written answers live in Markdown cells
        else:
            continue
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str):
            source = ""
        source = clean_text(source)
        meta = cell.get("metadata")
        cells.append(Cell(kind, source, meta if isinstance(meta, dict) else {}))
    meta = nb.get("metadata")
    casebook = meta.get(layout.NAMESPACE) if isinstance(meta, dict) else None
    casebook = casebook if isinstance(casebook, dict) else {}
    quiz = casebook.get("quiz")
    version = casebook.get("version")
    return Parsed(
        clean_text(quiz) if isinstance(quiz, str) else None,
        clean_text(version) if isinstance(version, str) else None,
        cells,
        layout.format_problem(casebook.get("format")),
    )


def _meta(cell: Cell) -> dict[str, Any]:
    value = cell.meta.get(layout.NAMESPACE)
    return value if isinstance(value, dict) else {}


_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"


@lru_cache(maxsize=8192)
def assignments(source: str) -> tuple[tuple[str, Any, str], ...] | str:
    """(name, value, error) for each top-level assignment, or one error for the whole cell.

    Cached because a class writes the same few answers (``q01 = "b"``) over and
    over; the cache makes thousands of submissions cost a few parses each.
    Values are literals (immutable or never mutated by scoring), so sharing is safe.
    """
    if len(source) > MAX_CELL:
        return f"answer cell too long ({len(source)} characters)"
    source = source.lstrip(_INVISIBLE)  # a BOM or zero-width space pasted before the answer
    simple = _simple(source)
    return simple if simple is not None else parse(source)


def parse(source: str) -> tuple[tuple[str, Any, str], ...] | str:
    """The general path: ast.parse, then literal_eval on each assigned value."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes etc. must not reach stderr
            tree = ast.parse(source)
    except SyntaxError as exc:
        return f"not valid Python (line {exc.lineno}: {exc.msg})"
    except (ValueError, RecursionError, MemoryError, OverflowError):
        return "not valid Python"
    out = []
    other = ""
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, value_node = node.targets[0].id, node.value
        elif (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and (node.value and isinstance(node.annotation, (ast.Name, ast.Constant)))
        ):
            # ``q01: str = "b"``; an annotation that is an expression (a call) would run
            # if the notebook were executed, so it is code like any other
            name, value_node = node.target.id, node.value
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a stray string or number on its own line does nothing
        elif isinstance(node, ast.Pass):
            continue
        else:
            other = other or f"line {node.lineno}: {type(node).__name__.lower()}"
            continue
        out.append((name, *_literal(value_node)))
    if other:
        # Anything but literal assignments voids the answers of this cell: the
        # notebook was told to hold values only, and code may mean something else.
        return f"cell contains code, not just a value ({other})"
    return tuple(out)


_SIMPLE = re.compile(
    r"""([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*"""
    r"""(?:"([^"\\\n]*)"|'([^'\\\n]*)')[ \t]*(?:#.*)?"""
)
_NEWLINE = re.compile(r"\r\n|\r|\n")  # Python's own line ends (str.splitlines knows more)


def _simple(source: str) -> tuple[tuple[str, Any, str], ...] | None:
    """Fast path for cells of plain ``name = "text"`` lines (identity cells, most answers).

    Such a line means exactly the quoted text (no escapes, no prefixes, no
    indentation), so it needs no parser; any other line sends the whole cell
    to ast.parse. Identity cells differ per student, so the cache cannot help them.
    """
    if "\x00" in source:
        return None
    out = []
    for line in _NEWLINE.split(source):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _SIMPLE.fullmatch(line)
        if match is None or keyword.iskeyword(match[1]):
            return None
        value = match[2] if match[2] is not None else match[3]
        out.append((match[1], value, ""))  # the source is clean already (load)
    return tuple(out)


def _literal(node: ast.expr) -> tuple[Any, str]:
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        return None, f"not a plain value ({type(node).__name__.lower()}: computed, not written)"
    if isinstance(value, complex):
        return None, "not a plain value (complex number)"
    if isinstance(value, bytes):
        return None, "not a plain value (bytes)"
    try:
        return _bounded(value)  # "\ud800" escapes survive literal_eval; huge ints too
    except RecursionError:
        return None, "not a plain value (nested too deeply)"


def _mentions(source: str, names: set[str]) -> bool:
    return any(name in source for name in names)


def answers(parsed: Parsed, questions: list[dict[str, Any]]) -> tuple[dict[str, Answer], bool]:
    """Answer of each question id, and whether any answer cell was found at all.

    Cells tagged with the question's id come first; questions whose tagged
    cell is gone are looked up by variable name (``q03`` or ``bu_q03``) in every
    code cell, because editors and copy-paste drop metadata. The last
    assignment wins, as it would if the notebook were run top to bottom.
    """
    by_id = {q["id"]: q for q in questions}
    tagged: dict[str, list[Cell]] = {}
    for cell in parsed.cells:
        meta = _meta(cell)
        qid = meta.get("question")
        if (
            meta.get("role") == layout.ANSWER
            and isinstance(qid, str)
            and qid in by_id
            and (cell.kind == "code" or by_id[meta["question"]].get("manual"))
        ):
            tagged.setdefault(meta["question"], []).append(cell)
    out: dict[str, Answer] = {}
    missing = []
    for n, q in enumerate(questions, start=1):
        if q.get("manual"):
            out[q["id"]] = written(parsed, q, n, tagged.get(q["id"], []))
            continue
        cells = tagged.get(q["id"])
        if not cells:
            missing.append(q)
            continue
        names = {q["var"], q["alias"]}
        answer = _from_cells(cells, names)
        if len(cells) > 1:
            answer.notes.append(f"{len(cells)} answer cells for this question; graded the last")
        if not answer.found and not answer.error:
            answer.error = f"the answer cell does not assign {q['var']}"
            answer.found = True
        out[q["id"]] = answer
    if missing:
        code = [c for c in parsed.cells if c.kind == "code"]
        for q in missing:
            names = {q["var"], q["alias"]}
            answer = _from_cells([c for c in code if _mentions(c.source, names)], names)
            if answer.found:
                answer.notes.append("answer cell found by its variable name (metadata lost)")
            out[q["id"]] = answer
    return out, any(a.found for a in out.values())


def written(parsed: Parsed, q: dict[str, Any], n: int, tagged: list[Cell]) -> Answer:
    """The text of a written answer (question n of the quiz): found, in order of trust, by

    1. the cell's metadata (several tagged cells, as splitting a cell makes, are joined);
    2. its heading line ``**Your answer to question n:**`` (metadata lost, cells moved);
    3. the Markdown cell right after the question's prompt (prompt known by its metadata
       or its ``### Question n`` heading);
    4. an assignment ``q08 = \"\"\"...\"\"\"`` in a code cell (the notebooks of earlier versions).

    The placeholder and the heading are not part of the answer; nothing left means blank.
    """
    names = {q["var"], q["alias"]}
    if tagged:
        answer = _joined(tagged, names)
        if len(tagged) > 1:
            answer.notes.append(f"{len(tagged)} answer cells for this question; their texts were joined")
        return answer
    cells = parsed.cells
    headed = [c for c in cells if c.kind != "code" and _heading_number(c.source) == n]
    if headed:
        answer = _joined(headed, names)
        answer.notes.append("answer cell found by its heading (metadata lost)")
        return answer
    for i, cell in enumerate(cells[:-1]):
        meta = _meta(cell)
        by_meta = meta.get("role") == layout.PROMPT and meta.get("question") == q["id"]
        if cell.kind == "code" or not (by_meta or (not meta and _is_prompt(cell.source, n))):
            continue
        after = cells[i + 1]
        if (
            after.kind != "code"
            and not _meta(after)
            and after.source.strip() != END_NOTE
            and (_PROMPT_HEADING.match(after.source.lstrip()[:100]) is None)
        ):
            answer = _joined([after], names)
            answer.notes.append("answer cell found after its question (metadata lost)")
            return answer
    code = [c for c in cells if c.kind == "code" and _mentions(c.source, names)]
    answer = _from_cells(code, names)
    if answer.found:
        answer.notes.append("answer cell found by its variable name (metadata lost)")
    return answer


def _heading_number(source: str) -> int | None:
    match = _WRITTEN_HEADING.match(source.lstrip()[:200])
    return int(match[1]) if match else None


def _is_prompt(source: str, n: int) -> bool:
    match = _PROMPT_HEADING.match(source.lstrip()[:100])
    return match is not None and int(match[1]) == n


def _joined(cells: list[Cell], names: set[str]) -> Answer:
    texts, notes = [], []
    for cell in cells:
        text, note = written_text(cell, names)
        if text:
            texts.append(text)
        if note and note not in notes:
            notes.append(note)
    return Answer(True, "\n\n".join(texts), notes=notes)


def written_text(cell: Cell, names: set[str]) -> tuple[str, str]:
    """(answer text, note): a Markdown cell's text without heading and placeholder.

    A code cell holds the earlier form ``q08 = \"\"\"text\"\"\"``; prose typed into a
    code cell (no assignment to read) is taken as it stands, since nothing is run.
    """
    source = cell.source
    if cell.kind == "code":
        found = assignments(source)
        if not isinstance(found, str):
            values = [v for name, v, error in found if name in names and not error]
            if values:
                value = values[-1]
                if value is None:
                    return "", ""
                return (
                    (value.strip(), "")
                    if isinstance(value, str)
                    else (str(value), "written answer is not text; read as it stands")
                )
        if len(source) > MAX_CELL:
            source = source[:MAX_CELL]
        note = "written answer typed in a code cell; read as text"
        return _clean(source), note if _clean(source) else ""
    return _clean(source), ""


def _clean(source: str) -> str:
    """The answer without the placeholder and the heading line (text after it on its line stays)."""
    text = source.replace(WRITTEN_PLACEHOLDER, "").strip()
    match = _WRITTEN_HEADING.match(text[:200])
    return text[match.end() :].strip() if match else text


def _from_cells(cells: list[Cell], names: set[str]) -> Answer:
    answer = Answer(False)
    for cell in cells:
        found = assignments(cell.source)
        if isinstance(found, str):
            if any(_assigns_name(cell.source, n) for n in names) or _is_tagged(cell):
                answer = Answer(True, None, found)
            continue
        for name, value, error in found:
            if name in names:
                answer = Answer(True, value, error)
    return answer


def _is_tagged(cell: Cell) -> bool:
    return _meta(cell).get("role") == layout.ANSWER


def _assigns_name(source: str, name: str) -> bool:
    return re.search(rf"(?m)^\s*{re.escape(name)}\s*[:=]", source) is not None


class Identity(NamedTuple):
    student: str
    name: str
    source: str  # FROM_FOLDER, FROM_FILE_NAME, FROM_CELL or FROM_PATH ("" when nothing)
    claimed: str = ""  # the id the identity cell gives when it differs from a trusted one
    attempt: int = -1  # a Canvas attachment id (later uploads have higher ids), else -1


def identity(parsed: Parsed, path: str) -> Identity:
    """Whose submission this is. Where the file came from wins over what it says.

    nbgrader's ``submitted/<student>/`` folder and an LMS download name are made by the
    system that collected the file, so they are trusted; the identity cell is typed by
    the student. When both give an id and they differ, the submission is graded under
    the trusted one and the claimed id is kept to be reported. Only without a trusted
    id does the cell decide (then the name-only cell, then nothing).
    """
    sid, name = _cell_identity(parsed)
    path_id, path_name, attempt = from_path(path)
    if path_id:
        source = FROM_FOLDER if _nbgrader_id(path) else FROM_FILE_NAME
        if sid and sid != path_id:
            return Identity(path_id, path_name, source, sid, attempt)
        return Identity(path_id, path_name or name, source, "", attempt)
    if sid:
        return Identity(sid, name, FROM_CELL)
    if name:
        return Identity(name, name, FROM_CELL)
    return Identity("", "", "")


def _cell_identity(parsed: Parsed) -> tuple[str, str]:
    sid = name = ""
    cells = [c for c in parsed.cells if c.kind == "code" and _meta(c).get("role") == layout.IDENTITY]
    if not cells:
        cells = [c for c in parsed.cells if c.kind == "code" and layout.STUDENT_ID in c.source]
    for cell in cells:
        found = assignments(cell.source)
        if isinstance(found, str):
            continue
        for var, value, error in found:
            if (
                error
                or var not in _IDENTITY_NAMES
                or value is None
                or isinstance(value, (list, dict, tuple, set))
            ):
                continue
            text = " ".join(str(value).split())[:200]
            if var == layout.STUDENT_ID:
                sid = text
            else:
                name = text
    return sid, name


def _nbgrader_id(path: str) -> str:
    parts = PurePath(path).parts
    if "submitted" in parts:
        at = len(parts) - 1 - parts[::-1].index("submitted")
        if len(parts) - at >= 4:  # submitted/<student>/<assignment>/<file>
            return parts[at + 1]
    return ""


def from_path(path: str) -> tuple[str, str, int]:
    """Student id, name and attempt from nbgrader's folders or an LMS download's file name."""
    nbgrader = _nbgrader_id(path)
    if nbgrader:
        return nbgrader, "", -1
    parts = PurePath(path).parts
    for part in parts[-1:-3:-1]:  # the file, then its folder (Moodle zips nest one level)
        match = _MOODLE.match(part)
        if match:
            return match["id"], match["name"].strip(), -1
        match = _CANVAS.match(part)
        if match:
            return match["id"], match["name"].strip(), int(match["attempt"][:18])
    return "", "", -1
