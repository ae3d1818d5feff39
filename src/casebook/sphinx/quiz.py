"""The ``{quiz}`` directive: a chapter's bank rendered as an interactive quiz.

Written for this package rather than taken from jupyterquiz because the
course's question types include ordering, matching and short text, and its
feedback must carry the misconception behind a wrong option and the cited
passage linked to its paragraph, which jupyterquiz's JSON format cannot hold.
All HTML is rendered at build time (nothing is injected on load, so the page
does not shift); ``casebook-quiz.js`` only checks answers, in the browser,
sending nothing anywhere. Its scoring is a port of ``casebook.quiz.scoring``,
checked against it case by case (tests/test_conformance.py), and the right
answer it shows is worded by ``casebook.quiz.wording`` like the feedback pages.

In the student edition (``casebook_quiz_reveal = False``) the quiz is shown
without its key: the questions only, to be answered in the released notebook.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docutils import nodes
from markdown_it import MarkdownIt
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from casebook.edition.lang import mark_html
from casebook.quiz import wording
from casebook.sphinx import public
from casebook.sphinx.data import anchor, paragraphs

logger = logging.getLogger(__name__)
MD = MarkdownIt("commonmark", {"html": False}).enable("table")  # as feedback pages and QTI


def md(text: str, inline: bool = False) -> str:
    """Author Markdown as HTML, its Chinese marked ``lang="zh-Hans"`` (raw HTML escapes the
    book's own marking transform)."""
    return mark_html(MD.renderInline(text) if inline else MD.render(text))


class quiz_node(nodes.General, nodes.Element):
    """Holds the quiz until the writer knows the relative URL of the case page."""


def _points(p: float) -> str:
    n = int(p) if float(p).is_integer() else p
    return f"{n} point" + ("" if n == 1 else "s")


# Every control has a name (its label), and the controls of a question point at its prompt
# (aria-describedby), so a screen reader user who tabs into a control hears what it answers.
def _prompt_id(q: Any) -> str:
    return f"quiz-{html.escape(q.id)}-prompt"


def _described(q: Any) -> str:
    return f'aria-describedby="{_prompt_id(q)}"'


def _plain(text: str) -> str:
    """Inline Markdown as plain text for an attribute (an accessible name)."""
    return html.escape(html.unescape(re.sub(r"<[^>]+>", "", md(text, inline=True))), quote=True)


def _choices(q: Any, kind: str) -> str:
    name = f"cbq-{q.id}"
    items = []
    for opt in q.options or []:
        items.append(
            f'<label class="cbq-option"><input type="{kind}" name="{name}" value="{html.escape(opt.key)}">'
            f' <span class="cbq-letter">{html.escape(opt.key)}.</span> {md(opt.text, inline=True)}</label>'
        )
    return (
        f'<fieldset class="cbq-choices" {_described(q)}>'
        f'<legend class="cbq-sr">Options</legend>{"".join(items)}</fieldset>'
    )


def _true_false(q: Any) -> str:
    name = f"cbq-{q.id}"
    return (
        f'<fieldset class="cbq-choices" {_described(q)}><legend class="cbq-sr">True or false</legend>'
        f'<label class="cbq-option"><input type="radio" name="{name}" value="true"> True</label>'
        f'<label class="cbq-option"><input type="radio" name="{name}" value="false"> False</label>'
        "</fieldset>"
    )


def _numeric(q: Any) -> str:
    unit = html.escape(q.key_answer().unit or "")
    return (
        f'<label class="cbq-inline">Your answer: <input type="text" inputmode="decimal" '
        f'class="cbq-input" autocomplete="off" {_described(q)}> <span class="cbq-unit">{unit}</span></label>'
    )


def _short_text(q: Any) -> str:
    return (
        '<label class="cbq-inline">Your answer: <input type="text" class="cbq-input" '
        f'autocomplete="off" {_described(q)}></label>'
    )


def _ordering(q: Any) -> str:
    # Each arrow is named after its item ("Move up: …"); the arrow glyph itself is hidden from
    # screen readers, so the visible text adds nothing the name lacks.
    items = "".join(
        f'<li class="cbq-item" data-key="{html.escape(o.key)}"><span class="cbq-item-text">'
        f"{md(o.text, inline=True)}</span>"
        '<span class="cbq-move">'
        f'<button type="button" class="cbq-up" aria-label="Move up: {_plain(o.text)}">'
        '<span aria-hidden="true">↑</span></button>'
        f'<button type="button" class="cbq-down" aria-label="Move down: {_plain(o.text)}">'
        '<span aria-hidden="true">↓</span></button></span></li>'
        for o in q.options or []
    )
    return (
        '<p class="cbq-hint">Put the items in order, first at the top, with the arrow buttons.</p>'
        f'<ol class="cbq-order" {_described(q)}>{items}</ol>'
    )


def _matching(q: Any) -> str:
    targets = "".join(
        f'<option value="{html.escape(tg.key)}">{html.escape(tg.key)}. {html.escape(tg.text)}</option>'
        for tg in q.targets or []
    )
    rows = "".join(
        f'<div class="cbq-match"><label><span class="cbq-match-left">{md(o.text, inline=True)}</span>'
        f'<select class="cbq-select" data-key="{html.escape(o.key)}" {_described(q)}>'
        '<option value="">choose…</option>'
        f"{targets}</select></label></div>"
        for o in q.options or []
    )
    return f'<div class="cbq-matching">{rows}</div>'


# The form controls of each question type (casebook-quiz.js reads them back with its READ
# table). Written answers are scored by hand, so the book's quiz leaves them out.
BODY: dict[str, Callable[[Any], str] | None] = {
    "single": lambda q: _choices(q, "radio"),
    "multiple": lambda q: '<p class="cbq-hint">Choose all that apply.</p>' + _choices(q, "checkbox"),
    "true_false": _true_false,
    "numeric": _numeric,
    "ordering": _ordering,
    "matching": _matching,
    "short_text": _short_text,
    "written": None,
}
SUPPORTED = tuple(kind for kind, body in BODY.items() if body is not None)


def _body(q: Any) -> str:
    render = BODY[q.type]
    return render(q) if render else ""


def _key_entry(q: Any, key: dict, case_uri: str, paras: dict) -> dict:
    evidence = []
    for ev in q.evidence:
        p = paras.get(ev.para)
        evidence.append(
            {
                "para": ev.para,
                "quote": ev.quote,
                "en": p.en if p else "",
                "href": f"{case_uri}#{anchor(ev.para)}",
            }
        )
    entry = {k: v for k, v in key.items() if k not in ("var", "alias")}
    entry["explanation"] = md(q.explanation)
    entry["evidence"] = evidence
    entry["right_text"] = wording.right_answer(q)  # the words of the feedback pages
    return entry


def render(bank: Any, key: dict, case_uri: str, paras: dict, reveal: bool) -> str:
    auto = [q for q in bank.questions if q.type in SUPPORTED]
    parts = [
        f'<div class="cbq-quiz" id="quiz-{html.escape(bank.quiz)}" data-quiz="{html.escape(bank.quiz)}">'
    ]
    if reveal:
        parts.append(
            '<p class="cbq-intro">Answer each question and press <em>Check</em>. Your answers stay '
            "in this browser; nothing is sent anywhere.</p>"
        )
    else:
        parts.append(
            '<p class="cbq-intro">The questions of this chapter\'s graded quiz. Answer them in the '
            "notebook your instructor releases; the key is not part of this edition.</p>"
        )
    by_id = {e["id"]: e for e in key["questions"]}
    for n, q in enumerate(auto, start=1):
        qid = html.escape(q.id)
        parts.append(
            f'<section class="cbq" data-qid="{qid}" data-type="{q.type}" id="quiz-{qid}">'
            f'<h3 class="cbq-title">Question {n} <span class="cbq-points">· {_points(q.points)}</span></h3>'
            f'<div class="cbq-prompt" id="{_prompt_id(q)}">{md(q.prompt)}</div>{_body(q)}'
        )
        if reveal:
            # After Check, focus moves to the feedback (tabindex -1 makes it focusable by script
            # only), or back to the question's first control when nothing was answered; the
            # verdict is also said in the quiz's live region (casebook-quiz.js).
            parts.append(
                '<p class="cbq-actions"><button type="button" class="cbq-check" '
                f'aria-label="Check question {n}">Check</button></p>'
                '<div class="cbq-feedback" tabindex="-1"></div>'
            )
        parts.append("</section>")
    if reveal:
        total = sum(q.points for q in auto)
        parts.append(
            f'<div class="cbq-summary" data-max="{total:g}">'
            f'Score: <span class="cbq-score">0</span> of {total:g} points · '
            f'<span class="cbq-done">0</span> of {len(auto)} questions checked</div>'
            # One live region per quiz: the verdict and the new score, said once after Check.
            '<p class="cbq-sr cbq-announce" role="status" aria-live="polite" aria-atomic="true"></p>'
        )
        data = {
            "quiz": bank.quiz,
            "questions": {q.id: _key_entry(q, by_id[q.id], case_uri, paras) for q in auto},
        }
        blob = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        parts.append(f'<script type="application/json" class="cbq-key">{blob}</script>')
    parts.append("</div>")
    return "".join(parts)


class QuizDirective(SphinxDirective):
    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        from casebook.quiz import bank as banks

        quiz = self.arguments[0].strip()
        path = Path(self.env.app.srcdir) / "exercises" / f"{quiz}.yml"
        self.env.note_dependency(str(path))
        try:
            b = banks.load(path, root=Path(self.env.app.srcdir))
        except Exception as exc:  # a broken bank is a build warning with its one-line reason
            logger.warning("casebook: quiz %r: %s", quiz, exc, location=self.get_location())
            return []
        node = quiz_node()
        node["quiz"] = quiz
        node["bank"] = b
        return [node]


def _resolve(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    from casebook.quiz import bank as banks

    reveal = app.config.casebook_quiz_reveal
    for node in list(doctree.findall(quiz_node)):
        b = node["bank"]
        case_uri = app.builder.get_relative_uri(docname, app.config.casebook_case_doc)
        paras = {pid: public.shown(app, p) for pid, p in paragraphs(app).items()}
        out = render(b, banks.answer_key(b), case_uri, paras, reveal)
        node.replace_self(nodes.raw("", out, format="html"))


def setup(app: Sphinx) -> None:
    app.add_config_value("casebook_quiz_reveal", True, "env")
    app.add_node(quiz_node)
    app.add_directive("quiz", QuizDirective)
    app.connect("doctree-resolved", _resolve)
    app.add_js_file("casebook-quiz.js", defer="defer")
