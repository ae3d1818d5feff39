"""What the bank formats share: the report of what a file carries, and the feedback text."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from casebook.quiz.bank import TYPES, Bank, Question


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
        out = [f"{self.quiz}: {sum(self.carried.values())} of {self.total} questions -> "
               f"{self.path} ({kinds or 'nothing'})"]
        for kind, ids in self.skipped.items():
            plural = "question" if len(ids) == 1 else "questions"
            out.append(f"  {kind}: not supported by {self.fmt}, {len(ids)} {plural} skipped "
                       f"({', '.join(ids)})")
        out += [f"  note: {note}" for note in self.notes]
        return out


def of_type(bank: Bank, kind: str) -> list[Question]:
    return [q for q in bank.questions if q.type == kind]


def evidence_md(q: Question) -> str:
    """The cited passages, as the student feedback cites them: quote (paragraph id)."""
    return "\n\n".join(f"> {ev.quote} ({ev.para})" for ev in q.evidence)


def general_feedback_md(q: Question) -> str:
    """Shown after the attempt in the LMS: the explanation and the cited passages (Markdown)."""
    parts = [q.explanation.strip()] if q.explanation else []
    parts.append("Evidence:\n\n" + evidence_md(q))
    return "\n\n".join(parts)


def number(value: float) -> str:
    """100 not 100.0, 0.5, 1e-07 as 0.0000001: a plain decimal any LMS parser reads."""
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
