"""Review sheets for written answers: one static HTML page and one scores CSV per question.

``casebook review GRADED --out DIR`` reads what ``casebook grade`` kept in
``GRADED/written.json`` and writes, per written question:

- ``DIR/<question>.html``: every answer to review, the rubric in a column that
  stays in view, word counts (over the limit marked), and answers that are
  identical or near-identical between students flagged, each naming the
  others. Self-contained: inline CSS, no script, no link out, every student
  string escaped; it opens from the file system in any browser.
- ``DIR/<question>-scores.csv``: one row per answer to review, one column per
  rubric criterion, a ``comment`` column, ready to fill in a spreadsheet and
  hand to ``casebook merge``. Scores merged before are filled in already.

plus ``DIR/index.html`` linking the sheets.

**Anonymous by default.** A student appears as a code such as ``S4K7Q9MP``
(see :mod:`casebook.review.codes`); only someone with the graded folder can
map codes back (``merge`` does). Give graders the review folder, never the
graded one. ``--names`` shows names and ids instead (the CSV then has a
``student`` column in place of ``code``).

**Near-identical** means a Jaccard similarity of at least 0.8 between the
sets of word 3-grams (each Chinese character counts as a word; case,
punctuation and spacing ignored); **identical** means the same words in the
same order. Pairs are found with prefix filtering (the all-pairs similarity
join): exact, and fast enough for thousands of answers per question.
"""

from __future__ import annotations

import csv
import html
import io
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from casebook import fileio
from casebook.edition.lang import html_marked
from casebook.errors import CasebookError
from casebook.grading import pages, written
from casebook.quiz import wording
from casebook.review.codes import RESERVED, codes, key_path, secret

THRESHOLD = 0.8
SHINGLE = 3
_CJK = "\u3400-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")


# --- near-identical answers ---------------------------------------------------------------------


