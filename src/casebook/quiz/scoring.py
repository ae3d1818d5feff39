"""How one answer earns credit: the scoring rules of exercises/README.md, in one place.

This module imports nothing from casebook and nothing outside the standard
library, on purpose: practice notebooks embed its source verbatim so a
student's self-check and the instructor's grader can never disagree, even on
a laptop without the package. It therefore also avoids
``from __future__`` (an embedded future import would not be first in its cell).

It is also the reference for the book's quiz: ``sphinx/static/casebook-quiz.js``
implements the same rules for the browser, and ``tests/test_conformance.py``
runs a table generated from this module (every type, forgiving spellings,
unreadable answers) through both in Chromium; any difference fails.

A question here is the plain dict made by ``bank.answer_key`` (picklable and
cheap, so grading workers never touch pydantic). ``credit`` returns a
fraction in [0, 1]; the caller multiplies by the question's points. Each
question type has its own scorer in the tables ``CREDIT``, ``MISCONCEPTION``
and ``CHOICES``, keyed by type.
"""

import math
import re
import unicodedata
from typing import Any

Question = dict[str, Any]  # one question of bank.answer_key: plain data, no pydantic

# Outcomes of one answer: the words gradebooks and feedback show. Plain strings
# rather than an enum, so the copy embedded in a practice notebook stays plain data.
BLANK = "blank"
RIGHT = "right"
PARTIAL = "partial"
WRONG = "wrong"
INVALID = "invalid"
MANUAL = "manual"  # written answers: scored by hand with the rubric, 0 here
MISSING = "missing"  # no answer cell for the question (the grader's, never credit's)
OUTCOMES = (BLANK, RIGHT, PARTIAL, WRONG, INVALID, MANUAL, MISSING)

# The whitespace of str.isspace and of re's \s, spelled out so the browser's
# scorer can use exactly the same set (JavaScript's \s differs).
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
    "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_KEY_EDGE = "()（）.。 "  # characters, not a suffix: "(b)", "b." and "b)" all mean b
_SPLIT = re.compile(r"[\s,;，；、]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_TRUE = {"true", "t", "yes", "y", "1", "对", "是", "正确", "√", "✓"}
_FALSE = {"false", "f", "no", "n", "0", "错", "否", "错误", "×", "✗"}
# A short answer given with its translation or gloss: "tool (工具)", "工具【tool】",
# "工具 / tool", "工具 - tool", "工具——tool". A hyphen separates only between spaces,
# so "bottom-up" stays one word. Brackets are matched after NFKC, which has already
# turned full-width （）［］／ into their ASCII forms.
_GLOSS = re.compile(r"[()\[\]【】〔〕〖〗/]|\s+-+\s+|\s*[‐‒–—―]+\s*")
_ASCII_WORD = re.compile(r"[a-z0-9]")


def normalize_text(value: str) -> str:
    """Fold the harmless ways two people type the same words.

    NFKC unifies full- and half-width forms, casefold ignores case, inner
    whitespace collapses, and punctuation or spaces around the answer (a
    trailing "。", quotes) are dropped. Inner punctuation stays: it can matter.
    """
    text = " ".join(unicodedata.normalize("NFKC", value).casefold().split())
    start, end = 0, len(text)
    while start < end and _is_edge(text[start]):
        start += 1
    while end > start and _is_edge(text[end - 1]):
        end -= 1
    return text[start:end]


def _is_edge(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch).startswith("P")


def is_blank(value: object) -> bool:
    """The placeholders the notebook starts with, and their obvious cousins."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict, set, frozenset)):
        return len(value) == 0
    return False


def _fold(text: str) -> str:
    """A key or a word as typed on any keyboard: full-width forms, case and spaces ignored."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _key(value: object) -> str | None:
    """An option key as the student may type it: 'B', ' b ', '（b）', 2 all read as keys."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int)):
        return _fold(str(value)).strip(_KEY_EDGE) or None
    return None


def _single_key(value: object) -> str | None:
    return _key(value[0] if isinstance(value, (list, tuple)) and len(value) == 1 else value)


def _key_list(value: object) -> list[str] | None:
    if isinstance(value, str):
        value = [part for part in _SPLIT.split(value) if part]
    if not isinstance(value, (list, tuple, set, frozenset)):
        return None
    if isinstance(value, (set, frozenset)):
        value = sorted(value, key=str)
    keys = []
    for item in value:
        key = _key(item)
        if key is None:
            return None
        keys.append(key)
    return keys


def _number(value: object) -> float | None:
    """A number, or None: "12 minutes" is not a number, "12", "1,200", "１２" and "1e3" are."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            return None
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).replace(",", "").replace("\u2212", "-")
        text = text.strip()
        if not _NUMBER.fullmatch(text):
            return None
        number = float(text)
    else:
        return None
    return number if math.isfinite(number) else None


