"""Sphinx extension of the course: paragraph citations, quoted passages, the case text.

One citation convention serves the whole book: ``{para}`P042``` links to the
paragraph's anchor on the case page and shows the passage in Chinese and
English on hover or keyboard focus; ``{passage}`` quotes a span of a paragraph
and fails the build when the quote is not verbatim in the edition. Unknown
paragraph ids and unverifiable quotes are Sphinx warnings, so a ``-W`` build
fails on them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from . import case, cite, quiz

STATIC = Path(__file__).parent / "static"


def _add_static(app: Sphinx) -> None:
    app.config.html_static_path.append(str(STATIC))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("casebook_case_doc", "chapters/case", "env")
    app.connect("builder-inited", _add_static)
    app.add_css_file("casebook.css")
    app.add_js_file("casebook.js", defer="defer")
    cite.setup(app)
    case.setup(app)
    quiz.setup(app)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
