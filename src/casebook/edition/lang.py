"""Which parts of a text are Chinese, so that every page can mark them with ``lang``.

The course's pages are English with Chinese inside (the case, quotes, names,
students' answers). WCAG 2.1 success criterion 3.1.2 (Language of Parts) asks
that each such part carry its language, or a screen reader reads 蚂蚁金服 with
English rules (letter by letter, or not at all). One rule serves the book, the
feedback pages, the review sheets and the handout: a Chinese run starts and
ends with a CJK character or CJK punctuation and may hold digits, spaces and
quotation marks between them (``1个月`` marks ``个月``; ``《中国企业家》`` is one
run). ``ZH`` is the language tag every consumer writes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

ZH = "zh-Hans"
# CJK ideographs (with extension A and compatibility), CJK symbols and punctuation (《》。、),
# and full-width forms (，：（）！).
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_RUN = re.compile(rf"[{_CJK}]+(?:[\s0-9.,%·“”‘’\"'-]*[{_CJK}]+)*")
_TAG = re.compile(r"(<[^>]*>)")


def runs(text: str) -> Iterator[tuple[bool, str]]:
    """The text cut into (is_chinese, piece), in order; the pieces join back to ``text``."""
    at = 0
    for m in _RUN.finditer(text):
        if m.start() > at:
            yield False, text[at : m.start()]
        yield True, m.group()
        at = m.end()
    if at < len(text):
        yield False, text[at:]


def has_chinese(text: str) -> bool:
    return _RUN.search(text) is not None


def html_marked(text: str) -> str:
    """``text`` escaped for HTML, each Chinese run in ``<span lang="zh-Hans">``."""
    if _RUN.search(text) is None:  # most strings of a feedback page: one search, not a generator
        return html.escape(text)
    return "".join(
        f'<span lang="{ZH}">{html.escape(piece)}</span>' if zh else html.escape(piece)
        for zh, piece in runs(text)
    )


def mark_html(fragment: str) -> str:
    """An HTML fragment (markdown-it's output: no script, no comments) with each Chinese run
    of its text, outside tags and attributes, in ``<span lang="zh-Hans">``."""
    out = []
    for i, part in enumerate(_TAG.split(fragment)):
        if i % 2 or not has_chinese(part):
            out.append(part)
        else:
            out.append(
                "".join(f'<span lang="{ZH}">{piece}</span>' if zh else piece for zh, piece in runs(part))
            )
    return "".join(out)
