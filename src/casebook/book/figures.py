"""Data for the chapters' figures, checked against the edition before it is drawn.

A figure's data point carries the paragraph it comes from and the phrase that
states it; ``cited`` refuses a point whose phrase is not verbatim in that
paragraph, so a figure cannot drift from the article it claims to show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from casebook.edition import by_id
from casebook.edition import timeline as timeline_data
from casebook.edition.timeline import Event
from casebook.errors import CasebookError

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def cited(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return the rows unchanged once each row's ``quote`` is found in its ``para``."""
    paras = by_id()
    out = []
    for n, row in enumerate(rows, start=1):
        pid, quote = row.get("para"), row.get("quote")
        if pid not in paras:
            raise CasebookError(f"figure data row {n}: unknown paragraph {pid!r}")
        if not quote or (quote not in paras[pid].text and quote not in paras[pid].reading):
            raise CasebookError(f"figure data row {n}: quote {quote!r} is not verbatim in {pid}")
        out.append(dict(row))
    return out


def setup_style() -> None:
    """Readable defaults and a CJK font, so Chinese labels render without warnings."""
    import matplotlib.pyplot as plt

    from casebook.book.fonts import use_cjk

    use_cjk()
    plt.rcParams.update(
        {
            "figure.dpi": 110,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 11,
            "axes.titlelocation": "left",
        }
    )


def timeline(events: list[Event] | None = None) -> Figure:
    """A vertical timeline: one row per event, English and Chinese labels, paragraph ids."""
    import datetime as dt

    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    from casebook.book.fonts import use_cjk

    use_cjk()
    events = events if events is not None else timeline_data.load()
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(events) + 1.2), dpi=110)
    ys = list(range(len(events)))[::-1]
    dates = [e.date for e in events]
    xs = [float(mdates.date2num(d)) for d in dates]  # matplotlib's day numbers, for its date axis
    ax.scatter(xs, ys, s=28, color="#1f6f8b", zorder=3)
    ax.hlines(ys, min(xs), xs, color="#cfd8dc", linewidth=0.8, zorder=1)
    for x, y, e in zip(xs, ys, events, strict=True):
        ax.annotate(
            f"{e.en}  {e.zh}  ({e.para})",
            (x, y),
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
    ax.set_xlim(float(mdates.date2num(left)), float(mdates.date2num(right)))
    ax.set_ylim(-0.8, len(events) - 0.2)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(
        "Ant Financial in the article: dated events (paragraph ids in brackets)", fontsize=10, loc="left"
    )
    fig.tight_layout()
    return fig
