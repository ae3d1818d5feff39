"""The case as a printable handout: both languages side by side, as HTML and PDF.

The HTML stands alone (styles inline, no scripts, no web fonts), so it prints
the same from any browser; the PDF is that page printed by headless Chromium,
which the set-up installs. Paragraph ids stay in the margin so that a class
discussing a printout cites the same P042 as the book.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
from pathlib import Path

from casebook.edition import Paragraph, load
from casebook.edition.lang import ZH, html_marked
from casebook.errors import CasebookError

STYLE = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 10pt; line-height: 1.5;
       color: #111; margin: 0; }
h1 { font-size: 15pt; margin: 0 0 2mm; }
.meta { font-size: 9pt; color: #444; margin-bottom: 5mm; }
table { border-collapse: collapse; width: 100%; }
td { vertical-align: top; padding: 1.2mm 2mm; border-bottom: 0.2mm solid #ddd; }
td.id { width: 9mm; font-size: 8pt; color: #666; font-family: "Noto Sans CJK SC", sans-serif; }
td.zh { width: 44%; }
tr { break-inside: avoid; }
tr.caption td.zh, tr.caption td.en { font-style: italic; color: #555; font-size: 9pt; }
.note { font-size: 8.5pt; color: #555; margin-top: 1mm; }
"""


def page(paras: list[Paragraph], lang: str = "both") -> str:
    rows = []
    for p in paras:
        cells = [f'<td class="id">{p.id}</td>']
        if lang in ("both", "zh"):
            cells.append(f'<td class="zh" lang="{ZH}">{html.escape(p.reading)}</td>')
        if lang in ("both", "en"):
            note = f'<div class="note">Translator\'s note: {html_marked(p.note)}</div>' if p.note else ""
            cells.append(f'<td class="en" lang="en">{html.escape(p.en)}{note}</td>')
        rows.append(f'<tr class="{p.kind}" id="{p.id.lower()}">{"".join(cells)}</tr>')
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Ant Financial case (China Entrepreneur, 2019)</title>"
        f"<style>{STYLE}</style></head><body>"
        "<h1>The case: Ant Financial in 2019 (China Entrepreneur)</h1>"
        f'<p class="meta">China Entrepreneur (<span lang="{ZH}">《中国企业家》</span>), 2019. '
        "Course edition: Chinese reading text and English translation, paragraph by paragraph "
        "(P001 to P115).</p>"
        f"<table>{''.join(rows)}</table></body></html>"
    )


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise CasebookError("no Chromium found to print the PDF: install the Debian package chromium")


def write(out: Path, lang: str = "both", pdf: bool = True) -> list[Path]:
    """Write ``out`` (.html, and .pdf beside it when asked); return the files written."""
    out = out.with_suffix(".html")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page(load(), lang), encoding="utf-8")
    written = [out]
    if pdf:
        target = out.with_suffix(".pdf")
        with tempfile.TemporaryDirectory(prefix="casebook-chromium-") as profile:
            run = subprocess.run(
                [
                    chromium(),
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    f"--user-data-dir={profile}",
                    "--no-pdf-header-footer",
                    f"--print-to-pdf={target}",
                    out.resolve().as_uri(),
                ],
                capture_output=True,
                text=True,
                timeout=180,
            )
        if run.returncode != 0 or not target.exists():
            raise CasebookError(f"Chromium could not print {out.name} (exit {run.returncode})")
        written.append(target)
    return written