def _truth(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = _fold(value)
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


def _outcome(fraction: float) -> str:
    if fraction >= 1.0:
        return RIGHT
    return PARTIAL if fraction > 0 else WRONG


def _close(number: float, target: float, tolerance: float) -> bool:
    # Inclusive, with a hair of slack so 0.1 + 0.2 style rounding never costs a point.
    return abs(number - target) <= tolerance + 1e-9 * max(1.0, abs(target))


def gloss_parts(text: str) -> list[str]:
    """The normalised pieces of an answer given with a gloss; one piece when there is none."""
    parts = [normalize_text(part) for part in _GLOSS.split(text)]
    return [part for part in parts if part]


def _contains(text: str, form: str) -> bool:
    """form occurs in text, and not inside a longer Latin word ("ant" is not in "want")."""
    start = text.find(form)
    while start >= 0:
        end = start + len(form)
        before = start == 0 or not _ASCII_WORD.match(text[start - 1])
        after = end == len(text) or not _ASCII_WORD.match(text[end])
        if before and after:
            return True
        start = text.find(form, start + 1)
    return False


def text_verdict(question: Question, value: str) -> tuple[bool, str]:
    """(right, misconception) of a short answer.

    The answer is right when, normalised, it is an accepted form; or when it is
    an accepted form given with a translation or gloss (in brackets, after a
    slash or a dash) and no other piece is or contains a listed wrong form.
    """
    text = normalize_text(value)
    accept = question["accept"]
    wrong = question.get("wrong") or []
    if text in accept:
        return True, ""
    for form, note in wrong:
        if text == form:
            return False, note
    parts = gloss_parts(text)
    if len(parts) < 2:
        return False, ""
    others = [part for part in parts if part not in accept]
    for form, note in wrong:
        if any(_contains(part, form) for part in others):
            return False, note
    return len(others) < len(parts), ""


# ---- credit: (fraction, outcome, note for the student), one scorer per type ----


def _credit_single(question: Question, value: object) -> tuple[float, str, str]:
    key = _single_key(value)
    if key is None:
        return 0.0, INVALID, 'expected one option key in quotes, e.g. "b"'
    if key not in question["options"]:
        return 0.0, WRONG, f"{key} is not one of the options ({', '.join(question['options'])})"
    return (1.0, RIGHT, "") if key == question["answer"] else (0.0, WRONG, "")


def _credit_multiple(question: Question, value: object) -> tuple[float, str, str]:
    keys = _key_list(value)
    if keys is None:
        return 0.0, INVALID, 'expected a list of option keys, e.g. ["a", "c"]'
    picks, right = set(keys), set(question["answer"])
    fraction = max(0.0, (len(picks & right) - len(picks - right)) / len(right))
    return fraction, _outcome(fraction), ""


def _credit_true_false(question: Question, value: object) -> tuple[float, str, str]:
    truth = _truth(value)
    if truth is None:
        return 0.0, INVALID, "expected True or False"
    return (1.0, RIGHT, "") if truth == question["answer"] else (0.0, WRONG, "")


def _credit_numeric(question: Question, value: object) -> tuple[float, str, str]:
    number = _number(value)
    if number is None:
        return 0.0, INVALID, "expected a number, e.g. 12.5"
    if _close(number, question["value"], question["tolerance"]):
        return 1.0, RIGHT, ""
    return 0.0, WRONG, ""


def _credit_ordering(question: Question, value: object) -> tuple[float, str, str]:
    keys = _key_list(value)
    if keys is None:
        return 0.0, INVALID, 'expected a list of item keys in order, e.g. ["c", "a", "b"]'
    fraction = ordering_fraction(question["answer"], keys)
    return fraction, _outcome(fraction), ""


def _credit_matching(question: Question, value: object) -> tuple[float, str, str]:
    if not isinstance(value, dict):
        return 0.0, INVALID, 'expected a dict, e.g. {"a": "x", "b": "y"}'
    given = {_key(k): _key(v) for k, v in value.items()}
    answer = question["answer"]
    fraction = sum(given.get(left) == right for left, right in answer.items()) / len(answer)
    return fraction, _outcome(fraction), ""


def _credit_short_text(question: Question, value: object) -> tuple[float, str, str]:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        return 0.0, INVALID, "expected text in quotes"
    right, _ = text_verdict(question, str(value))
    return (1.0, RIGHT, "") if right else (0.0, WRONG, "")


def _credit_written(question: Question, value: object) -> tuple[float, str, str]:
    if not isinstance(value, str):
        return 0.0, INVALID, "expected text between the triple quotes"
    return 0.0, MANUAL, ""


CREDIT = {
    "single": _credit_single,
    "multiple": _credit_multiple,
    "true_false": _credit_true_false,
    "numeric": _credit_numeric,
    "ordering": _credit_ordering,
    "matching": _credit_matching,
    "short_text": _credit_short_text,
    "written": _credit_written,
}


def credit(question: Question, value: object) -> tuple[float, str, str]:
    """(fraction of the points earned, outcome, note for the student)."""
    if is_blank(value):
        return 0.0, BLANK, ""
    scorer = CREDIT.get(question["type"])
    if scorer is None:
        return 0.0, INVALID, f"unknown question type {question['type']!r}"
    return scorer(question, value)


def ordering_fraction(answer: list[str], given: list[str]) -> float:
    """Share of item pairs the student put in the right relative order.

    Kendall-style pairs rather than exact positions: one item moved from the
    end to the front costs only the pairs it crosses, not every position.
    Keys that are not items are ignored; a repeated key counts where it first
    appears; a missing item loses every pair it belongs to.
    """
    position: dict[str, int] = {}
    for index, key in enumerate(given):
        position.setdefault(key, index)
    n = len(answer)
    if n == 1:
        return 1.0 if answer[0] in position else 0.0
    good = 0
    for i in range(n):
        first = position.get(answer[i])
        if first is None:
            continue
        for j in range(i + 1, n):
            later = position.get(answer[j])
            if later is not None and first < later:
                good += 1
    return good / (n * (n - 1) / 2)


# ---- misconception: what a wrong answer suggests, when the author said so ----


def _misconception_single(question: Question, value: object) -> str:
    key = _single_key(value)
    notes = question.get("misconceptions") or {}
    return str(notes.get(key, "")) if key is not None and key != question["answer"] else ""


def _misconception_multiple(question: Question, value: object) -> str:
    notes = question.get("misconceptions") or {}
    keys = _key_list(value) or []
    return " ".join(notes[k] for k in dict.fromkeys(keys) if k in notes)


def _misconception_true_false(question: Question, value: object) -> str:
    truth = _truth(value)
    if truth is None or truth == question["answer"]:
        return ""
    return str(question.get("misconception", ""))


def _misconception_numeric(question: Question, value: object) -> str:
    number = _number(value)
    if number is None:
        return ""
    for wrong, note in question.get("wrong", []):  # the first listed wrong answer that fits
        if _close(number, wrong, question["tolerance"]):
            return str(note)
    return ""


def _misconception_short_text(question: Question, value: object) -> str:
    if not isinstance(value, str):
        return ""
    return text_verdict(question, value)[1]


def _no_misconception(question: Question, value: object) -> str:
    return ""


MISCONCEPTION = {
    "single": _misconception_single,
    "multiple": _misconception_multiple,
    "true_false": _misconception_true_false,
    "numeric": _misconception_numeric,
    "ordering": _no_misconception,
    "matching": _no_misconception,
    "short_text": _misconception_short_text,
    "written": _no_misconception,
}


def misconception(question: Question, value: object) -> str:
    """What a wrong answer suggests the student misread, when the author said so."""
    if question.get("manual"):
        return ""
    return MISCONCEPTION.get(question["type"], _no_misconception)(question, value)


# ---- choices: the labels the item analysis counts ----


def _choices_single(question: Question, value: object, outcome: str) -> list[str]:
    key = _single_key(value)
    return [key if key is not None and key in question["options"] else "(other)"]


def _choices_multiple(question: Question, value: object, outcome: str) -> list[str]:
    keys = _key_list(value)
    if keys is None:
        return ["(other)"]
    return [k if k in question["options"] else "(other)" for k in dict.fromkeys(keys)]


def _choices_true_false(question: Question, value: object, outcome: str) -> list[str]:
    truth = _truth(value)
    return ["(other)" if truth is None else str(truth).lower()]


def _choices_by_outcome(question: Question, value: object, outcome: str) -> list[str]:
    if not outcome:
        outcome = credit(question, value)[1]
    if outcome in (WRONG, INVALID) and misconception(question, value):
        return ["(known wrong)"]
    return [f"({outcome})"]


CHOICES = {
    "single": _choices_single,
    "multiple": _choices_multiple,
    "true_false": _choices_true_false,
    "numeric": _choices_by_outcome,
    "ordering": _choices_by_outcome,
    "matching": _choices_by_outcome,
    "short_text": _choices_by_outcome,
    "written": _choices_by_outcome,
}


def choices(question: Question, value: object, outcome: str = "") -> list[str]:
    """Labels counted by the item analysis: option keys where there are options.

    Pass the outcome already computed by ``credit`` to avoid scoring twice.
    """
    if is_blank(value):
        return ["(blank)"]
    return CHOICES.get(question["type"], _choices_by_outcome)(question, value, outcome)
