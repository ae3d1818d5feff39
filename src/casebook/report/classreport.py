"""The class report: what a class misread in the case, before the session that discusses it.

Every auto-graded question cites the paragraphs its key rests on, so a quiz's
results can be laid back over the article. For each quiz in a graded folder:

- **the misread case**: for each cited paragraph p, over the questions whose
  evidence cites p, ``miss_rate = 1 - sum(mean credit x points) / sum(points)``,
  where a question's mean credit is the mean fraction of its points the graded
  students earned (the item analysis's difficulty). Shown as the case text,
  shaded, and as a ranked list (``paragraphs.csv``);
- **misconceptions**: each wrong option or listed wrong answer at least one
  student gave, with its share of the graded class (``misconceptions.csv``);
- **objectives and levels**: mean credit per learning objective and per Bloom
  level (``objectives.csv``);
- **cold call and an opener**: for the most held misconceptions, a few students
  who hold them (the review sheets' anonymous codes unless ``--names``), and the
  question whose right answers are nearest half the class (``cold-call.csv``).

Credits come from ``gradebook.csv``. Which option each student chose is not in
the gradebook, so each graded submission is read again by the grader's own
per-file step (:func:`casebook.grading.pipeline.grade_file`: static, nothing
runs), under the identity the gradebook gives it. A submission that can no
longer be read still counts in the credits and is reported as missing from the
misconception counts.

Pages are static HTML with inline CSS and PNG plots embedded: nothing is
fetched or sent, and the files open from the file system.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casebook import edition, fileio, paths
from casebook.edition.lang import html_marked
from casebook.errors import CasebookError
from casebook.grading import pipeline
from casebook.grading.submission import GRADED
from casebook.quiz import bank as banks_mod
from casebook.quiz import scoring
from casebook.review.codes import codes, secret

TOP_PASSAGES = 10  # ranked on the page; every cited paragraph is in paragraphs.csv
TOP_MISCONCEPTIONS = 5  # cold-call candidates are listed for this many
CALL_PER_MISCONCEPTION = 4


@dataclass
class Item:
    """One auto-graded question and what the class did with it."""

    id: str
    type: str
    prompt: str
    points: float
    objective: str
    bloom: str
    paras: list[str]
    credit_sum: float = 0.0  # points earned, summed over the graded students
    full: int = 0  # students with full credit
    picks: Counter[str] = field(default_factory=Counter)  # misconception label -> students
    holders: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    notes: dict[str, str] = field(default_factory=dict)  # label -> misconception text


@dataclass
class QuizReport:
    quiz: str
    title: str
    graded: int
    items: list[Item]
    unread: int = 0  # graded submissions that could not be read again
    page: Path | None = None

    def mean_credit(self, item: Item) -> float:
        return item.credit_sum / (item.points * self.graded) if self.graded else 0.0


@dataclass
class ClassReport:
    out_dir: Path
    quizzes: list[QuizReport]
    index: Path
    csvs: list[Path]


# --- reading ------------------------------------------------------------------------------------


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def _gradebook(graded: Path) -> list[dict[str, str]]:
    path = graded / "gradebook.csv"
    if not path.is_file():
        raise CasebookError(f"{graded}: no gradebook.csv (run casebook grade first)")
    text = fileio.read_user_text(path, "gradebook")
    return [
        {k: fileio.from_spreadsheet(v) if isinstance(v, str) else v for k, v in r.items()}
        for r in csv.DictReader(io.StringIO(text, newline=""))
    ]  # cells as grade wrote them


def _objective_texts(root: Path, chapter: str) -> dict[str, str]:
    """Objective id -> its wording, from the chapter's objectives list (empty if not found)."""
    page = root / "chapters" / f"{chapter}.md"
    if not page.is_file():
        return {}
    found = re.findall(r"^- \*\*([\w-]+-o\d+)\*\*:\s*(.+)$", page.read_text(encoding="utf-8"), re.M)
    # An objective may cite paragraphs with a MyST role ({para}`P071-P074`); the report shows
    # the role's text, not its markup.
    return {k: re.sub(r"\{[\w:-]+\}`([^`]*)`", r"\1", v) for k, v in found}


def _items(b: banks_mod.Bank) -> list[Item]:
    items = []
    for q in b.questions:
        if q.manual:
            continue
        items.append(
            Item(
                q.id,
                q.type,
                q.prompt.strip(),
                float(q.points),
                q.objective,
                q.bloom,
                list(dict.fromkeys(e.para for e in q.evidence)),
            )
        )
    return items


