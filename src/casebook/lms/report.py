"""What the bank formats share: the report of what a file carries, feedback text, plain numbers.

The format modules (``qti``, ``gift``, ``moodle_xml``) import these from here
rather than from the package, so ``casebook.lms`` can import the format
modules without an import cycle.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt

from casebook.edition import Paragraph
from casebook.quiz import wording
from casebook.quiz.bank import TYPES, Bank, Question

_MD = MarkdownIt("commonmark", {"html": False}).enable("table")
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0


def xml_safe(text: str) -> str:
    """Text without the characters XML 1.0 forbids (control characters other than tab and line ends)."""
    return _BAD_XML.sub("", text)


def md_html(text: str) -> str:
    """Bank Markdown as HTML for an LMS, raw HTML off as in the feedback files (author HTML is
    shown as text, never run)."""
    return xml_safe(_MD.render(text.strip()).strip())


@dataclass
class Report:
    """What one exported file carries, and what it could not."""

    quiz: str
    path: Path
    fmt: str  # the target's name as a reader knows it, "Canvas QTI" or "Moodle GIFT"
    carried: Counter = field(default_factory=Counter)  # question type -> number exported
    skipped: dict[str, list[str]] = field(default_factory=dict)  # type -> question ids
    notes: list[str] = field(default_factory=list)  # carried, but with something lost

    @property
    def total(self) -> int:
        return sum(self.carried.values()) + sum(len(ids) for ids in self.skipped.values())

    def skip(self, q: Question) -> None:
        self.skipped.setdefault(q.type, []).append(q.id)

    def lines(self) -> list[str]:
        """One line for the file, then one per type the format cannot carry, then the losses."""
        kinds = ", ".join(f"{kind} {self.carried[kind]}" for kind in TYPES if self.carried[kind])
        out = [
            f"{self.quiz}: {sum(self.carried.values())} of {self.total} questions -> "
            f"{self.path} ({kinds or 'nothing'})"
        ]
        for kind, ids in self.skipped.items():
            plural = "question" if len(ids) == 1 else "questions"
            out.append(
                f"  {kind}: not supported by {self.fmt}, {len(ids)} {plural} skipped ({', '.join(ids)})"
            )
        out += [f"  note: {note}" for note in self.notes]
        return out


def of_type(bank: Bank, kind: str) -> list[Question]:
    return [q for q in bank.questions if q.type == kind]


def evidence_md(q: Question, paras: dict[str, Paragraph] | None = None) -> str:
    """The cited passages as the student feedback pages cite them: the Chinese quote and its
    paragraph id, then the paragraph's English translation (when the edition has one)."""
    cites = wording.evidence(q, paras if paras is not None else {})
    return "\n\n".join(
        f"> {e['quote']} ({e['para']})" + (f"\n>\n> *{e['en'].strip()}*" if e["en"] else "") for e in cites
    )


def general_feedback_md(q: Question, paras: dict[str, Paragraph] | None = None) -> str:
    """Shown after the attempt in the LMS: the explanation and the cited passages, in Chinese
    and English (Markdown). Without ``paras`` the passages are given in Chinese only."""
    parts = [q.explanation.strip()] if q.explanation else []
    parts.append("Evidence:\n\n" + evidence_md(q, paras))
    return "\n\n".join(parts)


# Moodle's short-answer question compares case-insensitively (usecase 0: GIFT's default, and what
# the Moodle XML export writes) and does nothing else the grader does; both Moodle formats say so.
MOODLE_SHORT_TEXT = (
    "short_text: Moodle ignores case but not the grader's other normalisation "
    "(full-width characters, surrounding punctuation)"
)


def bank_points(bank: Bank) -> float:
    """What the whole quiz is worth, hand-scored questions included: the one total that the
    QTI quiz, the Moodle XML questions and the grade CSVs' maximum all carry."""
    return float(sum(q.points for q in bank.questions))


def number(value: float) -> str:
    """100 not 100.0, 0.5, 1e-07 as 0.0000001: a plain decimal any LMS parser reads."""
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
