"""The answer key: a bank as plain data for scoring, with no pydantic in it.

Grading workers, the practice notebooks' checker and the book's quiz all score
from this dict (picklable, JSON-able, cheap to send to a worker process).
"""

from __future__ import annotations

from typing import Any

from casebook.quiz.layout import alias, variable
from casebook.quiz.schema import Bank


def answer_key(bank: Bank) -> dict[str, Any]:
    """The bank as plain data for scoring: picklable, no pydantic, answers normalised."""
    questions = []
    for index, q in enumerate(bank.questions):
        entry: dict[str, Any] = {
            "id": q.id,
            "type": q.type,
            "var": variable(index),
            "alias": alias(q.id),
            "points": float(q.points),
            "options": q.option_keys,
            "targets": q.target_keys,
            "misconceptions": {o.key: o.misconception for o in q.options or [] if o.misconception},
        }
        entry.update(q.kind.key(q))
        questions.append(entry)
    return {
        "quiz": bank.quiz,
        "title": bank.title,
        "version": bank.version,
        "max_score": float(sum(q.points for q in bank.questions if not q.manual)),
        "manual_points": float(sum(q.points for q in bank.questions if q.manual)),
        "questions": questions,
    }