def tokens(text: str) -> list[str]:
    """Words of a text, Chinese characters one by one; case, width and punctuation folded away."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def shingles(words: list[str], k: int = SHINGLE) -> set[tuple[str, ...]]:
    """The word k-grams of a text (the whole text when it is shorter than k words)."""
    if len(words) < k:
        return {tuple(words)} if words else set()
    return set(zip(*(words[i:] for i in range(k)), strict=False))


def _int_shingles(words: list[list[str]], k: int = SHINGLE) -> list[set[int]]:
    """shingles() with each k-gram packed into one int: hashing ints is what makes 10,000 fast."""
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(w, len(vocab)) for w in ws] for ws in words]
    pad, bits = len(vocab), (len(vocab) + 1).bit_length()
    out: list[set[int]] = []
    for seq in ids:
        if not seq:
            out.append(set())
            continue
        if len(seq) < k:
            seq = seq + [pad] * (k - len(seq))
        cols = [seq[i : len(seq) - k + 1 + i] for i in range(k)]
        packed = cols[0]
        for col in cols[1:]:
            packed = [(a << bits) | b for a, b in zip(packed, col, strict=True)]
        out.append(set(packed))
    return out


def similar(texts: list[str], threshold: float = THRESHOLD) -> dict[int, list[tuple[int, float, bool]]]:
    """For each text, the others at or above the threshold: (index, similarity, identical).

    Prefix filtering: with shingles in one global order (rarest first), two sets
    with Jaccard >= t share a shingle among the first |x| - ceil(t|x|) + 1 of
    each, so only those are indexed and probed; candidates are checked exactly.
    """
    words = [tokens(t) for t in texts]
    sets = _int_shingles(words)
    freq = Counter(s for shingle_set in sets for s in shingle_set)
    rank = {s: r for r, s in enumerate(sorted(freq, key=freq.__getitem__))}  # stable: total order
    index: dict[int, list[int]] = {}
    found: dict[int, list[tuple[int, float, bool]]] = {}
    for i in sorted(range(len(sets)), key=lambda i: (len(sets[i]), i)):
        mine = sets[i]
        if not mine:
            continue
        size = len(mine)
        need = math.ceil(threshold * size - 1e-9)
        prefix = sorted(map(rank.__getitem__, mine))[: size - need + 1]
        candidates: set[int] = set()
        for r in prefix:
            posting = index.get(r)
            if posting:
                candidates.update(posting)
                posting.append(i)
            else:
                index[r] = [i]
        for j in candidates:
            other = sets[j]  # never larger than mine: sets are visited by size
            if len(other) < need:
                continue
            common = len(mine & other)
            score = common / (size + len(other) - common)
            if score >= threshold - 1e-9:
                same = words[i] == words[j]
                found.setdefault(i, []).append((j, score, same))
                found.setdefault(j, []).append((i, score, same))
    for pairs in found.values():
        pairs.sort(key=lambda p: (-p[1], p[0]))
    return found


# --- what one sheet holds -------------------------------------------------------------------------


@dataclass
class Entry:
    student: str
    name: str
    who: str  # code, or the student id with --names
    state: str
    text: str
    answer_id: str
    words: int
    over: bool
    notes: list[str] = field(default_factory=list)
    record: dict | None = None  # scores merged for this very text
    stale: bool = False  # scores merged for an earlier text
    anchor: str = ""
    flags: list[tuple[int, float, bool]] = field(default_factory=list)


@dataclass
class Sheet:
    quiz: dict
    question: dict
    entries: list[Entry]  # answers to review, in sheet order
    others: list[Entry]  # blank, unreadable, no answer cell: scored 0, not to review
    html_path: Path | None = None
    csv_path: Path | None = None

    @property
    def flagged(self) -> int:
        return sum(1 for e in self.entries if e.flags)

    @property
    def over(self) -> int:
        return sum(1 for e in self.entries if e.over)

    @property
    def scored(self) -> int:
        return sum(1 for e in self.entries if e.record)


@dataclass
class Result:
    out_dir: Path
    sheets: list[Sheet]
    index: Path

    @property
    def answers(self) -> int:
        return sum(len(s.entries) for s in self.sheets)

    @property
    def flagged(self) -> int:
        return sum(s.flagged for s in self.sheets)

    @property
    def over(self) -> int:
        return sum(s.over for s in self.sheets)

    @property
    def blank(self) -> int:
        return sum(len(s.others) for s in self.sheets)

    @property
    def scored(self) -> int:
        return sum(s.scored for s in self.sheets)


def sheets(
    store: dict,
    scores: dict,
    who: dict[str, str] | None,
    only: Iterable[str] = (),
    threshold: float = THRESHOLD,
) -> list[Sheet]:
    """One sheet per written question (those in ``only`` if given); ``who`` maps ids to codes."""
    wanted = set(only)
    known = {q["id"] for quiz in store["quizzes"].values() for q in quiz["written"]}
    unknown = sorted(wanted - known)
    if unknown:
        raise CasebookError(
            f"no written question {', '.join(unknown)} in this graded folder "
            f"(it has: {', '.join(sorted(known)) or 'none'})"
        )
    by_quiz: dict[str, list[dict]] = {}
    for row in store["submissions"]:
        by_quiz.setdefault(row["quiz"], []).append(row)
    out = []
    for quiz_id in sorted(store["quizzes"]):
        quiz = store["quizzes"][quiz_id]
        for q in quiz["written"]:
            if wanted and q["id"] not in wanted:
                continue
            out.append(_sheet(quiz, q, by_quiz.get(quiz_id, []), scores, who, threshold))
    return out


def _sheet(
    quiz: dict, q: dict, rows: list[dict], scores: dict, who: dict[str, str] | None, threshold: float
) -> Sheet:
    j = q["n"] - 1
    limit = q.get("word_limit")
    entries: list[Entry] = []
    others: list[Entry] = []
    for row in rows:
        state = written.STATES.get(row["outcomes"][j], "not readable")
        text = row["shown"][j] if state == written.ANSWERED else ""
        count = written.words(text)
        entry = Entry(
            row["student"],
            row["name"],
            who[row["student"]] if who else row["student"],
            state,
            text,
            row["answer_ids"].get(q["id"], ""),
            count,
            bool(limit and count > limit),
            [n for n in row["reasons"][j].split("; ") if n],
        )
        record = scores.get((row["student"], q["id"]))
        if record is not None and state == written.ANSWERED:
            if record.get("answer_id") == entry.answer_id and written.fits(record, q):
                entry.record = record
            else:
                entry.stale = True
        (entries if state == written.ANSWERED else others).append(entry)
    entries.sort(key=lambda e: e.who)
    others.sort(key=lambda e: e.who)
    for i, entry in enumerate(entries):
        entry.anchor = entry.who if who else f"r{i + 1}"
    for i, pairs in similar([e.text for e in entries], threshold).items():
        entries[i].flags = pairs
    return Sheet(quiz, q, entries, others)


# --- the scores CSV ----------------------------------------------------------------------------


def id_column(anonymous: bool) -> str:
    return "code" if anonymous else "student"


def scores_header(q: dict, anonymous: bool) -> list[str]:
    return [id_column(anonymous), "question", *(c["criterion"] for c in q["rubric"]), "comment", "answer_id"]


def scores_csv(sheet: Sheet, anonymous: bool) -> str:
    """The sheet's answers as rows to fill; merged scores of the same text filled in already."""
    q = sheet.question
    rows: list[list[object]] = [list(scores_header(q, anonymous))]
    for e in sheet.entries:
        marks = e.record["criteria"] if e.record else {}
        rows.append(
            [
                e.who,
                q["id"],
                *(
                    wording.points(marks[c["criterion"]]) if c["criterion"] in marks else ""
                    for c in q["rubric"]
                ),
                e.record.get("comment", "") if e.record else "",
                e.answer_id,
            ]
        )
    text = fileio.csv_text(rows, lineterminator="\r\n")  # formula-safe: ids, comments
    return "\ufeff" + text  # the BOM makes Excel read UTF-8 (Chinese comments)


