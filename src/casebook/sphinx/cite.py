"""The ``{para}`` role and the ``{passage}`` directive."""

from __future__ import annotations

import re

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole

from casebook.sphinx import public
from casebook.sphinx.data import anchor, paragraphs

logger = logging.getLogger(__name__)

PARA_RE = re.compile(r"^P\d{3}$")
RANGE_RE = re.compile(r"^(P\d{3})\s*[-–]\s*(P\d{3})$")


class para_cite(nodes.inline):
    """A citation: rendered as a span carrying the passage for the hover card."""


def visit_para_cite_html(self, node: para_cite) -> None:
    attrs = {"class": "para-cite", "tabindex": "0"}
    if node["zh"] or node["en"]:  # the public edition carries no passage, so no hover card
        attrs.update({"data-zh": node["zh"], "data-en": node["en"]})
    self.body.append(self.starttag(node, "span", "", **attrs))


def depart_para_cite_html(self, node: para_cite) -> None:
    self.body.append("</span>")


def _skip(self, node: nodes.Node) -> None:
    pass


def _xref(pid: str, label: str) -> nodes.Node:
    ref = addnodes.pending_xref(
        "",
        refdomain="std",
        reftype="ref",
        reftarget=anchor(pid),
        refexplicit=True,
        refwarn=True,
    )
    ref += nodes.inline(label, label, classes=["para-id"])
    return ref


def _ids(target: str) -> tuple[str, ...] | None:
    target = target.strip()
    if PARA_RE.match(target):
        return (target,)
    m = RANGE_RE.match(target)
    if m and m.group(1) < m.group(2):
        return (m.group(1), m.group(2))
    return None


def cite_node(app: Sphinx, pid: str) -> nodes.Node:
    """A citation of one known paragraph, for directives that build tables or lists."""
    para = public.shown(app, paragraphs(app)[pid])
    node = para_cite("", zh=para.reading, en=para.en)
    node += _xref(pid, pid)
    return node


class ParaRole(SphinxRole):
    """``{para}`P042``` or ``{para}`P042-P048```."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        ids = _ids(self.text)
        known = paragraphs(self.env.app)
        if ids is None or any(i not in known for i in ids):
            logger.warning(
                "casebook: citation of unknown paragraph %r", self.text, location=self.get_location()
            )
            return [nodes.literal(self.text, self.text)], []
        node = cite_node(self.env.app, ids[0])
        if len(ids) == 2:
            node += nodes.Text("–")
            node += _xref(ids[1], ids[1])
        return [node], []


class PassageDirective(SphinxDirective):
    """A quoted span of the article: Chinese verbatim, its English, and the paragraph id.

    The body is the English rendering of the quoted span; without a body the
    paragraph's full translation is shown.
    """

    required_arguments = 1
    has_content = True
    option_spec = {"quote": directives.unchanged_required, "class": directives.class_option}

    def run(self) -> list[nodes.Node]:
        pid = self.arguments[0].strip()
        known = paragraphs(self.env.app)
        if pid not in known:
            logger.warning("casebook: passage cites unknown paragraph %r", pid, location=self.get_location())
            return []
        para = known[pid]
        quote = self.options.get("quote", "").strip()
        if quote and quote not in para.text and quote not in para.reading:
            logger.warning(
                "casebook: quote is not verbatim in %s: %r", pid, quote, location=self.get_location()
            )
        if not quote and public.enabled(self.env.app):
            logger.warning(
                "casebook: passage of %s has no :quote: and would show the whole paragraph, "
                "which the public edition does not carry",
                pid,
                location=self.get_location(),
            )
            return []
        box = nodes.container(classes=["passage", *self.options.get("class", [])])
        zh = nodes.paragraph(classes=["passage-zh"])
        zh["lang"] = "zh-Hans"
        zh += nodes.Text(f"“{quote or para.reading}”")
        box += zh
        en = nodes.container(classes=["passage-en"])
        if self.content:
            self.state.nested_parse(self.content, self.content_offset, en)
        else:
            en += nodes.paragraph(text=para.en)
        box += en
        src = nodes.paragraph(classes=["passage-source"])
        src += cite_node(self.env.app, pid)
        box += src
        return [box]


def setup(app: Sphinx) -> None:
    app.add_node(
        para_cite,
        html=(visit_para_cite_html, depart_para_cite_html),
        latex=(_skip, _skip),
        text=(_skip, _skip),
    )
    app.add_role("para", ParaRole())
    app.add_directive("passage", PassageDirective)
