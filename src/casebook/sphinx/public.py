"""The public edition: the book without the article's full text or its translation.

The article belongs to its publisher, *China Entrepreneur* (《中国企业家》), and
its author(s); the course includes it, with a translation, for teaching and
research. A host who publishes the book openly builds it with
``casebook_public: true`` (what ``casebook public-book`` sets). Then:

- the case page shows a notice and the paragraph ids instead of the text; the
  ids keep their anchors, so every citation in the book still resolves;
- a citation's hover card is off (the card would carry the whole paragraph);
- a ``{passage}`` shows its quoted span only; one without ``:quote:`` would
  show the whole paragraph, so it is a warning (an error under ``-W``);
- a quiz's evidence keeps its quoted span but not the paragraph's translation.

Pages add or drop wording for this edition with the ``casebook_public`` tag
(``{only}`` blocks), so the rest of the book needs no second copy.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.domains.std import StandardDomain

from casebook.edition import Paragraph

TAG = "casebook_public"


def enabled(app: Sphinx) -> bool:
    return bool(getattr(app.config, "casebook_public", False))


def shown(app: Sphinx, para: Paragraph) -> Paragraph:
    """The paragraph as a page may carry it: unchanged, or without its text in the public edition."""
    if not enabled(app):
        return para
    return replace(para, text="", reading="", en="", note="")


def case_placeholder(app: Sphinx, docname: str, paras: dict[str, Paragraph]) -> list[nodes.Node]:
    """The case page of the public edition: a notice, then one anchor per paragraph id."""
    std: StandardDomain = app.env.get_domain("std")  # type: ignore[assignment]
    box = nodes.container(classes=["case-text", "case-public"])
    notice = nodes.paragraph(classes=["case-public-notice"])
    notice += nodes.strong(text="The article's text is not part of this edition. ")
    notice += nodes.Text(
        "It is the copyright of China Entrepreneur (《中国企业家》) and its author(s); this public "
        "edition of the course carries only the short passages its chapters quote. "
    )
    source = str(app.config.casebook_source_url or "")
    if source:
        notice += nodes.Text("Read the article at the source: ")
        notice += nodes.reference(source, source, refuri=source)
        notice += nodes.Text(". ")
    else:
        notice += nodes.Text("Read it in the magazine (2019) or through a library; it opens with the words ")
        first = next(iter(paras.values()), None)
        opening = first.reading.split(",")[0][:20] if first else ""
        quote = nodes.inline(text=f"“{opening}…”")
        quote["lang"] = "zh-Hans"
        notice += quote
        notice += nodes.Text(". ")
    notice += nodes.Text("Citations in the book point to the paragraph ids below.")
    box += notice
    ids = nodes.paragraph(classes=["case-public-ids"])
    for pid in paras:
        aid = pid.lower()
        target = nodes.inline(pid, pid, ids=[aid], classes=["case-public-id"])
        ids += target
        ids += nodes.Text(" ")
        std.note_hyperlink_target(aid, docname, aid, pid)
    box += ids
    return [box]


def _tag(app: Sphinx, config: Config) -> None:
    if config.casebook_public:
        app.tags.add(TAG)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("casebook_public", False, "env")
    app.add_config_value("casebook_source_url", "", "env")
    app.connect("config-inited", _tag)
    return {}