def _unmerged(path: Path, new_text: str, sheet: Sheet, student_of: dict[str, str]) -> str:
    """Why an existing scores CSV must not be overwritten ('' when it may be).

    It may when every row with something in it holds exactly the scores and
    comment merged for that very answer: nothing typed in it would be lost.
    ``student_of`` maps codes to students (ids map to themselves).
    """
    try:
        old_text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError):
        return "it cannot be read as UTF-8 text"
    if old_text == new_text.lstrip("\ufeff"):
        return ""
    try:
        old = [
            [fileio.from_spreadsheet(c) for c in row] for row in csv.reader(io.StringIO(old_text, newline=""))
        ]
    except csv.Error:
        return "it is not a readable CSV"
    if not old:
        return ""
    header = [h.strip() for h in old[0]]
    q = sheet.question
    records = {e.student: e.record for e in sheet.entries}
    for number, row in enumerate(old[1:], start=2):
        cells = {h: v.strip() for h, v in zip(header, row, strict=False)}
        if not any(v for h, v in cells.items() if h not in ("code", "student", "question", "answer_id")):
            continue
        who = cells.get("code") or cells.get("student") or ""
        record = records.get(student_of.get(who, who)) if cells.get("question") == q["id"] else None
        if record is None or cells.get("comment", "") != record.get("comment", ""):
            return f"row {number} has scores not merged yet"
        for c in q["rubric"]:
            got = written.parse_score(cells.get(c["criterion"], ""), c)
            if isinstance(got, str) or abs(got - record["criteria"].get(c["criterion"], -1)) > 1e-9:
                return f"row {number} has scores not merged yet"
    return ""


