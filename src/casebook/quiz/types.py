"""Question types, each defined once: what it accepts, how it is answered, scored and worded.

Every consumer of a question type keeps its per-type code in a table keyed by
type (``scoring.CREDIT``, ``sphinx.quiz.BODY``, ``lms.qti.WRITERS``,
``grading.demo.ANSWER``...), and ``tests/test_types.py`` fails when any of
those tables lacks a type of :data:`REGISTRY`. What belongs to the type itself
lives here:

- ``shape``: the bank's ``answer`` in the form the scorer compares;
- ``check``: the cross-field rules of its answer (``bank`` reports them);
- ``key``: its fields in the plain answer key (``key.answer_key``);
- ``placeholder`` and ``how``: its answer cell in a released notebook;
- ``right_answer``: the key in words, one wording for feedback pages, notebooks
  and the book's quiz alike; ``literal``: the value a solutions notebook writes;
- how an answer is read and scored: ``scoring.CREDIT[name]`` and its
  neighbours, which stay in ``scoring`` because practice notebooks embed
  that module on its own.

To add a type: add its name to ``schema.Kind``, define it here, then let the
registry test name every table still missing it (see CONTRIBUTING.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from casebook.quiz import scoring
from casebook.quiz.numbers import plain, points
from casebook.quiz.schema import (
    TYPES,
    NumericAnswer,
    Problem,
    Question,
    TextAnswer,
    as_key,
    messages,
)


@dataclass(frozen=True)
class QuestionType:
    name: str
    placeholder: str  # the answer cell's starting literal ("" for a Markdown answer cell)
    how: str  # the line under the prompt: how to write the answer
    shape: Callable[[Any], Any]
    check: Callable[[Question, list[str], list[str]], list[Problem]]
    key: Callable[[Question], dict[str, Any]]
    right_answer: Callable[[Question], str]
    literal: Callable[[Question], str]
    options: bool = False  # answered with option keys
    targets: bool = False  # options are matched to targets
    ordered: bool = False  # the answer is an order of the options: never displayed in key order
    wrong_answers: bool = False  # may list known wrong answers (`wrong:`)
    own_misconception: bool = False  # the question (not each option) says what a wrong answer reveals
    manual: bool = False  # scored by hand with a rubric
    hint: Callable[[Question], str] = lambda q: ""  # added to `how` for this question (a unit)

    @property
    def credit(self) -> Callable[[dict[str, Any], object], tuple[float, str, str]]:
        return scoring.CREDIT[self.name]


# --- shapes -------------------------------------------------------------------------------------


def as_is(answer: Any) -> Any:
    return answer


def _keys(answer: Any) -> Any:
    return [as_key(a) for a in answer]


def _pairs(answer: Any) -> Any:
    return {as_key(k): as_key(v) for k, v in answer.items()}


# --- checks: (field, message) problems of one question's answer ---------------------------------


def misconception_problems(q: Question, right: set[str]) -> list[Problem]:
    """Every wrong option says what choosing it reveals; the right ones say nothing."""
    out = []
    for i, option in enumerate(q.options or []):
        if option.key in right and option.misconception:
            out.append((f"options[{i}].misconception", "the correct option has none"))
        elif option.key not in right and not option.misconception:
            out.append((f"options[{i}].misconception", "missing on a wrong option"))
    return out


def _check_single(q: Question, keys: list[str], targets: list[str]) -> list[Problem]:
    key = as_key(q.answer)
    if not isinstance(key, str):
        return [("answer", "single needs one option key")]
    if key not in keys:
        return [("answer", f"no option {key}")]
    return misconception_problems(q, {key})


def _check_multiple(q: Question, keys: list[str], targets: list[str]) -> list[Problem]:
    if not isinstance(q.answer, list) or not q.answer:
        return [("answer", "multiple needs a list of option keys")]
    picked = [as_key(a) for a in q.answer]
    missing = [str(k) for k in picked if k not in keys]
    if missing:
        return [("answer", f"no option {', '.join(missing)}")]
    if len(set(picked)) != len(picked):
        return [("answer", "a key is listed twice")]
    return misconception_problems(q, set(picked))


def _check_true_false(q: Question, keys: list[str], targets: list[str]) -> list[Problem]:
    return [] if isinstance(q.answer, bool) else [("answer", "true_false needs true or false")]


def _check_numeric(q: Question, keys: list[str], targets: list[str]) -> list[Problem]:
    try:
        NumericAnswer.model_validate(q.answer)
    except ValidationError as exc:
        return [(f"answer.{f}" if f else "answer", m) for f, m in messages(exc)]
    return [
        (f"wrong[{i}].answer", "numeric wrong answers are numbers")
        for i, w in enumerate(q.wrong or [])
        if not isinstance(w.answer, float | int)
    ]


def _check_ordering(q: Question, keys: list[str], targets: list[str]) -> list[Problem]:
    if not isinstance(q.answer, list):
        return [("answer", "ordering needs a list of every option key")]
    order = [as_key(a) for a in q.answer]
    if sorted(map(str, order)) != sorted(keys) or len(order) != len(keys):
        return [("answer", "not a permutation of the option keys")]
    return []


def _check_matching(q: Question, keys: list[str], targets: list[str]) -> list[Problem]:
    if not isinstance(q.answer, dict):
        return [("answer", "matching needs a mapping of left key to target key")]
    pairs = _pairs(q.answer)
    unknown = [str(k) for k in pairs if k not in keys]
    if unknown:
        return [("answer", f"no option {', '.join(unknown)}")]
    missing = [k for k in keys if k not in pairs]
    if missing:
        return [("answer", f"no match for {', '.join(missing)}")]
    bad = sorted({str(v) for v in pairs.values() if v not in targets})
    if bad:
        return [("answer", f"no target {', '.join(bad)}")]
    return []


def _check_short_text(q: Question, keys: list[str], targets: list[str]) -> list[Problem]:
    try:
        accepted = TextAnswer.model_validate(q.answer)
    except ValidationError as exc:
        return [(f"answer.{f}" if f else "answer", m) for f, m in messages(exc)]
    out: list[Problem] = []
    forms = {scoring.normalize_text(a) for a in accepted.accept}
    if "" in forms:
        out.append(("answer.accept", "an accepted form is empty once normalised"))
    for i, w in enumerate(q.wrong or []):
        if scoring.normalize_text(str(w.answer)) in forms:
            out.append((f"wrong[{i}].answer", "is also accepted"))
    return out


def _check_written(q: Question, keys: list[str], targets: list[str]) -> list[Problem]:
    """Scored by hand: a rubric instead of an answer, its top levels adding up to the points."""
    out = []
    if q.answer is not None:
        out.append(("answer", "written questions have a rubric, not an answer"))
    if not q.rubric:
        return out + [("rubric", "written questions need a rubric")]
    names = [c.criterion for c in q.rubric]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        out.append(("rubric", f"duplicate criterion {', '.join(dupes)}"))
    total = sum(c.max_points for c in q.rubric)
    if abs(total - q.points) > 1e-9:
        out.append(("rubric", f"top levels add up to {total:g}, but points is {q.points:g}"))
    return out


# --- answer-key fields --------------------------------------------------------------------------


def _key_answer(q: Question) -> dict[str, Any]:
    return {"answer": q.key_answer()}


def _key_true_false(q: Question) -> dict[str, Any]:
    return {"answer": q.key_answer(), "misconception": q.misconception or ""}


def _key_numeric(q: Question) -> dict[str, Any]:
    answer = q.key_answer()
    return {
        "value": answer.value,
        "tolerance": answer.tolerance,
        "unit": answer.unit,
        "wrong": [(float(w.answer), w.misconception) for w in q.wrong or []],
        "answer": answer.value,
    }


def _key_short_text(q: Question) -> dict[str, Any]:
    answer = q.key_answer()
    return {
        "accept": sorted({scoring.normalize_text(a) for a in answer.accept}),
        "answer": answer.accept[0],
        "wrong": [(scoring.normalize_text(str(w.answer)), w.misconception) for w in q.wrong or []],
    }


def _key_written(q: Question) -> dict[str, Any]:
    return {"manual": True, "answer": None, "word_limit": q.word_limit}


# --- the key in words -----------------------------------------------------------------------------


def _option(q: Question, key: str) -> str:
    texts = {o.key: o.text.strip() for o in q.options or []}
    return f"{key}) {texts.get(key, '')}".rstrip()


def rubric_summary(q: Question) -> str:
    """'evidence (3); reasoning (4)': the criteria and what each is worth."""
    return "; ".join(f"{c.criterion} ({points(c.max_points)})" for c in q.rubric or [])


def _words_single(q: Question) -> str:
    return _option(q, q.key_answer())


def _words_multiple(q: Question) -> str:
    return "; ".join(_option(q, k) for k in q.key_answer())


def _words_true_false(q: Question) -> str:
    return "True" if q.key_answer() else "False"


def _words_numeric(q: Question) -> str:
    answer = q.key_answer()
    spread = f" (± {plain(answer.tolerance)})" if answer.tolerance else ""
    unit = f" {answer.unit}" if answer.unit else ""
    return f"{plain(answer.value)}{spread}{unit}"


def _words_ordering(q: Question) -> str:
    return " → ".join(_option(q, k) for k in q.key_answer())


def _words_matching(q: Question) -> str:
    targets = {t.key: t.text.strip() for t in q.targets or []}
    return "; ".join(
        f"{_option(q, k)} → {v}) {targets.get(v, '')}".rstrip() for k, v in q.key_answer().items()
    )


def _words_short_text(q: Question) -> str:
    return " / ".join(q.key_answer().accept)


def _words_written(q: Question) -> str:
    return "scored by hand: " + rubric_summary(q)


def _unit_hint(q: Question) -> str:
    unit = q.key_answer().unit
    return f" Unit: {unit}." if unit else ""


# --- what a solutions notebook writes ------------------------------------------------------------


def _literal(q: Question) -> str:
    return repr(q.key_answer())


def _literal_numeric(q: Question) -> str:
    value = q.key_answer().value
    return repr(int(value)) if float(value).is_integer() else repr(value)


def _literal_short_text(q: Question) -> str:
    return repr(q.key_answer().accept[0])


def _literal_written(q: Question) -> str:
    return ""  # a Markdown cell: notebooks.written_source fills it


REGISTRY: dict[str, QuestionType] = {
    t.name: t
    for t in (
        QuestionType(
            "single",
            '""',
            "Choose **one** option: write its key in quotes.",
            as_key,
            _check_single,
            _key_answer,
            _words_single,
            _literal,
            options=True,
        ),
        QuestionType(
            "multiple",
            "[]",
            "Choose **every** option that applies: write a list of keys.",
            _keys,
            _check_multiple,
            _key_answer,
            _words_multiple,
            _literal,
            options=True,
        ),
        QuestionType(
            "true_false",
            "None",
            "Write `True` or `False` (no quotes).",
            as_is,
            _check_true_false,
            _key_true_false,
            _words_true_false,
            _literal,
            own_misconception=True,
        ),
        QuestionType(
            "numeric",
            "None",
            "Write a number (no quotes, no unit).",
            NumericAnswer.model_validate,
            _check_numeric,
            _key_numeric,
            _words_numeric,
            _literal_numeric,
            wrong_answers=True,
            hint=_unit_hint,
        ),
        QuestionType(
            "ordering",
            "[]",
            "Write a list of **all** item keys, first to last.",
            _keys,
            _check_ordering,
            _key_answer,
            _words_ordering,
            _literal,
            options=True,
            ordered=True,
        ),
        QuestionType(
            "matching",
            "{}",
            "Write a dict that gives each left key its right key.",
            _pairs,
            _check_matching,
            _key_answer,
            _words_matching,
            _literal,
            options=True,
            targets=True,
        ),
        QuestionType(
            "short_text",
            '""',
            "Write a short text in quotes.",
            TextAnswer.model_validate,
            _check_short_text,
            _key_short_text,
            _words_short_text,
            _literal_short_text,
            wrong_answers=True,
        ),
        QuestionType(
            "written",
            "",
            "Write your answer in the text cell below, in place of the words “Write your "
            "answer here.” (double-click the cell to edit it; Markdown is fine). It is scored "
            "by hand.",
            as_is,
            _check_written,
            _key_written,
            _words_written,
            _literal_written,
            manual=True,
        ),
    )
}

assert tuple(REGISTRY) == TYPES, "schema.Kind and the registry must list the same types"
# Types, not outcomes (scoring.MANUAL is the outcome of a written answer).
HAND_SCORED_TYPES = frozenset(name for name, t in REGISTRY.items() if t.manual)
OPTION_TYPES = frozenset(name for name, t in REGISTRY.items() if t.options)