Misreadings = list[tuple[str, str]]


def _picked_options(q: banks_mod.Question, row: pipeline.Row, index: int) -> Misreadings:
    notes = {o.key: o.misconception for o in q.options or [] if o.misconception}
    return [(f"option {k}", notes[k]) for k in row.choices[index] if k in notes]


def _wrong_truth(q: banks_mod.Question, row: pipeline.Row, index: int) -> Misreadings:
    hint = row.hints[index]
    if row.outcomes[index] == scoring.WRONG and hint:
        return [(f"answered {str(not q.answer).lower()}", hint)]
    return []


def _listed_wrong(q: banks_mod.Question, row: pipeline.Row, index: int) -> Misreadings:
    hint = row.hints[index]
    if not hint:
        return []
    for w in q.wrong or []:
        if w.misconception == hint:
            return [(f"answer {w.answer}", hint)]
    return []


def _none(q: banks_mod.Question, row: pipeline.Row, index: int) -> Misreadings:
    return []


# The named misreadings in one student's answer, per question type: (label, misconception).
MISREADINGS: dict[str, Callable[[banks_mod.Question, pipeline.Row, int], Misreadings]] = {
    "single": _picked_options,
    "multiple": _picked_options,
    "true_false": _wrong_truth,
    "numeric": _listed_wrong,
    "short_text": _listed_wrong,
    "ordering": _none,
    "matching": _none,
    "written": _none,
}


def _misconceptions(q: banks_mod.Question, row: pipeline.Row, index: int) -> Misreadings:
    """(label, misconception) for each named misreading in this student's answer to q."""
    return MISREADINGS[q.type](q, row, index)


def _tally(report: QuizReport, b: banks_mod.Bank, rows: list[dict[str, str]], key: dict) -> None:
    by_id = {q.id: q for q in b.questions}
    index = {q["id"]: i for i, q in enumerate(key["questions"])}
    for r in rows:
        for item in report.items:
            value = _number(r.get(item.id, "") or "0")
            item.credit_sum += value
            item.full += value >= item.points - 1e-9
        again = pipeline.grade_file(r["submission"], {b.quiz: key}, b.quiz)
        if again.status != GRADED or again.quiz != b.quiz:
            report.unread += 1
            continue
        student = r["student"]
        for item in report.items:
            for label, note in _misconceptions(by_id[item.id], again, index[item.id]):
                item.picks[label] += 1
                item.holders[label].append(student)
                item.notes[label] = note


# --- figures ------------------------------------------------------------------------------------


def passages(report: QuizReport) -> list[dict[str, Any]]:
    """One row per cited paragraph: its questions, points, mean credit and miss rate."""
    per: dict[str, list[Item]] = defaultdict(list)
    for item in report.items:
        for p in item.paras:
            per[p].append(item)
    out = []
    for p, items in per.items():
        points = sum(i.points for i in items)
        earned = sum(report.mean_credit(i) * i.points for i in items)
        top = max(
            ((n, i.notes[label], i.id) for i in items for label, n in i.picks.items()),
            default=None,
            key=lambda t: (t[0], t[2]),
        )
        out.append(
            {
                "para": p,
                "questions": [i.id for i in items],
                "points": points,
                "mean_credit": earned / points,
                "miss_rate": 1 - earned / points,
                "top_misconception": f"{top[2]}: {top[1]}" if top else "",
            }
        )
    return sorted(out, key=lambda row: (-float(row["miss_rate"]), str(row["para"])))


def misconceptions(report: QuizReport) -> list[dict[str, Any]]:
    """Every misconception at least one student holds, most held first."""
    out = []
    for item in report.items:
        for label, n in item.picks.items():
            out.append(
                {
                    "question": item.id,
                    "choice": label,
                    "students": n,
                    "share": n / report.graded if report.graded else 0.0,
                    "misconception": item.notes[label],
                    "paras": item.paras,
                    "holders": item.holders[label],
                }
            )
    return sorted(out, key=lambda m: (-int(m["students"]), str(m["question"]), str(m["choice"])))


def levels(report: QuizReport, attribute: str) -> list[tuple[str, list[str], float, float]]:
    """(name, questions, points, mean credit) per objective or Bloom level."""
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in report.items:
        groups[getattr(item, attribute)].append(item)
    order = banks_mod.BLOOM if attribute == "bloom" else sorted(groups)
    out = []
    for name in order:
        items = groups.get(name)
        if items:
            points = sum(i.points for i in items)
            earned = sum(report.mean_credit(i) * i.points for i in items)
            out.append((name, [i.id for i in items], points, earned / points))
    return out


