"""How answers read to people: the right answer and the evidence, in plain text.

Solutions notebooks, practice checkers, feedback pages and the book's quiz all
show the same words for the same answer: each question type words its key
once (``right_answer`` in :mod:`casebook.quiz.types`), and this module is
where every consumer asks for it.
"""

from __future__ import annotations

from casebook.edition import Paragraph
from casebook.quiz.numbers import points
from casebook.quiz.schema import Bank, Question
from casebook.quiz.types import rubric_summary

__all__ = [
    "MAX_SHOWN",
    "answer_literal",
    "evidence",
    "points",
    "right_answer",
    "rubric_markdown",
    "rubric_summary",
    "shown_value",
    "total_points",
]

MAX_SHOWN = 300  # characters of a student's answer shown back; the rest is elided


def right_answer(q: Question) -> str:
    """The key in words: option keys with their texts, values with units."""
    return q.kind.right_answer(q)


def answer_literal(q: Question) -> str:
    """The Python literal a solutions notebook writes into the answer cell (not for written)."""
    return q.kind.literal(q)


def rubric_markdown(q: Question) -> str:
    lines = []
    for c in q.rubric or []:
        lines.append(f"- **{c.criterion}** ({points(c.max_points)}): {c.description.strip()}")
        lines += [f"  - {points(lv.points)}, {lv.label}: {lv.description.strip()}" for lv in c.levels]
    return "\n".join(lines)


def shown_value(value: object) -> str:
    """A student's literal as they wrote it, cut short so one huge string cannot bloat reports."""
    text = repr(value)
    if len(text) > MAX_SHOWN:
        text = text[:MAX_SHOWN] + f"… ({len(text)} characters)"
    return text


def evidence(q: Question, paras: dict[str, Paragraph]) -> list[dict[str, str]]:
    """Cited passages: the Chinese quote, its paragraph id and the paragraph's English."""
    out = []
    for ev in q.evidence:
        para = paras.get(ev.para)
        out.append({"para": ev.para, "quote": ev.quote, "en": para.en if para else ""})
    return out


def total_points(bank: Bank) -> str:
    return points(sum(q.points for q in bank.questions))
