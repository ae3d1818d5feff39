"""Numbers that must survive translation: extracted from Chinese and English, compared.

Only numbers written with Arabic digits count (a Chinese 三 becomes English
"three", which no one needs to check). Chinese multipliers 万 and 亿 are
applied; English "million", "billion" and "trillion" likewise. A month
(``11月`` / "November") is compared as a month, not as a bare number, so a
date survives whichever way each language writes it. Text in [square
brackets] is the translator's resolution of a relative date and is ignored.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

ZH_NUM = re.compile(r"(\d+(?:\.\d+)?)\s*(多)?\s*(万亿|万|亿)?(月)?")
EN_MONTHS = {
    m: i
    for i, m in enumerate(
        "january february march april may june july august september october november december".split(),
        start=1,
    )
}
EN_NUM = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:st|nd|rd|th)?"
    r"(?:\s*(million|billion|trillion))?",
    re.IGNORECASE,
)
EN_MONTH_RE = re.compile(r"\b(" + "|".join(m.capitalize() for m in EN_MONTHS) + r")\b")
BRACKETS = re.compile(r"\[[^\]]*\]")
SCALE = {
    "万": Decimal(10_000),
    "亿": Decimal(100_000_000),
    "万亿": Decimal(10**12),
    "million": Decimal(10**6),
    "billion": Decimal(10**9),
    "trillion": Decimal(10**12),
}

Token = tuple[str, Decimal]


def _norm(value: Decimal) -> Decimal:
    return value.normalize() if value == value.to_integral() else value


def zh_numbers(text: str) -> Counter[Token]:
    out: Counter[Token] = Counter()
    for m in ZH_NUM.finditer(text):
        value = Decimal(m.group(1))
        if m.group(4) and not m.group(3):
            out[("month", _norm(value))] += 1
            continue
        if m.group(3):
            value *= SCALE[m.group(3)]
        out[("n", _norm(value))] += 1
    return out


def en_numbers(text: str) -> Counter[Token]:
    text = BRACKETS.sub(" ", text)
    out: Counter[Token] = Counter()
    for m in EN_MONTH_RE.finditer(text):
        # Month names are capitalised in English; this keeps the modal "may" out.
        out[("month", Decimal(EN_MONTHS[m.group(1).lower()]))] += 1
    for m in EN_NUM.finditer(text):
        value = Decimal(m.group(1).replace(",", ""))
        if m.group(2):
            value *= SCALE[m.group(2).lower()]
        out[("n", _norm(value))] += 1
    return out


def compare(zh: str, en: str) -> str | None:
    """Why the numbers of a paragraph and its translation differ, or None."""
    a, b = zh_numbers(zh), en_numbers(en)
    if a == b:
        return None
    missing = a - b
    extra = b - a
    parts = []
    if missing:
        parts.append("missing in English: " + ", ".join(_show(t) for t in sorted(missing.elements())))
    if extra:
        parts.append("not in Chinese: " + ", ".join(_show(t) for t in sorted(extra.elements())))
    return "; ".join(parts)


def _show(token: Token) -> str:
    kind, value = token
    if kind == "month":
        return f"month {value}"
    return f"{int(value):,}" if value == value.to_integral() else str(value)