def opener(report: QuizReport) -> Item | None:
    """The question whose full-credit answers are nearest half the class (ties: most held misreading)."""
    if not report.graded or not report.items:
        return None
    return min(
        report.items,
        key=lambda i: (abs(i.full / report.graded - 0.5), -max(i.picks.values(), default=0), i.id),
    )


# --- output -------------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"


def _write_csvs(
    out: Path, reports: list[QuizReport], shown: dict[str, str], names: dict[str, str]
) -> list[Path]:
    para_rows: list[list[object]] = [
        ["quiz", "para", "questions", "points", "mean_credit", "miss_rate", "top_misconception"]
    ]
    mis_rows: list[list[object]] = [
        ["quiz", "question", "choice", "students", "share", "misconception", "paras"]
    ]
    obj_rows: list[list[object]] = [["quiz", "kind", "name", "questions", "points", "mean_credit"]]
    call_rows: list[list[object]] = [
        ["quiz", "rank", "question", "choice", "share", "misconception", "student", "name"]
    ]
    for rep in reports:
        for p in passages(rep):
            para_rows.append(
                [
                    rep.quiz,
                    p["para"],
                    " ".join(p["questions"]),
                    _fmt(p["points"]),
                    _fmt(round(p["mean_credit"], 4)),
                    _fmt(round(p["miss_rate"], 4)),
                    p["top_misconception"],
                ]
            )
        held = misconceptions(rep)
        for m in held:
            mis_rows.append(
                [
                    rep.quiz,
                    m["question"],
                    m["choice"],
                    m["students"],
                    _fmt(round(m["share"], 4)),
                    m["misconception"],
                    " ".join(m["paras"]),
                ]
            )
        for kind, attribute in (("objective", "objective"), ("bloom", "bloom")):
            for name, qs, points, mean in levels(rep, attribute):
                obj_rows.append([rep.quiz, kind, name, " ".join(qs), _fmt(points), _fmt(round(mean, 4))])
        for rank, m in enumerate(held[:TOP_MISCONCEPTIONS], 1):
            for student in _callable(m["holders"], shown):
                call_rows.append(
                    [
                        rep.quiz,
                        rank,
                        m["question"],
                        m["choice"],
                        _fmt(round(m["share"], 4)),
                        m["misconception"],
                        shown[student],
                        names.get(student, ""),
                    ]
                )
    files = []
    for name, rows in (
        ("paragraphs.csv", para_rows),
        ("misconceptions.csv", mis_rows),
        ("objectives.csv", obj_rows),
        ("cold-call.csv", call_rows),
    ):
        path = out / name
        fileio.write_text(path, fileio.csv_text(rows))
        files.append(path)
    return files


def _callable(holders: list[str], shown: dict[str, str]) -> list[str]:
    """A few holders, in the order of their shown code or id: stable, and not the best or worst."""
    return sorted(dict.fromkeys(holders), key=lambda s: shown[s])[:CALL_PER_MISCONCEPTION]


def _shade(rate: float) -> str:
    """A background from white (nobody missed) to a light red (everybody missed); dark text stays AA."""
    rate = min(max(rate, 0.0), 1.0)
    g = round(255 - 120 * rate)
    return f"rgb(255,{g},{g})"


