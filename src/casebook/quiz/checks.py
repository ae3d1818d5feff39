"""Rules across the fields of one question: what pydantic alone cannot check.

Every rule returns (field, message) pairs instead of raising, so that
``casebook validate`` reports every problem of every question in one run.
The rules particular to a question type are that type's ``check`` in
:mod:`casebook.quiz.types`; the ones here hold for all types.
"""

from __future__ import annotations

import re

from casebook.edition import Paragraph
from casebook.quiz.schema import Problem, Question


def check_question(q: Question, chapter: str, paras: dict[str, Paragraph]) -> list[Problem]:
    """Every problem of one question; an empty list when it is sound."""
    out: list[Problem] = []
    kind = q.kind
    keys, targets = q.option_keys, q.target_keys

    if kind.options:
        if not q.options or len(q.options) < 2:
            out.append(("options", f"{q.type} needs at least two options"))
    elif q.options is not None:
        out.append(("options", f"not used by {q.type} questions"))
    if kind.targets:
        if not q.targets:
            out.append(("targets", f"{q.type} needs targets"))
    elif q.targets is not None:
        out.append(("targets", "only for matching questions"))
    for name, seq in (("options", keys), ("targets", targets)):
        dupes = sorted({k for k in seq if seq.count(k) > 1})
        if dupes:
            out.append((name, f"duplicate key {', '.join(dupes)}"))
    if q.answer is None and not kind.manual:
        out.append(("answer", "missing"))
    else:
        out.extend(kind.check(q, keys, targets))
    if not kind.manual and q.explanation is None:
        out.append(("explanation", "missing"))
    for name in ("word_limit", "rubric"):
        if not kind.manual and getattr(q, name) is not None:
            out.append((name, "only for written questions"))
    if kind.own_misconception:
        if not q.misconception:
            out.append(("misconception", f"{q.type} needs what the wrong choice reveals"))
    elif q.misconception is not None:
        out.append(("misconception", "only for true_false (options carry their own)"))
    if q.wrong is not None and not kind.wrong_answers:
        out.append(("wrong", "only for numeric and short_text questions"))
    if not re.fullmatch(rf"{re.escape(chapter)}-o[1-9][0-9]*", q.objective):
        out.append(("objective", f"expected {chapter}-oN, got {q.objective!r}"))
    for i, ev in enumerate(q.evidence):
        para = paras.get(ev.para)
        if para is None:
            out.append((f"evidence[{i}].para", f"no paragraph {ev.para}"))
        elif ev.quote not in para.text and ev.quote not in para.reading:
            out.append((f"evidence[{i}].quote", f"not found in {ev.para}"))
    return out
