"""How one answer earns credit: the scoring rules of exercises/README.md, in one place.

This module imports nothing from casebook and nothing outside the standard
library, on purpose: practice notebooks embed its source verbatim so a
student's self-check and the instructor's grader can never disagree, even on
a laptop without the package. It therefore also avoids
``from __future__`` (an embedded future import would not be first in its cell).

A question here is the plain dict made by ``bank.answer_key`` (picklable and
cheap, so grading workers never touch pydantic). ``credit`` returns a
fraction in [0, 1]; the caller multiplies by the question's points.
"""

import math
import re
import unicodedata

BLANK = "blank"
RIGHT = "right"
PARTIAL = "partial"
WRONG = "wrong"
INVALID = "invalid"
MANUAL = "manual"  # written answers: scored by hand with the rubric, 0 here

_KEY_EDGE = "()（）.。 "  # characters, not a suffix: "(b)", "b." and "b)" all mean b
_SPLIT = re.compile(r"[\s,;，；、]+")
_TRUE = {"true", "t", "yes", "y", "1", "对", "是", "正确", "√", "✓"}
_FALSE = {"false", "f", "no", "n", "0", "错", "否", "错误", "×", "✗"}


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


def _key(value: object) -> str | None:
    """An option key as the student may type it: 'B', ' b ', 2 all read as keys."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int)):
        text = str(value).strip().casefold()
        return text.strip(_KEY_EDGE) or None
    return None


def _key_list(value: object) -> list[str] | None:
    if isinstance(value, str):
        value = [part for part in _SPLIT.split(value) if part]
    if not isinstance(value, (list, tuple, set, frozenset)):
        return None
    if isinstance(value, (set, frozenset)):
        value = sorted(value, key=str)
    keys = [_key(item) for item in value]
    return None if any(k is None for k in keys) else keys  # type: ignore[return-value]


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.replace(",", "").replace("，", "").strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _truth(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().casefold()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


def _outcome(fraction: float) -> str:
    if fraction >= 1.0:
        return RIGHT
    return PARTIAL if fraction > 0 else WRONG


def credit(question: dict, value: object) -> tuple[float, str, str]:
    """(fraction of the points earned, outcome, note for the student)."""
    if is_blank(value):
        return 0.0, BLANK, ""
    kind = question["type"]
    if question.get("manual"):
        if not isinstance(value, str):
            return 0.0, INVALID, "expected text between the triple quotes"
        return 0.0, MANUAL, ""
    if kind == "single":
        key = _key(value[0] if isinstance(value, (list, tuple)) and len(value) == 1 else value)
        if key is None:
            return 0.0, INVALID, "expected one option key in quotes, e.g. \"b\""
        if key not in question["options"]:
            return 0.0, WRONG, f"{key!r} is not one of the options"
        return (1.0, RIGHT, "") if key == question["answer"] else (0.0, WRONG, "")
    if kind == "multiple":
        keys = _key_list(value)
        if keys is None:
            return 0.0, INVALID, "expected a list of option keys, e.g. [\"a\", \"c\"]"
        picks, right = set(keys), set(question["answer"])
        fraction = max(0.0, (len(picks & right) - len(picks - right)) / len(right))
        return fraction, _outcome(fraction), ""
    if kind == "true_false":
        truth = _truth(value)
        if truth is None:
            return 0.0, INVALID, "expected True or False"
        return (1.0, RIGHT, "") if truth == question["answer"] else (0.0, WRONG, "")
    if kind == "numeric":
        number = _number(value)
        if number is None:
            return 0.0, INVALID, "expected a number, e.g. 12.5"
        if _close(number, question["value"], question["tolerance"]):
            return 1.0, RIGHT, ""
        return 0.0, WRONG, ""
    if kind == "ordering":
        keys = _key_list(value)
        if keys is None:
            return 0.0, INVALID, "expected a list of item keys in order, e.g. [\"c\", \"a\", \"b\"]"
        fraction = ordering_fraction(question["answer"], keys)
        return fraction, _outcome(fraction), ""
    if kind == "matching":
        if not isinstance(value, dict):
            return 0.0, INVALID, "expected a dict, e.g. {\"a\": \"x\", \"b\": \"y\"}"
        given = {_key(k): _key(v) for k, v in value.items()}
        answer = question["answer"]
        fraction = sum(given.get(left) == right for left, right in answer.items()) / len(answer)
        return fraction, _outcome(fraction), ""
    if kind == "short_text":
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            return 0.0, INVALID, "expected text in quotes"
        text = normalize_text(str(value))
        return (1.0, RIGHT, "") if text in question["accept"] else (0.0, WRONG, "")
    return 0.0, INVALID, f"unknown question type {kind!r}"


def _close(number: float, target: float, tolerance: float) -> bool:
    # Inclusive, with a hair of slack so 0.1 + 0.2 style rounding never costs a point.
    return abs(number - target) <= tolerance + 1e-9 * max(1.0, abs(target))


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


def misconception(question: dict, value: object) -> str:
    """What a wrong answer suggests the student misread, when the author said so."""
    kind = question["type"]
    notes = question.get("misconceptions") or {}
    if question.get("manual"):
        return ""
    if kind == "single":
        key = _key(value[0] if isinstance(value, (list, tuple)) and len(value) == 1 else value)
        return notes.get(key, "") if key != question["answer"] else ""
    if kind == "multiple":
        keys = _key_list(value) or []
        return " ".join(notes[k] for k in dict.fromkeys(keys) if k in notes)
    if kind == "true_false":
        truth = _truth(value)
        return question.get("misconception", "") if truth is not None and truth != question[
            "answer"] else ""
    if kind == "numeric":
        number = _number(value)
        if number is None:
            return ""
        for wrong, note in question.get("wrong", []):
            if _close(number, wrong, question["tolerance"]):
                return note
        return ""
    if kind == "short_text" and isinstance(value, str):
        text = normalize_text(value)
        for wrong, note in question.get("wrong", []):
            if text == wrong:
                return note
    return ""


def choices(question: dict, value: object, outcome: str = "") -> list[str]:
    """Labels counted by the item analysis: option keys where there are options.

    Pass the outcome already computed by ``credit`` to avoid scoring twice.
    """
    if is_blank(value):
        return ["(blank)"]
    kind = question["type"]
    if kind == "single":
        key = _key(value[0] if isinstance(value, (list, tuple)) and len(value) == 1 else value)
        return [key if key in question["options"] else "(other)"]
    if kind == "multiple":
        keys = _key_list(value)
        if keys is None:
            return ["(other)"]
        return [k if k in question["options"] else "(other)" for k in dict.fromkeys(keys)]
    if kind == "true_false":
        truth = _truth(value)
        return ["(other)" if truth is None else str(truth).lower()]
    if not outcome:
        outcome = credit(question, value)[1]
    if outcome in (WRONG, INVALID):
        note = misconception(question, value)
        if note:
            return ["(known wrong)"]
    return [f"({outcome})"]
