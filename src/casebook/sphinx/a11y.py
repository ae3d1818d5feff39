"""Accessibility of the book's HTML (WCAG 2.1 AA), where the theme or docutils fall short.

Each fix addresses a cause an axe-core audit found, at its source:

- **Language of parts** (3.1.2): every run of Chinese in an English page is
  wrapped in an inline node with the class ``language-zh-Hans``, which the
  docutils HTML writer turns into ``lang="zh-Hans"``. It runs after reading
  (so titles in the navigation carry it too) and again on the resolved doctree
  (text made by cross-references and the bibliography). Blocks already marked
  Chinese, literal text and raw HTML are left alone.
  Chinese in highlighted code is marked in the page's HTML (``mark_code``).
- **Citation lists** (4.1.2): docutils writes ``role="doc-biblioentry"``
  inside ``role="list"``; ARIA 1.3 deprecates that role and axe then finds the
  list's children invalid (``aria-required-children``, critical). Entries are
  written as ``role="listitem"`` instead.
- **Collapse toggles in the sidebar** (4.1.2): pydata-sphinx-theme makes a
  ``<summary>`` holding only an icon; each gets a visually hidden name
  ("Sections of <page>"), added to the theme's navigation HTML as it is made.
- **Label in name** (2.5.3): the theme's search button says "Search Ctrl+K"
  but is named "Search", and its colour-mode button's icons carry titles
  missing from its name; ``_templates/`` overrides those two templates.
  myst-nb names the toggle of a hidden code cell "Toggle hidden content"
  while it shows "Show code cell source": the toggle is written without that
  ``aria-label``, so its visible text is its name.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms import SphinxTransform

from casebook.edition.lang import ZH, mark_html, runs

TEMPLATES = Path(__file__).parent / "_templates"
ZH_CLASS = f"language-{ZH}"
# Directives mark a Chinese block with this attribute; the transform turns it into the class
# after docutils' smart quotes have run, which warn about any language they have no quotes for.
LANG = "casebook_lang"
_SKIP = (
    nodes.FixedTextElement,
    nodes.literal,
    nodes.raw,
    nodes.comment,
    nodes.math,
    nodes.math_block,
    nodes.substitution_definition,
    nodes.system_message,
)


def _marked(node: nodes.Node) -> bool:
    """Inside something already marked Chinese, or something whose text is not prose.

    Chinese inside a block marked English (a translator's note) is still marked."""
    parent = node.parent
    while parent is not None:
        if isinstance(parent, _SKIP):
            return True
        if isinstance(parent, nodes.Element) and (
            any(c.startswith("language-zh") for c in parent.get("classes", ()))
            or str(parent.get(LANG, "")).startswith("zh")
        ):
            return True
        parent = parent.parent
    return False


def mark_chinese(doctree: nodes.Node) -> int:
    """Wrap each run of Chinese in an English page in an inline marked ``zh-Hans``; return how many."""
    for element in list(doctree.findall(nodes.Element)):
        if element.get(LANG):
            element["classes"].append(f"language-{element[LANG]}")
            del element[LANG]
    count = 0
    for text in list(doctree.findall(nodes.Text)):
        pieces = list(runs(str(text)))
        if not any(zh for zh, _ in pieces) or _marked(text):
            continue
        new: list[nodes.Node] = []
        for zh, piece in pieces:
            if zh:
                new.append(nodes.inline(piece, piece, classes=[ZH_CLASS]))
                count += 1
            else:
                new.append(nodes.Text(piece))
        text.parent.replace(text, new)
    return count


class MarkChinese(SphinxTransform):
    default_priority = 900  # after docutils' SmartQuotes (855)

    def apply(self, **kwargs: Any) -> None:
        mark_chinese(self.document)


def _resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    mark_chinese(doctree)


# --- citation lists --------------------------------------------------------------------------


def visit_citation(self: Any, node: nodes.citation) -> None:
    if not isinstance(node.previous_sibling(), nodes.citation):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def depart_citation(self: Any, node: nodes.citation) -> None:
    self.body.append("</div>\n")
    if not isinstance(node.next_node(descend=False, siblings=True), nodes.citation):
        self.body.append("</div>\n")


# --- hidden code cells (myst-nb) -------------------------------------------------------------


def visit_hidden_cell(self: Any, node: nodes.Element) -> None:
    """myst-nb's markup of a hidden code cell, less the aria-label that hid its visible text."""
    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    self.body.append(f'<p class="collapsed admonition-title">{self.encode(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{self.encode(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def depart_hidden_cell(self: Any, node: nodes.Element) -> None:
    self.body.append("</details>\n")


# --- the sidebar's collapse toggles ----------------------------------------------------------


def name_toggles(soup: Any) -> None:
    """Give each icon-only ``<summary>`` of a navigation tree a name a screen reader can say."""
    for summary in soup.find_all("summary"):
        if summary.get_text(strip=True):
            continue
        item = summary.find_parent("li")
        link = item.find("a") if item is not None else None
        label = link.get_text(" ", strip=True) if link is not None else ""
        hidden = soup.new_tag("span", attrs={"class": "casebook-sr"})
        hidden.string = f"Sections of {label}" if label else "Sections"
        summary.insert(0, hidden)


def _wrap_navigation(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    make = context.get("generate_toctree_html")
    if make is None or getattr(make, "casebook_wrapped", False):
        return

    def generate_toctree_html(*args: Any, **kwargs: Any) -> Any:
        soup = make(*args, **kwargs)
        if hasattr(soup, "find_all"):
            name_toggles(soup)
        return soup

    generate_toctree_html.casebook_wrapped = True  # type: ignore[attr-defined]
    context["generate_toctree_html"] = generate_toctree_html


_PRE = re.compile(r"<pre[ >].*?</pre>", re.S)


def mark_code(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Chinese in code (string literals of the figure cells) marked too, once highlighted.

    Literal blocks are skipped by the doctree transform: their text must stay as written for
    the highlighter. The highlighted HTML only gains spans around Chinese runs of its text.
    """
    body = context.get("body")
    if body and "<pre" in body:
        context["body"] = _PRE.sub(lambda m: mark_html(m.group()), body)


def _templates(app: Sphinx, config: Config) -> None:
    # First in the list: a project template overrides the theme's of the same name.
    config.templates_path.insert(0, str(TEMPLATES))


def setup(app: Sphinx) -> None:
    app.connect("config-inited", _templates)
    app.add_transform(MarkChinese)
    app.connect("doctree-resolved", _resolved, priority=900)
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    from myst_nb.sphinx_ import HideCodeCellNode  # type: ignore[import-untyped]

    app.add_node(HideCodeCellNode, override=True, html=(visit_hidden_cell, depart_hidden_cell))
    # After pydata-sphinx-theme puts its navigation functions in the context (priority 500).
    app.connect("html-page-context", _wrap_navigation, priority=600)
    app.connect("html-page-context", mark_code, priority=600)
