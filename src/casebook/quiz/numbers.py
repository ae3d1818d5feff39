"""How numbers read to people: points and values, written once for every page and notebook."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=8192)
def points(value: float) -> str:
    """1 not 1.0, 0.5, 0.3333: credits read like a person wrote them (cached: few distinct)."""
    text = f"{round(value, 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def plain(value: float) -> str:
    """A value as a person writes it: 12, 0.5, 3.2e+20 only when it is that large."""
    return f"{value:g}" if abs(value) < 1e15 else repr(value)
