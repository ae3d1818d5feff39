"""The glossary: people, products and units, organizations and terms, from data.

Where each entry first appears is computed from the edition, not typed, so it
stays right when the edition changes; ``problems`` checks that each Chinese
form occurs in the article and that the translation uses the glossary's
English form where the term first appears.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from casebook import paths
from casebook.edition import Paragraph, load

KINDS = ("person", "product", "organization", "term")
KEYS = {"zh", "en", "kind", "pinyin", "nickname", "note", "also"}


@dataclass(frozen=True)
class Entry:
    zh: str
    en: str
    kind: str
    note: str = ""
    pinyin: str = ""
    nickname: str = ""
    also: tuple[str, ...] = field(default_factory=tuple)

    def forms(self) -> tuple[str, ...]:
        return (self.zh, *self.also, *((self.nickname,) if self.nickname else ()))


def glossary_file(root: Path | None = None) -> Path:
    return paths.edition_dir(root) / "glossary.yml"


def _read(root: Path | None) -> list[dict]:
    return yaml.safe_load(glossary_file(root).read_text(encoding="utf-8")) or []


def first_paragraph(entry: Entry, paras: list[Paragraph]) -> str | None:
    for p in paras:
        if any(form in p.reading for form in entry.forms()):
            return p.id
    return None


def load_entries(root: Path | None = None) -> list[Entry]:
    out = []
    for row in _read(root):
        row = dict(row)
        row["also"] = tuple(row.get("also") or ())
        out.append(Entry(**{k: v for k, v in row.items() if k in KEYS}))
    return out


def problems(root: Path | None = None) -> list[str]:
    path = glossary_file(root)
    try:
        rows = _read(root)
    except (OSError, yaml.YAMLError) as exc:
        return [f"{path.name}: cannot read glossary ({exc.__class__.__name__})"]
    paras = load(root)
    by_id = {p.id: p for p in paras}
    out, seen = [], set()
    for n, row in enumerate(rows, start=1):
        where = f"{path.name}: entry {n}"
        if not isinstance(row, dict) or not {"zh", "en", "kind"} <= set(row) or set(row) - KEYS:
            out.append(f"{where}: needs zh, en, kind and only the keys {', '.join(sorted(KEYS))}")
            continue
        where = f"{path.name}: {row['zh']}"
        if row["kind"] not in KINDS:
            out.append(f"{where}: kind {row['kind']!r} is not one of {', '.join(KINDS)}")
        if row["zh"] in seen:
            out.append(f"{where}: listed twice")
        seen.add(row["zh"])
        entry = Entry(**{**row, "also": tuple(row.get("also") or ())})
        if first_paragraph(entry, paras) is None:
            out.append(f"{where}: does not occur in the article")
            continue
        # The English form is checked where the main Chinese form first occurs.
        main = next((p.id for p in paras if entry.zh in p.reading), None)
        if main and entry.en.casefold() not in by_id[main].en.casefold():
            out.append(f"{where}: the translation of {main} does not use {entry.en!r}")
    return out