def _plot(rep: QuizReport) -> str:
    """The ranked miss rates as a PNG (base64), labelled with each paragraph's opening words."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from casebook.book.fonts import use_cjk

    use_cjk()
    rows = passages(rep)[:TOP_PASSAGES]
    paras = edition.by_id()
    labels = [
        f"{r['para']} {paras[str(r['para'])].text[:8]}…" if str(r["para"]) in paras else str(r["para"])
        for r in rows
    ]
    fig = Figure(figsize=(7, 0.42 * len(rows) + 1.2), dpi=110)
    ax = fig.add_subplot()
    rates = [float(r["miss_rate"]) for r in rows]
    ax.barh(range(len(rows)), rates, color="#b2182b")
    ax.set_yticks(range(len(rows)), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("miss rate (share of the points on the questions citing the paragraph that were lost)")
    for y, rate in enumerate(rates):
        ax.text(min(rate + 0.01, 0.93), y, f"{rate:.0%}", va="center", fontsize=8)
    fig.subplots_adjust(left=0.28, right=0.97, top=0.95, bottom=0.9 / (0.42 * len(rows) + 1.2))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


CSS = """
body{font:16px/1.5 system-ui,sans-serif;color:#1a1a1a;margin:0 auto;max-width:62rem;padding:1rem}
h1{font-size:1.6rem}h2{font-size:1.3rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #767676;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}
.wrap{overflow-x:auto}
.para{border-left:6px solid #767676;padding:.4rem .7rem;margin:.4rem 0}
.para .id{font-weight:bold}
.untested{color:#4d4d4d;border-left-color:#d0d0d0}
.zh,.en{margin:.2rem 0}
img{max-width:100%;height:auto}
a{color:#0645ad}
:focus{outline:3px solid #0645ad;outline-offset:2px}
@media (max-width:40rem){body{padding:.5rem}th,td{padding:.2rem}}
"""


def _page(
    rep: QuizReport, shown: dict[str, str], names: dict[str, str], objective_text: dict[str, str], plot: str
) -> str:
    # Text goes through html_marked: its Chinese is marked lang="zh-Hans" (WCAG 3.1.2);
    # attributes and ids through html.escape.
    e, t = html.escape, html_marked
    paras = edition.load()
    rates = {str(p["para"]): p for p in passages(rep)}
    held = misconceptions(rep)
    out = [
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Class report: {e(rep.title)}</title><style>{CSS}</style></head><body><main>"
        f'<p><a href="index.html">All quizzes</a></p>'
        f"<h1>Class report: {t(rep.title)}</h1>"
        f"<p>{rep.graded} graded submission{'s' if rep.graded != 1 else ''}"
        + (
            f"; {rep.unread} could not be read again, so their choices are missing from the "
            f"misconception counts (their credits count)"
            if rep.unread
            else ""
        )
        + ". Miss rate of a paragraph: the share of the points lost on the auto-graded questions whose "
        "evidence cites it.</p>"
    ]
    top = opener(rep)
    if top:
        out.append(
            f"<h2>Suggested opening question</h2><p><strong>{e(top.id)}</strong> split the class most "
            f"evenly: {top.full} of {rep.graded} earned full credit.</p><blockquote>{t(top.prompt)}"
            f"</blockquote>"
        )
    out.append('<h2 id="misread">Most misread passages</h2>')
    if plot:
        ranked = passages(rep)[:TOP_PASSAGES]
        alt = "; ".join(f"{r['para']} {float(r['miss_rate']):.0%}" for r in ranked)
        out.append(
            f'<img src="data:image/png;base64,{plot}" alt="Miss rate by paragraph, highest first: {e(alt)}">'
        )
    out.append("<ol>")
    for row in passages(rep)[:TOP_PASSAGES]:
        p = next((x for x in paras if x.id == row["para"]), None)
        out.append(
            f'<li><a href="#{e(str(row["para"]))}">{e(str(row["para"]))}</a>: miss rate '
            f"{float(row['miss_rate']):.0%} on {', '.join(e(q) for q in row['questions'])}"
            + (f'<div class="zh" lang="zh-Hans">{e(p.reading)}</div>' if p else "")
            + (f'<div class="en">{t(p.en)}</div>' if p and p.en else "")
            + (
                f"<div>Most held misreading: {t(str(row['top_misconception']))}</div>"
                if row["top_misconception"]
                else ""
            )
            + "</li>"
        )
    out.append("</ol>")
    out.append('<h2 id="misconceptions">Misconceptions the class holds</h2>')
    if held:
        out.append(
            '<div class="wrap"><table><thead><tr><th scope="col">Question</th><th scope="col">Answer'
            '</th><th scope="col">Students</th><th scope="col">Misconception</th><th scope="col">'
            "Passage</th></tr></thead><tbody>"
        )
        for m in held:
            out.append(
                f"<tr><td>{e(str(m['question']))}</td><td>{t(str(m['choice']))}</td><td>"
                f"{m['students']} ({float(m['share']):.0%})</td><td>{t(str(m['misconception']))}</td>"
                f"<td>{', '.join(e(p) for p in m['paras'])}</td></tr>"
            )
        out.append("</tbody></table></div>")
    else:
        out.append("<p>No student gave an answer the bank names as a misreading.</p>")
    out.append('<h2 id="call">Whom to call on</h2>')
    if held:
        out.append("<ul>")
        for m in held[:TOP_MISCONCEPTIONS]:
            who = ", ".join(
                e(shown[s]) + (f" ({t(names[s])})" if names.get(s) else "")
                for s in _callable(m["holders"], shown)
            )
            out.append(f"<li>{e(str(m['question']))}, {t(str(m['choice']))}: {who}</li>")
        out.append("</ul>")
    out.append(
        '<h2 id="objectives">Objectives and levels</h2><div class="wrap"><table><thead><tr>'
        '<th scope="col">Objective or level</th><th scope="col">Questions</th><th scope="col">Points'
        '</th><th scope="col">Mean credit</th></tr></thead><tbody>'
    )
    for attribute in ("objective", "bloom"):
        for name, qs, points, mean in levels(rep, attribute):
            label = f"{name}: {objective_text[name]}" if name in objective_text else name
            out.append(
                f'<tr><th scope="row">{t(label)}</th><td>{e(" ".join(qs))}</td><td>{_fmt(points)}'
                f"</td><td>{mean:.0%}</td></tr>"
            )
    out.append("</tbody></table></div>")
    out.append(
        '<h2 id="case">The case, shaded by miss rate</h2><p>Paragraphs no auto-graded question cites '
        "are marked untested.</p>"
    )
    for p in paras:
        shaded = rates.get(p.id)
        if shaded:
            rate = float(shaded["miss_rate"])
            out.append(
                f'<section class="para" id="{e(p.id)}" style="background:{_shade(rate)}" '
                f'aria-label="{e(p.id)}, miss rate {rate:.0%}"><span class="id">{e(p.id)}</span>: '
                f"miss rate {rate:.0%} ({e(', '.join(shaded['questions']))})"
            )
        else:
            out.append(
                f'<section class="para untested" id="{e(p.id)}" aria-label="{e(p.id)}, untested">'
                f'<span class="id">{e(p.id)}</span>: untested'
            )
        out.append(
            f'<p class="zh" lang="zh-Hans">{e(p.reading)}</p>'
            + (f'<p class="en">{t(p.en)}</p>' if p.en else "")
            + "</section>"
        )
    out.append("</main></body></html>\n")
    return "".join(out)


def _index(reports: list[QuizReport]) -> str:
    e = html.escape
    items = "".join(
        f'<li><a href="{e(r.quiz)}.html">{e(r.title)}</a>: {r.graded} graded</li>' for r in reports
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width, initial-scale=1"><title>Class report</title><style>{CSS}</style>'
        f"</head><body><main><h1>Class report</h1><ul>{items}</ul><p>Tables: paragraphs.csv, "
        f"misconceptions.csv, objectives.csv, cold-call.csv.</p></main></body></html>\n"
    )


def class_report(
    graded: Path | str,
    out_dir: Path | str,
    *,
    names: bool = False,
    banks: list[banks_mod.Bank] | None = None,
    quiz: str | None = None,
    root: Path | None = None,
    plots: bool = True,
) -> ClassReport:
    """Write the class report of a graded folder into out_dir; the API behind ``casebook class-report``."""
    graded, out = Path(graded), Path(out_dir)
    if out.exists() and not out.is_dir():
        raise CasebookError(f"--out {out}: is a file, not a folder")
    root = root or paths.project_root()
    rows = _gradebook(graded)
    if banks is None:
        banks = banks_mod.load_all(banks_mod.discover(root), root)
    if quiz is not None:
        banks = banks_mod.select(banks, quiz)
    by_quiz: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        if r.get("status") == GRADED:
            by_quiz[r.get("quiz", "")].append(r)
    students = sorted({r["student"] for rs in by_quiz.values() for r in rs})
    if names:
        shown = {s: s for s in students}
        real = {r["student"]: r.get("name", "") for rs in by_quiz.values() for r in rs}
    else:
        shown, real = codes(students, secret(graded, create=True)), {}
    reports = []
    for b in banks:
        if b.quiz not in by_quiz:
            continue
        rep = QuizReport(b.quiz, b.title, len(by_quiz[b.quiz]), _items(b))
        _tally(rep, b, by_quiz[b.quiz], banks_mod.answer_key(b))
        reports.append(rep)
    if not reports:
        raise CasebookError(f"{graded}: no graded submission of a known quiz in gradebook.csv")
    out.mkdir(parents=True, exist_ok=True)
    for rep in reports:
        chapter = next(b.chapter for b in banks if b.quiz == rep.quiz)
        plot = _plot(rep) if plots and rep.items else ""
        rep.page = out / f"{rep.quiz}.html"
        fileio.write_text(rep.page, _page(rep, shown, real, _objective_texts(root, chapter), plot))
    index = out / "index.html"
    fileio.write_text(index, _index(reports))
    return ClassReport(out, reports, index, _write_csvs(out, reports, shown, real))
