"""Citations in the book's Markdown, checked without building it.

The Sphinx extension checks the same things during a build; this module lets
``casebook validate`` report them in a second, with file and line, before
anyone waits for a build.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from casebook.edition import Paragraph
from casebook.edition.lang import runs

ROLE_RE = re.compile(r"\{para\}`([^`]*)`")
PASSAGE_RE = re.compile(r"^(?P<fence>:{3,}|`{3,})\{passage\}\s*(?P<para>\S*)\s*$")
QUOTE_RE = re.compile(r"^:quote:\s*(?P<quote>.*?)\s*$")
ID_RE = re.compile(r"P\d{3}")
# A run of this many ideographs or more is a quotation, not a name or a term (支付宝, 中台,
# 对合作伙伴的掌控权 is nine and is the article's), so it must be the article's words.
QUOTED_MIN = 8
_IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_QUOTE_MARKS = str.maketrans(dict.fromkeys('“”「」『』"', ""))
_ELLIPSIS = re.compile(r"…+|\.{3}")
# The epilogue reports what happened after the article, from the sources it cites; its Chinese
# (a company's registered name, an insurer's) comes from those sources, not from the article.
OUTSIDE_SOURCES = ("epilogue.md",)


@dataclass(frozen=True)
class Citation:
    file: Path
    line: int
    para: str
    quote: str = ""


def scan(path: Path) -> Iterator[Citation]:
    lines = path.read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines, start=1):
        for m in ROLE_RE.finditer(line):
            target = m.group(1).strip()
            ids = ID_RE.findall(target) or [target]
            for pid in ids:
                yield Citation(path, n, pid)
        pm = PASSAGE_RE.match(line.strip())
        if pm:
            quote = ""
            for follow in lines[n : n + 4]:
                qm = QUOTE_RE.match(follow.strip())
                if qm:
                    quote = qm.group("quote")
                    break
            yield Citation(path, n, pm.group("para"), quote)


def problems(files: list[Path], paras: dict[str, Paragraph], root: Path) -> list[str]:
    out = []
    for path in files:
        rel = path.relative_to(root) if path.is_relative_to(root) else path
        for c in scan(path):
            p = paras.get(c.para)
            if p is None:
                out.append(f"{rel}:{c.line}: cites {c.para!r}, which is not a paragraph")
            elif c.quote and c.quote not in p.reading:
                if c.quote in p.text:
                    # The seed lost punctuation in scraping; the edition restores it (recorded in
                    # seeds/punctuation.tsv), and a reader needs it to see where sentences end.
                    out.append(
                        f"{rel}:{c.line}: quote drops punctuation the edition restores in "
                        f"{c.para}; quote its reading text: {c.quote[:30]!r}"
                    )
                else:
                    out.append(f"{rel}:{c.line}: quote is not verbatim in {c.para}: {c.quote[:30]!r}")
    return out


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", text.translate(_QUOTE_MARKS))


def unquoted(files: list[Path], paras: dict[str, Paragraph], root: Path) -> list[str]:
    """Chinese in the book's prose that is long enough to be a quotation but is not the article's.

    Passages are checked against their paragraph (``problems``); this catches the quotations
    written inline, in running text or in parentheses. Each piece between ellipses must be
    verbatim in some paragraph (quotation marks and spaces aside); the case page is the
    edition itself, and the epilogue's Chinese comes from its outside sources.
    """
    corpus = "\n".join(_plain(p.reading) + "\n" + _plain(p.text) for p in paras.values())
    out = []
    for path in files:
        if path.name in OUTSIDE_SOURCES:
            continue
        rel = path.relative_to(root) if path.is_relative_to(root) else path
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if QUOTE_RE.match(line.strip()):
                continue  # a passage's quote, checked against its own paragraph
            for zh, piece in runs(line):
                for part in _ELLIPSIS.split(piece) if zh else ():
                    if len(_IDEOGRAPH.findall(part)) >= QUOTED_MIN and _plain(part) not in corpus:
                        out.append(f"{rel}:{n}: Chinese not verbatim in the article: {part[:30]!r}")
    return out


def book_files(root: Path) -> list[Path]:
    files = [root / "intro.md"] if (root / "intro.md").exists() else []
    return files + sorted((root / "chapters").rglob("*.md"))
