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


def figure(events: list[Event] | None = None):
    """A vertical timeline: one row per event, English and Chinese labels, paragraph ids."""
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    from casebook.book.fonts import use_cjk

    use_cjk()
    events = events if events is not None else load()
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(events) + 1.2), dpi=110)
    ys = list(range(len(events)))[::-1]
    dates = [e.date for e in events]
    ax.scatter(dates, ys, s=28, color="#1f6f8b", zorder=3)
    ax.hlines(ys, min(dates), dates, color="#cfd8dc", linewidth=0.8, zorder=1)
    for y, e in zip(ys, events, strict=True):
        ax.annotate(
            f"{e.en}  {e.zh}  ({e.para})",
            (e.date, y),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=8.5,
        )
    ax.set_yticks(ys, [e.label_date for e in events], fontsize=8.5)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    left = dt.date(min(dates).year, 1, 1)
    right = dt.date(max(dates).year + 3, 1, 1)  # room for the labels of the last events
    ax.set_xlim(left, right)
    ax.set_ylim(-0.8, len(events) - 0.2)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(
        "Ant Financial in the article: dated events (paragraph ids in brackets)", fontsize=10, loc="left"
    )
    fig.tight_layout()
    return fig
