"""From the scraped page to the article's paragraphs.

The page holds a spam title, the article twice and a forum footer. The article
is the run of lines that the page repeats: its first line is the first
non-empty line that occurs again later. Both copies are compared line by line,
so a scrape that truncated or altered one copy is caught rather than silently
halved.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from casebook.errors import CasebookError


@dataclass(frozen=True)
class RawParagraph:
    """One non-empty line of the article as the scraper left it."""

    number: int  # 1-based, in source order
    line: int  # 1-based line number in the seed file (first copy)
    text: str

    @property
    def id(self) -> str:
        return f"P{self.number:03d}"


def read_seed(path: Path) -> str:
    """Read the seed as UTF-8, turning every way it can be wrong into one line."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CasebookError(f"{path}: seed file not found") from None
    except IsADirectoryError:
        raise CasebookError(f"{path}: is a directory, expected the seed text file") from None
    except OSError as exc:
        raise CasebookError(f"{path}: cannot read seed ({exc.strerror})") from None
    if not data.strip():
        raise CasebookError(f"{path}: seed file is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CasebookError(f"{path}:{line}: seed is not valid UTF-8 (byte {exc.start})") from None
    return text.removeprefix("\ufeff")


def split_article(text: str, origin: str = "seed") -> list[RawParagraph]:
    """Return the paragraphs of the article's first copy, after checking the second."""
    lines = text.splitlines()
    numbered = [(i + 1, ln.rstrip("\r")) for i, ln in enumerate(lines) if ln.strip()]
    contents = [ln for _, ln in numbered]
    start = next(
        (k for k, ln in enumerate(contents) if ln in contents[k + 1 :]),
        None,
    )
    if start is None:
        raise CasebookError(f"{origin}: the article does not appear twice (no repeated line found)")
    second = contents.index(contents[start], start + 1)
    first_copy = numbered[start:second]
    second_copy = contents[second : second + len(first_copy)]
    for offset, (line_no, ln) in enumerate(first_copy):
        other = second_copy[offset] if offset < len(second_copy) else None
        if other != ln:
            where = numbered[second + offset][0] if other is not None else "end of file"
            raise CasebookError(
                f"{origin}:{line_no}: the two copies of the article differ at paragraph "
                f"P{offset + 1:03d} (second copy at line {where})"
            )
    return [RawParagraph(number=k + 1, line=line_no, text=ln) for k, (line_no, ln) in enumerate(first_copy)]


def load_paragraphs(path: Path) -> list[RawParagraph]:
    return split_article(read_seed(path), origin=str(path))
