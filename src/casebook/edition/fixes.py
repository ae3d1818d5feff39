"""Reviewed correction tables: read, check against their context, apply.

A correction is a row ``para, offset, from, to, before, after, why``: at
code-point ``offset`` of paragraph ``para`` the text reads ``from``, preceded by
``before`` and followed by ``after``; it becomes ``to``. The context is what
makes a row safe to review and to apply: a row whose context no longer matches
(because the seed or an earlier row changed) is refused, never applied blindly.
An insertion has an empty ``from``.

Two tables share this format: character fixes (applied to the raw text, giving
the edition's ``text``) and punctuation restored for readers (applied to
``text``, giving ``reading``).
"""

from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass
from pathlib import Path

from casebook.errors import CasebookError

COLUMNS = ("para", "offset", "from", "to", "before", "after", "why")
CONTEXT = 4


@dataclass(frozen=True)
class Fix:
    para: str
    offset: int
    old: str
    new: str
    before: str
    after: str
    why: str
    where: str = ""  # file:line, for messages

    def as_row(self) -> list[str]:
        return [self.para, str(self.offset), self.old, self.new, self.before, self.after, self.why]


def read_table(path: Path) -> list[Fix]:
    """Parse a TSV table; every malformed row is reported with its line."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except FileNotFoundError:
        raise CasebookError(f"{path}: correction table not found") from None
    with handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None or tuple(header) != COLUMNS:
            raise CasebookError(f"{path}:1: header must be {' '.join(COLUMNS)}")
        fixes: list[Fix] = []
        for line_no, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) != len(COLUMNS):
                raise CasebookError(f"{path}:{line_no}: expected {len(COLUMNS)} columns, got {len(row)}")
            para, offset, old, new, before, after, why = row
            if not offset.isdigit():
                raise CasebookError(f"{path}:{line_no}: offset {offset!r} is not a number")
            if old == new:
                raise CasebookError(f"{path}:{line_no}: 'from' and 'to' are the same")
            if not why.strip():
                raise CasebookError(f"{path}:{line_no}: every correction needs a reason ('why')")
            fixes.append(Fix(para, int(offset), old, new, before, after, why, where=f"{path.name}:{line_no}"))
    return fixes


def write_table(path: Path, fixes: list[Fix]) -> None:
    ordered = sorted(fixes, key=lambda f: (f.para, f.offset))
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", quoting=csv.QUOTE_NONE, lineterminator="\n")
        writer.writerow(COLUMNS)
        for fix in ordered:
            writer.writerow(fix.as_row())
    tmp.replace(path)


def check(fix: Fix, text: str) -> str | None:
    """Why ``fix`` does not fit ``text``, or None when it does."""
    end = fix.offset + len(fix.old)
    if end > len(text):
        return f"offset {fix.offset} is past the end of {fix.para} ({len(text)} characters)"
    if text[fix.offset : end] != fix.old:
        return f"{fix.para}@{fix.offset}: expected {fix.old!r}, found {text[fix.offset : end]!r}"
    if not text[: fix.offset].endswith(fix.before):
        got = text[max(0, fix.offset - len(fix.before)) : fix.offset]
        return f"{fix.para}@{fix.offset}: context before should be {fix.before!r}, found {got!r}"
    if not text[end:].startswith(fix.after):
        got = text[end : end + len(fix.after)]
        return f"{fix.para}@{fix.offset}: context after should be {fix.after!r}, found {got!r}"
    return None


def apply(fixes: list[Fix], texts: dict[str, str]) -> dict[str, str]:
    """Apply every row or none: all rows are checked before any text changes."""
    problems = []
    by_para: dict[str, list[Fix]] = {}
    for fix in fixes:
        if fix.para not in texts:
            problems.append(f"{fix.where}: no paragraph {fix.para}")
            continue
        reason = check(fix, texts[fix.para])
        if reason:
            problems.append(f"{fix.where}: {reason}")
        by_para.setdefault(fix.para, []).append(fix)
    for para, rows in by_para.items():
        rows.sort(key=lambda f: (f.offset, len(f.old)))
        for prev, cur in zip(rows, rows[1:], strict=False):
            if cur.offset < prev.offset + len(prev.old) or (
                cur.offset == prev.offset and not (prev.old or cur.old)
            ):
                problems.append(f"{cur.where}: overlaps {prev.where} in {para}")
    if problems:
        raise CasebookError(problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    out = dict(texts)
    for para, rows in by_para.items():
        text = out[para]
        for fix in sorted(rows, key=lambda f: f.offset, reverse=True):
            text = text[: fix.offset] + fix.new + text[fix.offset + len(fix.old) :]
        out[para] = text
    return out


def row_for(para: str, text: str, anchor: str, old: str, new: str, why: str, width: int = CONTEXT) -> Fix:
    """Build a row for the only place where ``old`` sits inside ``anchor`` in ``text``.

    ``anchor`` is a short snippet that contains ``old`` and occurs once in the
    paragraph; it lets a reviewer name the place by what it says, not by counting.
    """
    if text.count(anchor) != 1:
        raise CasebookError(f"{para}: anchor {anchor!r} occurs {text.count(anchor)} times")
    if anchor.count(old) != 1 and old:
        raise CasebookError(f"{para}: {old!r} must occur once in anchor {anchor!r}")
    offset = text.index(anchor) + (anchor.index(old) if old else len(anchor))
    return make_row(para, text, offset, old, new, why, width)


def make_row(para: str, text: str, offset: int, old: str, new: str, why: str, width: int = CONTEXT) -> Fix:
    end = offset + len(old)
    return Fix(para, offset, old, new, text[max(0, offset - width) : offset], text[end : end + width], why)


def rows_from_diff(para: str, text: str, target: str, why: str) -> list[Fix]:
    """Rows that turn ``text`` into ``target``: how a hand-edited reading text becomes a table."""
    rows = []
    matcher = difflib.SequenceMatcher(a=text, b=target, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            rows.append(make_row(para, text, i1, text[i1:i2], target[j1:j2], why))
    return rows
