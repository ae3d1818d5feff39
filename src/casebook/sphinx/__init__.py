"""Sphinx extension of the course: paragraph citations, quoted passages, the case text.

One citation convention serves the whole book: ``{para}`P042``` links to the
paragraph's anchor on the case page and shows the passage in Chinese and
English on hover or keyboard focus; ``{passage}`` quotes a span of a paragraph
and fails the build when the quote is not verbatim in the edition. Unknown
paragraph ids and unverifiable quotes are Sphinx warnings, so a ``-W`` build
fails on them.

Imports: ``casebook.edition``, ``casebook.quiz``, ``casebook.book`` and the
shared leaves. Sphinx loads it (``_config.yml``); nothing in the engine
imports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from casebook import __version__
from casebook.sphinx import case, cite, public, quiz

STATIC = Path(__file__).parent / "static"


def _add_static(app: Sphinx) -> None:
    app.config.html_static_path.append(str(STATIC))


def _dedupe_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Drop repeated script tags.

    sphinx-thebe registers its inline configuration on every read phase, and a
    page then declares ``const THEBE_JS_URL`` twice, which the browser rejects
    with a script error on every page that has code cells.
    """
    files = context.get("script_files")
    if not files:
        return
    seen: set = set()
    unique = []
    for script in files:
        attrs = getattr(script, "attributes", {}) or {}
        key = (getattr(script, "filename", str(script)) or "", tuple(sorted(attrs.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    files[:] = unique


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("casebook_case_doc", "chapters/case", "env")
    app.connect("builder-inited", _add_static)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.add_css_file("casebook.css")
    app.add_js_file("casebook.js", defer="defer")
    public.setup(app)
    cite.setup(app)
    case.setup(app)
    quiz.setup(app)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