# --- the HTML sheet ------------------------------------------------------------------------------

CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC",sans-serif;
margin:0;line-height:1.55;color:#1b1b1b;background:#fafafa}
header{padding:1rem 1.5rem;background:#fff;border-bottom:1px solid #ddd}
h1{font-size:1.35rem;margin:0 0 .3rem}h2{font-size:1.1rem}h3{font-size:1rem;margin:.2rem 0}
.meta{color:#444;margin:.2rem 0}
.layout{display:grid;grid-template-columns:minmax(0,1fr) minmax(18rem,26rem);gap:1.5rem;
padding:0 1.5rem 2rem}
main{min-width:0}
aside{position:sticky;top:0;align-self:start;max-height:100vh;overflow:auto;background:#fff;
border-left:1px solid #ddd;padding:.5rem 1rem 1rem}
.prompt,.how{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
.answer{background:#fff;border:1px solid #ddd;border-left:6px solid #1565c0;border-radius:6px;
padding:.6rem 1rem;margin:1rem 0}
.answer.flagged{border-left-color:#c62828}.answer.done{border-left-color:#2e7d32}
.answer:target{outline:3px solid #f9a825}
.text{white-space:pre-wrap;overflow-wrap:anywhere;font-size:1.02rem;margin:.5rem 0}
.words{font-weight:normal;color:#555;font-size:.9rem}.over{color:#c62828;font-weight:600}
.flag{background:#fdecea;color:#8e1c1c;border-radius:4px;padding:.2rem .5rem;margin:.3rem 0}
.note{color:#8a4b00;font-size:.9rem}.merged{background:#e8f5e9;border-radius:4px;padding:.2rem .5rem}
.criterion{margin:.8rem 0}.criterion p{margin:.2rem 0}
table{border-collapse:collapse;width:100%;font-size:.9rem}
td,th{border:1px solid #ddd;padding:.25rem .4rem;text-align:left;vertical-align:top}
code{background:#f1f1f1;padding:0 .2rem;border-radius:3px;overflow-wrap:anywhere}
.wide{overflow-x:auto;margin:0 1.5rem}
:focus-visible{outline:3px solid #0b4fb0;outline-offset:2px}
@media (max-width:60rem){.layout{grid-template-columns:1fr}aside{position:static;max-height:none;
border-left:0}}
@media print{aside{position:static;max-height:none}.layout{grid-template-columns:1fr}
.answer{break-inside:avoid}}
"""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>{body}"
        "</body></html>\n"
    )


def _who_html(e: Entry, anonymous: bool) -> str:
    esc = html_marked
    if anonymous:
        return esc(e.who)
    return f"{esc(e.name)} ({esc(e.student)})" if e.name else esc(e.student)


def rubric_html(q: dict) -> str:
    esc = html_marked
    parts = [
        f'<h2 id="rubric">Rubric</h2><p class="meta">{wording.points(q["points"])} points'
        + (f" · at most {q['word_limit']} words" if q.get("word_limit") else "")
        + "</p>"
    ]
    for c in q["rubric"]:
        levels = "".join(
            f"<tr><td>{wording.points(lv['points'])}</td><td>{esc(lv['label'])}</td>"
            f"<td>{esc(lv['description'])}</td></tr>"
            for lv in sorted(c["levels"], key=lambda lv: -lv["points"])
        )
        parts.append(
            f'<div class="criterion"><h3>{esc(c["criterion"])} '
            f"<small>(up to {wording.points(c['max'])})</small></h3>"
            f"<p>{esc(c['description'])}</p><table><thead><tr><th>points</th>"
            f"<th>level</th><th>what it looks like</th></tr></thead><tbody>{levels}"
            "</tbody></table></div>"
        )
    return "".join(parts)


def sheet_html(sheet: Sheet, anonymous: bool, csv_path: Path, graded: Path) -> str:
    # Text is escaped with its Chinese marked lang="zh-Hans" (WCAG 3.1.2); attributes plainly.
    esc, attr = html_marked, html.escape
    q, quiz, entries = sheet.question, sheet.quiz, sheet.entries
    limit = q.get("word_limit")
    counts = [f"{len(entries)} answer{'' if len(entries) == 1 else 's'} to score"]
    if sheet.scored:
        counts.append(f"{sheet.scored} scored already")
    if sheet.flagged:
        counts.append(f"{sheet.flagged} flagged as identical or near-identical")
    if sheet.over:
        counts.append(f"{sheet.over} over the word limit")
    if sheet.others:
        counts.append(f"{len(sheet.others)} blank or unreadable (scored 0)")
    column = id_column(anonymous)
    csv_name = csv_path.name
    parts = [
        f"<header><h1>Question {q['n']} <code>{esc(q['id'])}</code> · {esc(quiz['title'])}</h1>"
        f'<p class="meta">{" · ".join(counts)}</p></header><div class="layout"><main>',
        f'<section class="prompt"><h2>Prompt</h2>{pages.markdown_html(q["prompt"])}</section>',
        '<section class="how"><h2>How to score</h2><p>Fill <code>'
        f"{esc(csv_name)}</code> (next to this page): one row per answer, identified by its "
        f"<code>{column}</code>. In each criterion's column write the points, from 0 to the "
        "criterion's maximum (any value in between is allowed), or a level's label; add a "
        "comment if you like; leave a whole row empty for an answer not reviewed yet; do not "
        "change <code>answer_id</code>. Then merge it into the gradebook:</p>"
        f"<p><code>casebook merge {esc(str(csv_path))} --graded {esc(str(graded))}</code></p>"
        + ("<p>Students appear as codes; the graded folder holds the key to them.</p>" if anonymous else "")
        + "</section>",
    ]
    for e in entries:
        classes = "answer" + (" flagged" if e.flags else "") + (" done" if e.record else "")
        over = f' <span class="over">over the {limit}-word limit</span>' if e.over else ""
        parts.append(
            f'<article class="{classes}" id="{attr(e.anchor)}"><h3>'
            f'{_who_html(e, anonymous)} <span class="words">· {e.words} '
            f"word{'' if e.words == 1 else 's'}</span>{over}</h3>"
        )
        for j, score, same in e.flags:
            other = entries[j]
            how = "identical to" if same else f"near-identical ({score:.0%} shared word 3-grams) to"
            parts.append(
                f'<p class="flag">{how} <a href="#{attr(other.anchor)}">{_who_html(other, anonymous)}</a></p>'
            )
        parts.append(f'<div class="text">{esc(e.text)}</div>')
        parts += [f'<p class="note">{esc(n)}</p>' for n in e.notes]
        if e.stale:
            parts.append(
                '<p class="note">Scored before, but the answer has changed since: score it again.</p>'
            )
        if e.record:
            marks = ", ".join(
                f"{esc(c['criterion'])} {wording.points(e.record['criteria'].get(c['criterion'], 0))}"
                f" ({esc(written.level_label(c, e.record['criteria'].get(c['criterion'], 0)))})"
                for c in q["rubric"]
            )
            comment = f"<br>Comment: {esc(e.record['comment'])}" if e.record.get("comment") else ""
            parts.append(
                f'<p class="merged">Merged: {wording.points(written.record_points(e.record))}'
                f" / {wording.points(q['points'])}: {marks}{comment}</p>"
            )
        parts.append("</article>")
    if sheet.others:
        listed = "".join(f"<li>{_who_html(e, anonymous)}: {esc(e.state)}</li>" for e in sheet.others)
        parts.append(
            f'<section class="how"><h2>Not to review</h2><p>These score 0 without '
            f"review and are not in the CSV.</p><ul>{listed}</ul></section>"
        )
    # The rubric column scrolls on its own: focusable and named, so a keyboard can scroll it.
    parts.append(f'</main><aside tabindex="0" aria-labelledby="rubric">{rubric_html(q)}</aside></div>')
    return _page(f"Review {q['id']}: {quiz['title']}", "".join(parts))


def index_html(result_sheets: list[Sheet], anonymous: bool) -> str:
    esc = html_marked
    rows = "".join(
        f'<tr><td><a href="{html.escape(s.html_path.name)}">{esc(s.question["id"])}</a></td>'
        f"<td>{esc(s.quiz['title'])}</td><td>{s.question['n']}</td><td>{len(s.entries)}</td>"
        f"<td>{s.scored}</td><td>{s.flagged}</td><td>{s.over}</td><td>{len(s.others)}</td>"
        f"<td><code>{esc(s.csv_path.name)}</code></td></tr>"
        for s in result_sheets
        if s.html_path and s.csv_path
    )
    mode = "Students appear as codes." if anonymous else "Students appear by name."
    body = (
        f'<header><h1>Written answers to review</h1><p class="meta">{mode}</p></header>'
        # A wide table scrolls in its own named region, not the page (WCAG 1.4.10).
        '<div class="wide" tabindex="0" role="region" aria-label="Sheets">'
        "<table><thead><tr><th>sheet</th><th>quiz</th>"
        "<th>question</th><th>to score</th><th>scored</th><th>flagged</th><th>over limit</th>"
        f"<th>blank</th><th>scores CSV</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )
    return _page("Written answers to review", body)


# --- the command ----------------------------------------------------------------------------------


def review(
    graded: Path,
    out: Path,
    *,
    names: bool = False,
    only: Iterable[str] = (),
    force: bool = False,
    threshold: float = THRESHOLD,
) -> Result:
    """Write the sheets and CSVs of a graded folder into ``out`` (what `casebook review` does)."""
    graded, out = Path(graded), Path(out)
    store = written.load_store(graded)
    scores = written.load_scores(graded)
    if out.resolve() == graded.resolve():
        raise CasebookError(
            "--out must be another folder than the graded one: the review folder "
            "goes to graders, the graded folder holds the key to the codes"
        )
    anonymous = not names
    students = {row["student"] for row in store["submissions"]}
    key = secret(graded, create=True) if anonymous or key_path(graded).exists() else None
    all_codes = codes(students, key) if key else {}
    who = all_codes if anonymous else None
    found = sheets(store, scores, who, only, threshold)
    student_of = {c: s for s, c in all_codes.items()}
    planned = []
    for sheet in found:
        q = sheet.question
        clash = [c["criterion"] for c in q["rubric"] if c["criterion"] in RESERVED]
        if clash:
            raise CasebookError(
                f"{q['id']}: a rubric criterion named {clash[0]!r} would clash "
                "with a column of the scores CSV; rename the criterion"
            )
        csv_path = out / f"{fileio.safe_name(q['id'])}-scores.csv"
        text = scores_csv(sheet, anonymous)
        why = "" if force else _unmerged(csv_path, text, sheet, student_of)
        if why:
            raise CasebookError(
                f"{csv_path}: {why}; merge it first (casebook merge {csv_path} "
                f"--graded {graded}) or pass --force to overwrite it"
            )
        planned.append((sheet, csv_path, text))
    out.mkdir(parents=True, exist_ok=True)
    for sheet, csv_path, text in planned:
        sheet.csv_path = csv_path
        sheet.html_path = out / f"{fileio.safe_name(sheet.question['id'])}.html"
        # write_if_changed: atomic replacement, and readable by others (graders may share them)
        fileio.write_if_changed(csv_path, text)
        fileio.write_if_changed(sheet.html_path, sheet_html(sheet, anonymous, csv_path, graded))
    index = out / "index.html"
    fileio.write_if_changed(index, index_html(found, anonymous))
    return Result(out, found, index)
