"""Data for the chapters' figures, checked against the edition before it is drawn.

A figure's data point carries the paragraph it comes from and the phrase that
states it; ``cited`` refuses a point whose phrase is not verbatim in that
paragraph, so a figure cannot drift from the article it claims to show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from casebook.edition import by_id
from casebook.errors import CasebookError


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
