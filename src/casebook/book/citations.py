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

ROLE_RE = re.compile(r"\{para\}`([^`]*)`")
PASSAGE_RE = re.compile(r"^(?P<fence>:{3,}|`{3,})\{passage\}\s*(?P<para>\S*)\s*$")
QUOTE_RE = re.compile(r"^:quote:\s*(?P<quote>.*?)\s*$")
ID_RE = re.compile(r"P\d{3}")


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


def book_files(root: Path) -> list[Path]:
    files = [root / "intro.md"] if (root / "intro.md").exists() else []
    return files + sorted((root / "chapters").rglob("*.md"))
