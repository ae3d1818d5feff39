"""How answers read to people: the right answer and the evidence, in plain text.

Solutions notebooks, practice checkers and feedback all show the same words
for the same answer, so the wording lives here once.
"""

from __future__ import annotations

from functools import lru_cache

from casebook.edition import Paragraph
from casebook.quiz.bank import Bank, Question

MAX_SHOWN = 300  # characters of a student's answer shown back; the rest is elided
MAX_WRITTEN = 6000  # a written answer is shown whole up to about a thousand words


def _fmt_number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e15 else repr(value)


def right_answer(q: Question) -> str:
    """The key in words: option keys with their texts, values with units."""
    if q.manual:
        return "scored by hand: " + rubric_summary(q)
    texts = {o.key: o.text.strip() for o in q.options or []}
    targets = {t.key: t.text.strip() for t in q.targets or []}
    answer = q.key_answer()

    def opt(key: str) -> str:
        return f"{key}) {texts.get(key, '')}".rstrip()

    if q.type == "single":
        return opt(answer)
    if q.type == "multiple":
        return "; ".join(opt(k) for k in answer)
    if q.type == "true_false":
        return "True" if answer else "False"
    if q.type == "numeric":
        spread = f" (± {_fmt_number(answer.tolerance)})" if answer.tolerance else ""
        unit = f" {answer.unit}" if answer.unit else ""
        return f"{_fmt_number(answer.value)}{spread}{unit}"
    if q.type == "ordering":
        return " → ".join(opt(k) for k in answer)
    if q.type == "matching":
        return "; ".join(f"{opt(k)} → {v}) {targets.get(v, '')}".rstrip() for k, v in
                         answer.items())
    return " / ".join(answer.accept)


def rubric_summary(q: Question) -> str:
    """'evidence (3); reasoning (4)': the criteria and what each is worth."""
    return "; ".join(f"{c.criterion} ({points(c.max_points)})" for c in q.rubric or [])


def rubric_markdown(q: Question) -> str:
    lines = []
    for c in q.rubric or []:
        lines.append(f"- **{c.criterion}** ({points(c.max_points)}): {c.description.strip()}")
        lines += [f"  - {points(lv.points)}, {lv.label}: {lv.description.strip()}"
                  for lv in c.levels]
    return "\n".join(lines)


def answer_literal(q: Question) -> str:
    """The Python literal a solutions notebook writes into the answer cell."""
    if q.manual:
        return '"""\n(scored by hand with the rubric)\n"""'
    answer = q.key_answer()
    if q.type == "numeric":
        value = answer.value
        return repr(int(value)) if float(value).is_integer() else repr(value)
    if q.type == "short_text":
        return repr(answer.accept[0])
    return repr(answer)


def shown_value(value: object, written: bool = False) -> str:
    """A student's literal as they wrote it, cut short so one huge string cannot bloat reports.

    Written answers are shown as text (not repr), with room for a 500-word answer.
    """
    if written and isinstance(value, str):
        text = value.strip()
        limit = MAX_WRITTEN
    else:
        text, limit = repr(value), MAX_SHOWN
    if len(text) > limit:
        text = text[:limit] + f"… ({len(text)} characters)"
    return text


def evidence(q: Question, paras: dict[str, Paragraph]) -> list[dict[str, str]]:
    """Cited passages: the Chinese quote, its paragraph id and the paragraph's English."""
    out = []
    for ev in q.evidence:
        para = paras.get(ev.para)
        out.append({"para": ev.para, "quote": ev.quote, "en": para.en if para else ""})
    return out


@lru_cache(maxsize=8192)
def points(value: float) -> str:
    """1 not 1.0, 0.5, 0.3333: credits read like a person wrote them (cached: few distinct)."""
    text = f"{round(value, 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def total_points(bank: Bank) -> str:
    return points(sum(q.points for q in bank.questions))
