"""The citable edition: paragraphs with ids, kinds, corrected text and reading text.

``text`` is the source with only the reviewed character fixes; ``reading``
adds the sentence punctuation the scraper dropped. Both come from tables in
``seeds/`` so every change to the source is a reviewed row, and the invariant
"equal once punctuation and whitespace are removed" proves that restoring
punctuation never changed a word.
"""

from __future__ import annotations

import csv
import json
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from casebook import paths
from casebook.edition import fixes
from casebook.edition.source import RawParagraph, load_paragraphs
from casebook.errors import CasebookError

CHAR_TABLE = "corrections.tsv"
PUNCT_TABLE = "punctuation.tsv"
CAPTIONS = "captions.tsv"
TRANSLATION = "en.yml"


@dataclass
class Paragraph:
    id: str
    kind: str  # "body" or "caption"
    text: str
    reading: str
    en: str = ""
    note: str = ""  # translator's note, only where a term or the source needs one
    line: int = 0  # line of the seed file, first copy
    fixes: list[dict] = field(default_factory=list)


def strip_punct(text: str) -> str:
    """Text without punctuation, symbols of punctuation class, or whitespace."""
    return "".join(ch for ch in text if not (unicodedata.category(ch).startswith(("P", "Z")) or ch.isspace()))


def read_captions(path: Path, raw: list[RawParagraph]) -> set[str]:
    """Caption ids, each checked against how the paragraph starts so ids cannot drift."""
    by_id = {p.id: p.text for p in raw}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    ids = set()
    for n, row in enumerate(rows, start=2):
        pid, starts = row.get("para", ""), row.get("starts", "")
        if pid not in by_id:
            raise CasebookError(f"{path.name}:{n}: no paragraph {pid}")
        if not by_id[pid].startswith(starts):
            raise CasebookError(f"{path.name}:{n}: {pid} does not start with {starts!r}")
        ids.add(pid)
    return ids


def read_translation(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """English text and translator's notes, both keyed by paragraph id."""
    if not path.exists():
        return {}, {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise CasebookError(f"{path}{line}: not valid YAML") from None
    if not isinstance(data, dict) or not isinstance(data.get("en"), dict):
        raise CasebookError(f"{path}: expected a mapping 'en' of paragraph id to English text")
    unknown = set(data) - {"en", "notes"}
    if unknown:
        raise CasebookError(f"{path}: unknown key {sorted(unknown)[0]!r} (expected 'en' and 'notes')")
    notes = data.get("notes") or {}
    return (
        {str(k): str(v).strip() for k, v in data["en"].items()},
        {str(k): str(v).strip() for k, v in notes.items()},
    )


def build(root: Path | None = None, seed: Path | None = None) -> list[Paragraph]:
    """Build the edition from the seed and the reviewed tables."""
    root = root or paths.project_root()
    sdir = paths.seeds_dir(root)
    raw = load_paragraphs(seed or paths.seed_file(root))
    raw_texts = {p.id: p.text for p in raw}
    char_fixes = fixes.read_table(sdir / CHAR_TABLE)
    text = fixes.apply(char_fixes, raw_texts)
    punct = fixes.read_table(sdir / PUNCT_TABLE)
    reading = fixes.apply(punct, text)
    captions = read_captions(sdir / CAPTIONS, raw)
    english, notes = read_translation(paths.edition_dir(root) / TRANSLATION)
    ids = {p.id for p in raw}
    for pid in sorted((set(english) | set(notes)) - ids):
        raise CasebookError(f"{TRANSLATION}: {pid} is not a paragraph of the edition")
    by_para: dict[str, list[dict]] = {}
    for fix in char_fixes:
        by_para.setdefault(fix.para, []).append(
            {"offset": fix.offset, "from": fix.old, "to": fix.new, "why": fix.why}
        )
    out = []
    for p in raw:
        out.append(
            Paragraph(
                id=p.id,
                kind="caption" if p.id in captions else "body",
                text=text[p.id],
                reading=reading[p.id],
                en=english.get(p.id, ""),
                note=notes.get(p.id, ""),
                line=p.line,
                fixes=sorted(by_para.get(p.id, []), key=lambda f: f["offset"]),
            )
        )
    return out


def to_json(edition: list[Paragraph]) -> str:
    return json.dumps([asdict(p) for p in edition], ensure_ascii=False, indent=1) + "\n"


def write(edition: list[Paragraph], path: Path) -> bool:
    """Write the committed data file; return whether it changed."""
    data = to_json(edition)
    if path.exists() and path.read_text(encoding="utf-8") == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(data, encoding="utf-8")
    tmp.replace(path)
    return True


@lru_cache(maxsize=4)
def _load_cached(path: str, mtime: float) -> tuple[Paragraph, ...]:
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    return tuple(Paragraph(**row) for row in rows)


def load(root: Path | None = None) -> list[Paragraph]:
    """The committed edition (what chapters, banks and notebooks cite)."""
    path = paths.edition_file(root)
    if not path.exists():
        raise CasebookError(f"{path}: edition not built; run 'casebook edition --write'")
    return list(_load_cached(str(path), path.stat().st_mtime))


def by_id(root: Path | None = None) -> dict[str, Paragraph]:
    return {p.id: p for p in load(root)}


def problems(edition: list[Paragraph]) -> list[str]:
    """Invariants of the edition, one line per breach."""
    out = []
    for p in edition:
        if strip_punct(p.text) != strip_punct(p.reading):
            out.append(f"edition {p.id}: reading differs from text beyond punctuation")
        if not p.en:
            out.append(f"edition {p.id}: no English translation")
    return out
