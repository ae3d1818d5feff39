"""Feedback for each student (HTML and Markdown) and tables for the instructor.

Everything a bank author wrote is rendered once per quiz (``prepare``); a
submission only adds its own escaped strings, which keeps thousands of
feedback files fast. The HTML is self-contained (inline CSS, no scripts, no
links out) so it can be mailed or uploaded to any LMS. Author Markdown goes
through markdown-it with raw HTML disabled; student text is always escaped.
Plain f-strings rather than Jinja2: two fixed layouts, rendered ten thousand
times, where a template engine adds a dependency and per-call cost for nothing.
"""

from __future__ import annotations

import html
import re
from typing import Any

from markdown_it import MarkdownIt

from casebook.edition import Paragraph
from casebook.edition.lang import ZH, html_marked, mark_html
from casebook.quiz import scoring, wording
from casebook.quiz.bank import Bank

_TICKS = re.compile(r"`+")
_MD = MarkdownIt("commonmark", {"html": False}).enable("table")

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC",sans-serif;
max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.55;color:#1b1b1b}
h1{font-size:1.5rem}h2{font-size:1.1rem;margin:0 0 .4rem}
.q{border:1px solid #ddd;border-left:6px solid #999;border-radius:6px;padding:.8rem 1rem;
margin:1rem 0}.right{border-left-color:#2e7d32}.partial{border-left-color:#f9a825}
.wrong,.invalid,.missing{border-left-color:#c62828}.blank{border-left-color:#9e9e9e}
.tag{font-weight:600;text-transform:uppercase;font-size:.8rem}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.4rem .6rem;border-radius:4px}
blockquote{margin:.4rem 0;padding-left:.8rem;border-left:3px solid #ccc;color:#333}
.en{font-style:italic;color:#555}.note{color:#8a4b00}
.scored{border-left-color:#1565c0}.pending{border-left-color:#6a1b9a}
.prose{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f6f6;padding:.4rem .6rem;
border-radius:4px}
table.rubric{border-collapse:collapse;margin:.4rem 0}
table.rubric td,table.rubric th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}
"""

LABEL = {  # outcome (scoring) or hand-scoring state (written) -> what the page says
    scoring.RIGHT: "right",
    scoring.PARTIAL: "partly right",
    scoring.WRONG: "wrong",
    scoring.BLANK: "blank",
    scoring.INVALID: "not readable",
    scoring.MISSING: "no answer cell",
    scoring.MANUAL: "awaiting review",
    "pending": "awaiting review",
    "scored": "scored by hand",
}


def _md(text: str) -> str:
    return mark_html(_MD.render(text.strip()))


def markdown_html(text: str) -> str:
    """Author Markdown (prompts, rubrics) as HTML; raw HTML in it is shown as text, never run."""
    return _md(text)


def _md_literal(text: str) -> str:
    """A fenced block longer than any backtick run inside: Markdown shows it verbatim."""
    longest = max((len(run) for run in _TICKS.findall(text)), default=0) if "`" in text else 0
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"


def _md_escape(text: str) -> str:
    """Student text inside Markdown: every character Markdown could act on is escaped."""
    out = []
    for ch in text:
        if ch in "\\`*_{}[]()#+-.!|<>~&":
            out.append("\\" + ch)
        elif ch in "\r\n":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def prepare(bank: Bank, paras: dict[str, Paragraph]) -> dict[str, Any]:
    """Per-question pieces of the quiz, rendered once and shared by every submission."""
    questions = []
    for index, q in enumerate(bank.questions):
        cites = wording.evidence(q, paras)
        ev_html = "".join(
            f'<blockquote><span lang="{ZH}">{html.escape(e["quote"])}</span> '
            f"({html.escape(e['para'])})"
            + (f'<div class="en" lang="en">{html.escape(e["en"])}</div>' if e["en"] else "")
            + "</blockquote>"
            for e in cites
        )
        ev_md = "\n".join(
            f"> {e['quote']} ({e['para']})" + (f"\n>\n> *{e['en']}*" if e["en"] else "") + "\n" for e in cites
        )
        answer = wording.right_answer(q)
        why = q.explanation or ""
        if q.manual:
            why = wording.rubric_markdown(q) + (f"\n\n{why}" if why else "")
        questions.append(
            {
                "id": q.id,
                "n": index + 1,
                "points": wording.points(q.points),
                "prompt_html": _md(q.prompt),
                "prompt_md": q.prompt.strip(),
                "answer_html": html_marked(answer),
                "answer_md": answer,
                "why_html": _md(why),
                "why_md": why.strip(),
                "manual": q.manual,
                "evidence_html": ev_html,
                "evidence_md": ev_md,
            }
        )
    return {
        "quiz": bank.quiz,
        "title": bank.title,
        "title_html": html_marked(bank.title),
        "title_text": html.escape(bank.title),
        "max": wording.points(sum(q.points for q in bank.questions if not q.manual)),
        "manual": wording.points(sum(q.points for q in bank.questions if q.manual)),
        "questions": questions,
    }


def _by_hand(quiz: dict) -> str:
    return f" (plus up to {quiz['manual']} points scored by hand)" if quiz["manual"] != "0" else ""


def _earned(q: dict, credit: float) -> str:
    return "–" if q["manual"] else wording.points(credit)


def _hand(row: dict, q: dict, outcome: str, credit: float) -> tuple[str, str, dict]:
    """(outcome, points earned, what the merge says) of a question, written ones included."""
    mark = row.get("written", {}).get(q["id"]) if q["manual"] else None
    if not mark:
        return outcome, _earned(q, credit), {}
    state = mark["state"]
    if state == "pending":
        return "pending", "–", mark
    if state == "scored":
        return "scored", mark["points"], mark
    return "blank" if state == "blank" else outcome, "0", mark


def _score_parts(row: dict, quiz: dict) -> tuple[str, str]:
    """The score line of a feedback page, as (headline, detail), for both formats."""
    if "written" not in row:
        return f"Score: {row['score']} / {quiz['max']}", ""
    waiting = (
        f"; {row['pending']} written answer(s), {row['pending_points']} points, await review"
        if row["pending"]
        else ""
    )
    return (
        f"Score: {row['total']} / {row['total_max']}",
        f"({row['score']} / {quiz['max']} scored automatically, {row['written_score']} / "
        f"{quiz['manual']} for written answers{waiting})",
    )


def _score_html(row: dict, quiz: dict) -> str:
    headline, detail = _score_parts(row, quiz)
    if not detail:
        return f"<p><strong>{html.escape(headline)}</strong>{_by_hand(quiz)}</p>"
    return f"<p><strong>{html.escape(headline)}</strong> {html.escape(detail)}</p>"


def _score_md(row: dict, quiz: dict) -> str:
    headline, detail = _score_parts(row, quiz)
    return f"**{headline}**{_by_hand(quiz)}" if not detail else f"**{headline}** {detail}"


def _marks_html(mark: dict) -> str:
    if mark.get("state") != "scored":
        return ""
    esc = html_marked
    rows = "".join(
        f"<tr><td>{esc(name)}</td><td>{got} / {top}</td><td>{esc(label)}</td></tr>"
        for name, got, top, label in mark["criteria"]
    )
    out = (
        f'<table class="rubric"><thead><tr><th>criterion</th><th>points</th><th>level</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )
    if mark.get("comment"):
        out += f"<p><strong>Comment:</strong></p><pre>{html_marked(mark['comment'])}</pre>"
    return out


def _marks_md(mark: dict) -> list[str]:
    if mark.get("state") != "scored":
        return []
    lines = ["| criterion | points | level |", "| --- | --- | --- |"]
    lines += [
        f"| {_md_escape(name)} | {got} / {top} | {_md_escape(label)} |"
        for name, got, top, label in mark["criteria"]
    ]
    lines.append("")
    if mark.get("comment"):
        lines += ["**Comment:**", "", _md_literal(mark["comment"]), ""]
    return lines


def feedback_html(row: dict, quiz: dict, reveal: bool) -> str:
    """One student's feedback page. ``row`` holds only escaped-on-output student data.

    Text is escaped with its Chinese marked ``lang="zh-Hans"`` (WCAG 3.1.2): a student's
    answer, name or a grader's comment in Chinese is read by a screen reader as Chinese.
    """
    esc = html_marked
    who = esc(row["name"] or row["student"])
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{quiz['title_text']}: {html.escape(row['name'] or row['student'])}</title>"
        f"<style>{CSS}</style></head><body><main>",
        f"<h1>{quiz['title_html']}</h1>",
        f"<p><strong>{who}</strong> ({esc(row['student'])}) · quiz <code>{esc(quiz['quiz'])}"
        f"</code></p>{_score_html(row, quiz)}",
    ]
    parts += [f'<p class="note">{esc(n)}</p>' for n in row["notes"]]
    for q, outcome, credit, shown, reason, hint in zip(
        quiz["questions"],
        row["outcomes"],
        row["credits"],
        row["shown"],
        row["reasons"],
        row["hints"],
        strict=True,
    ):
        outcome, earned, mark = _hand(row, q, outcome, credit)
        parts.append(
            f'<section class="q {outcome}"><h2>Question {q["n"]} <small>({esc(q["id"])})</small>'
            f'</h2><p><span class="tag">{LABEL.get(outcome, outcome)}</span> · '
            f"{earned} / {q['points']} point(s)</p>{q['prompt_html']}"
            f"<p>Your answer:</p>"
            + (f'<div class="prose">{esc(shown)}</div>' if q["manual"] else f"<pre>{esc(shown)}</pre>")
        )
        if reason:
            parts.append(f'<p class="note">{esc(reason)}</p>')
        parts.append(_marks_html(mark))
        if q["manual"]:
            parts.append(f"<div><strong>Rubric:</strong> {q['why_html']}</div>")
        elif reveal:
            if hint and outcome != "right":
                parts.append(f"<p>What this answer suggests: {esc(hint)}</p>")
            parts.append(
                f"<p><strong>Answer:</strong> {q['answer_html']}</p>"
                f"<div><strong>Why:</strong> {q['why_html']}</div>"
            )
        parts.append(f"<div><strong>Passage:</strong>{q['evidence_html']}</div></section>")
    parts.append("</main></body></html>\n")
    return "".join(parts)


def feedback_md(row: dict, quiz: dict, reveal: bool) -> str:
    who = _md_escape(row["name"] or row["student"])
    lines = [
        f"# {quiz['title']}",
        "",
        f"**{who}** ({_md_escape(row['student'])}), quiz `{quiz['quiz']}`",
        "",
        _score_md(row, quiz),
        "",
    ]
    lines += [f"*{_md_escape(n)}*\n" for n in row["notes"]]
    for q, outcome, credit, shown, reason, hint in zip(
        quiz["questions"],
        row["outcomes"],
        row["credits"],
        row["shown"],
        row["reasons"],
        row["hints"],
        strict=True,
    ):
        outcome, earned, mark = _hand(row, q, outcome, credit)
        lines += [
            f"## Question {q['n']} ({q['id']}): {LABEL.get(outcome, outcome)}, {earned} / {q['points']}",
            "",
            q["prompt_md"],
            "",
            "Your answer:",
            "",
            _md_literal(shown),
            "",
        ]
        if reason:
            lines += [f"*{_md_escape(reason)}*", ""]
        lines += _marks_md(mark)
        if q["manual"]:
            lines += ["**Rubric:**", "", q["why_md"], ""]
        elif reveal:
            if hint and outcome != "right":
                lines += [f"What this answer suggests: {hint}", ""]
            lines += [f"**Answer:** {q['answer_md']}", "", f"**Why:** {q['why_md']}", ""]
        lines += ["**Passage:**", "", q["evidence_md"]]
    return "\n".join(lines).rstrip() + "\n"


def table_html(rows: list[dict], columns: list[str], limit: int | None = 50) -> str:
    """A plain HTML table for notebooks, without needing pandas."""
    shown = rows if limit is None else rows[:limit]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(r.get(c, '')))}</td>" for c in columns) + "</tr>"
        for r in shown
    )
    more = f"<p>… {len(rows) - len(shown)} more rows</p>" if len(rows) > len(shown) else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"
