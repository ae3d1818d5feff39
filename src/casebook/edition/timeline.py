"""The case's dated events: data in ``edition/timeline.yml``, checked against the edition."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from casebook import paths
from casebook.edition import Paragraph
from casebook.edition import by_id as edition_by_id
from casebook.errors import CasebookError

WHEN_RE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
KEYS = {"when", "para", "zh", "en", "evidence"}


@dataclass(frozen=True)
class Event:
    when: str
    para: str
    zh: str
    en: str
    evidence: str

    @property
    def date(self) -> dt.date:
        """A point on the axis: the middle of the month or year the article gives."""
        y, m, d = WHEN_RE.match(self.when).groups()  # type: ignore[union-attr]
        return dt.date(int(y), int(m or 7), int(d or (15 if m else 1)))

    @property
    def label_date(self) -> str:
        y, m, d = WHEN_RE.match(self.when).groups()  # type: ignore[union-attr]
        if d:
            return dt.date(int(y), int(m), int(d)).strftime("%d %b %Y").lstrip("0")
        if m:
            return dt.date(int(y), int(m), 1).strftime("%b %Y")
        return y


def timeline_file(root: Path | None = None) -> Path:
    return paths.edition_dir(root) / "timeline.yml"


def problems(root: Path | None = None) -> list[str]:
    path = timeline_file(root)
    try:
        rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        return [f"{path}: cannot read timeline ({exc.__class__.__name__})"]
    paras: dict[str, Paragraph] = edition_by_id(root)
    out = []
    for n, row in enumerate(rows, start=1):
        where = f"{path.name}: event {n}"
        if not isinstance(row, dict) or set(row) != KEYS:
            out.append(f"{where}: needs exactly the keys {', '.join(sorted(KEYS))}")
            continue
        if not WHEN_RE.match(str(row["when"])):
            out.append(f"{where}: when {row['when']!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        para = paras.get(row["para"])
        if para is None:
            out.append(f"{where}: para {row['para']!r} is not in the edition")
        elif row["evidence"] not in para.text and row["evidence"] not in para.reading:
            out.append(f"{where}: evidence {row['evidence']!r} is not verbatim in {row['para']}")
    return out


def load(root: Path | None = None) -> list[Event]:
    found = problems(root)
    if found:
        raise CasebookError(found[0])
    rows = yaml.safe_load(timeline_file(root).read_text(encoding="utf-8"))
    events = [Event(**{k: str(v) for k, v in row.items()}) for row in rows]
    return sorted(events, key=lambda e: (e.date, e.para))
