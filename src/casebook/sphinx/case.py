"""The ``{case-text}`` directive: the whole edition, one block per paragraph.

Each block carries the paragraph's anchor (``#p042``), its id as a visible
link, the Chinese reading text and the English translation. Which language
shows (Chinese, English or both side by side) is a reader's choice made by
the page's language switch; the anchors are the same in every mode, so a
reader who switches keeps their place. Each anchor is registered as a
``std`` label, which is what ``{para}`` citations resolve to.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.domains.std import StandardDomain
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from casebook.sphinx import public
from casebook.sphinx.data import anchor, paragraphs

logger = logging.getLogger(__name__)

MODES = ("both", "zh", "en")


class CaseTextDirective(SphinxDirective):
    option_spec = {"lang": lambda arg: directives.choice(arg, MODES)}

    def run(self) -> list[nodes.Node]:
        if public.enabled(self.env.app):
            return public.case_placeholder(self.env.app, self.env.docname, paragraphs(self.env.app))
        lang = self.options.get("lang", "both")
        std: StandardDomain = self.env.get_domain("std")  # type: ignore[assignment]
        wrapper = nodes.container(classes=["case-text", f"case-lang-{lang}"])
        if lang == "both":
            wrapper += self._switch()
        for p in paragraphs(self.env.app).values():
            aid = anchor(p.id)
            block = nodes.container(ids=[aid], classes=["case-para", f"case-{p.kind}"])
            head = nodes.paragraph(classes=["case-para-id"])
            head += nodes.reference(p.id, p.id, refid=aid, classes=["case-anchor"])
            block += head
            if lang in ("both", "zh"):
                zh = nodes.paragraph(p.reading, p.reading, classes=["case-zh"])
                zh["lang"] = "zh-Hans"
                block += zh
            if lang in ("both", "en"):
                if not p.en:
                    logger.warning(
                        "casebook: %s has no English translation", p.id, location=self.get_location()
                    )
                en = nodes.container(classes=["case-en"])
                en += nodes.paragraph(p.en, p.en)
                if p.note:
                    note = nodes.paragraph(classes=["case-note"])
                    note += nodes.strong("Translator's note: ", "Translator's note: ")
                    note += nodes.Text(p.note)
                    en += note
                block += en
            wrapper += block
            std.note_hyperlink_target(aid, self.env.docname, aid, p.id)
        return [wrapper]

    def _switch(self) -> nodes.Node:
        # The buttons are wired by casebook.js; without JavaScript both languages show.
        bar = nodes.container(classes=["case-switch"])
        bar += nodes.paragraph(
            "",
            "",
            nodes.inline("Show:", "Show:", classes=["case-switch-label"]),
            *(
                nodes.inline(label, label, classes=["case-switch-btn", f"case-switch-{mode}"])
                for mode, label in (("both", "Side by side"), ("en", "English"), ("zh", "中文"))
            ),
        )
        return bar


def setup(app: Sphinx) -> None:
    app.add_directive("case-text", CaseTextDirective)
    app.add_directive("timeline-table", TimelineTableDirective)
    app.add_directive("edition-fixes", EditionFixesDirective)
    app.add_directive("glossary-table", GlossaryTableDirective)


class TimelineTableDirective(SphinxDirective):
    """The timeline as a table: date, event in English and Chinese, and its citation."""

    def run(self) -> list[nodes.Node]:
        from casebook.edition.timeline import load
        from casebook.sphinx.cite import cite_node

        events = load(Path(self.env.app.srcdir))
        table = nodes.table(classes=["timeline-table"])
        group = nodes.tgroup(cols=4)
        table += group
        for width in (14, 46, 28, 12):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        body = nodes.tbody()
        group += head
        group += body
        head += _row(["When", "Event", "中文", "Source"])
        for e in events:
            body += _row([e.label_date, e.en, e.zh, cite_node(self.env.app, e.para)])
        return [table]


def _row(cells: list) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        para = nodes.paragraph()
        para += nodes.Text(cell) if isinstance(cell, str) else cell
        entry += para
        row += entry
    return row


class EditionFixesDirective(SphinxDirective):
    """The reviewed character fixes as a table, and a count of restored punctuation."""

    option_spec = {"table": lambda arg: directives.choice(arg, ("chars", "punctuation"))}

    def run(self) -> list[nodes.Node]:
        from collections import Counter

        from casebook import paths
        from casebook.edition import fixes
        from casebook.sphinx.cite import cite_node

        sdir = paths.seeds_dir(Path(self.env.app.srcdir))
        which = self.options.get("table", "chars")
        name = "corrections.tsv" if which == "chars" else "punctuation.tsv"
        rows = fixes.read_table(sdir / name)
        self.env.note_dependency(str(sdir / name))
        if which == "punctuation":
            counts = Counter(f.new for f in rows)
            text = ", ".join(f"{n} × “{mark}”" for mark, n in counts.most_common())
            return [nodes.paragraph(text=f"{len(rows)} marks restored: {text}.")]
        table = nodes.table(classes=["edition-fixes"])
        group = nodes.tgroup(cols=5)
        table += group
        for width in (10, 10, 30, 40, 10):
            group += nodes.colspec(colwidth=width)
        head, body = nodes.thead(), nodes.tbody()
        group += head
        group += body
        head += _row(["Source", "Edition", "In context", "Why", "Paragraph"])
        for f in rows:
            body += _row(
                [
                    f.old,
                    f.new,
                    f"{f.before}[{f.old}→{f.new}]{f.after}",
                    f.why,
                    cite_node(self.env.app, f.para),
                ]
            )
        return [table]


class GlossaryTableDirective(SphinxDirective):
    """One table per kind of entry, each row with where the entry first appears."""

    TITLES = {
        "person": "People",
        "product": "Products and units",
        "organization": "Organizations",
        "term": "Chinese terms",
    }

    def run(self) -> list[nodes.Node]:
        from casebook.edition import load as load_edition
        from casebook.edition.glossary import first_paragraph, glossary_file, load_entries
        from casebook.sphinx.cite import cite_node

        root = Path(self.env.app.srcdir)
        self.env.note_dependency(str(glossary_file(root)))
        paras = load_edition(root)
        entries = load_entries(root)
        out: list[nodes.Node] = []
        for kind, title in self.TITLES.items():
            rows = sorted((e for e in entries if e.kind == kind), key=lambda e: e.en.casefold())
            if not rows:
                continue
            section = nodes.rubric(text=title)
            table = nodes.table(classes=["glossary-table"])
            group = nodes.tgroup(cols=4)
            table += group
            for width in (22, 18, 48, 12):
                group += nodes.colspec(colwidth=width)
            head, body = nodes.thead(), nodes.tbody()
            group += head
            group += body
            head += _row(["English", "中文", "Note", "First in"])
            for e in rows:
                zh = e.zh + (f" ({e.pinyin})" if e.pinyin and e.pinyin != e.en else "")
                if e.nickname:
                    zh += f"; nickname 花名 {e.nickname}"
                first = first_paragraph(e, paras)
                body += _row([e.en, zh, e.note, cite_node(self.env.app, first) if first else ""])
            out += [section, table]
        return out
