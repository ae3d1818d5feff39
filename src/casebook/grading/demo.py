"""A synthetic class, to try grading and item analysis before real students hand anything in.

Answers follow a Rasch-like model: each student has an ability, each question
a difficulty (from its Bloom level plus noise), and P(right) is the logistic
of their difference, so the item analysis shows real spread. Wrong answers
pick plausible wrong options, some answers are blank, and a few files are
damaged the ways real hand-ins are (truncated, nbformat 3, metadata lost,
code instead of a value, handed in twice...) so every gradebook status shows.
Written answers are prose drawn from the question's own words; some are left
blank, some run over the word limit, and a few students copy another's answer
(once verbatim, otherwise with a few words changed) so the review sheets have
something to flag. Everything is drawn from one seed, file times included:
same seed, same class.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import re
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from casebook import fileio
from casebook.quiz import bank as banks_mod
from casebook.quiz import layout, notebooks
from casebook.quiz.bank import Bank, Question
from casebook.quiz.layout import WRITTEN_PLACEHOLDER

BLOOM_DIFFICULTY = {"remember": -1.2, "understand": -0.5, "apply": 0.0, "analyze": 0.6, "evaluate": 1.1}
FIRST = [
    "Wei",
    "Fang",
    "Min",
    "Jing",
    "Lei",
    "Yan",
    "Tao",
    "Hui",
    "Ming",
    "Xin",
    "Ana",
    "Omar",
    "Lena",
    "Ravi",
    "Sara",
    "Tom",
    "Yuki",
    "Ines",
    "Kofi",
    "Maya",
]
LAST = [
    "Li",
    "Wang",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Zhao",
    "Huang",
    "Zhou",
    "Wu",
    "Garcia",
    "Smith",
    "Khan",
    "Silva",
    "Kim",
    "Novak",
    "Okafor",
    "Rossi",
    "Sato",
    "Berg",
]
WORDS = [
    "the",
    "virtual",
    "team",
    "platform",
    "evidence",
    "users",
    "risk",
    "growth",
    "because",
    "Ant",
    "Forest",
    "selection",
    "failure",
    "data",
    "shows",
    "which",
    "not",
    "projects",
]
BASE_TIME = 1_700_000_000  # file times are part of the class (duplicates keep the newest)


def _seeded(*parts: object) -> random.Random:
    digest = hashlib.sha256("\x00".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def roster(students: int, seed: int) -> list[tuple[str, str]]:
    rng = _seeded("roster", seed)
    return [(f"s{i:05d}", f"{rng.choice(FIRST)} {rng.choice(LAST)}") for i in range(1, students + 1)]


def difficulty(q: Question, seed: int) -> float:
    return BLOOM_DIFFICULTY[q.bloom] + _seeded("item", seed, q.id).gauss(0, 0.6)


def misread_paragraphs(b: Bank, seed: int) -> list[str]:
    """The passages this demo class tends to misread: two of those the quiz's questions cite most."""
    cited = Counter(e.para for q in b.questions if not q.manual for e in q.evidence)
    ranked = sorted(cited, key=lambda p: (-cited[p], p))[:6]
    return sorted(_seeded("misread", seed, b.quiz).sample(ranked, min(2, len(ranked))))


def _first_wrong_option(q: Question) -> str | None:
    wrong = [o.key for o in q.options or [] if o.misconception]
    return wrong[0] if wrong else None


def _first_wrong_answer(q: Question) -> Any:
    return q.wrong[0].answer if q.wrong else None


# The wrong answer a misreading student gives, per question type (None: the type names none).
MISREADING: dict[str, Callable[[Question], Any]] = {
    "single": _first_wrong_option,
    "multiple": lambda q: [k] if (k := _first_wrong_option(q)) is not None else None,
    "true_false": lambda q: not q.key_answer() if q.misconception else None,
    "numeric": _first_wrong_answer,
    "ordering": lambda q: None,
    "matching": lambda q: None,
    "short_text": _first_wrong_answer,
    "written": lambda q: None,
}


def misreading(q: Question) -> Any:
    """The wrong answer a student who misread q's passage gives: the first misconception the bank names."""
    return MISREADING[q.type](q)


def answer(q: Question, ability: float, b: float, rng: random.Random, misread: bool = False) -> Any:
    """What a student of this ability writes for this question (None: left blank).

    A student who misread one of the passages q cites gives q's first named
    misreading most of the time, as real classes share misreadings of a passage;
    this is what gives ``casebook class-report`` on a demo class something to find.
    """
    p = 1 / (1 + math.exp(-1.3 * (ability - b)))
    if rng.random() < 0.02 + (0.05 if ability < -1 else 0.0) + (0.03 if q.manual else 0.0):
        return None
    if q.manual:
        return essay(q, ability, rng)
    if misread and rng.random() < 0.8 and (wrong := misreading(q)) is not None:
        return wrong
    right = rng.random() < p
    return ANSWER[q.type](q, q.key_answer(), right, p, rng)


def _single(q: Question, key: Any, right: bool, p: float, rng: random.Random) -> Any:
    if right:
        return key.upper() if rng.random() < 0.05 else key
    wrong_opts = [o.key for o in q.options or [] if o.misconception]
    return rng.choices(wrong_opts, weights=[1 / (i + 1) for i in range(len(wrong_opts))])[0]


def _multiple(q: Question, key: Any, right: bool, p: float, rng: random.Random) -> Any:
    picks = [k for k in q.option_keys if rng.random() < (0.4 + 0.6 * p if k in key else 0.5 * (1 - p))]
    return picks or [rng.choice(q.option_keys)]


def _true_false(q: Question, key: Any, right: bool, p: float, rng: random.Random) -> Any:
    return key if right else not key


def _numeric(q: Question, key: Any, right: bool, p: float, rng: random.Random) -> Any:
    if right:
        return round(key.value + rng.uniform(-key.tolerance, key.tolerance), 3)
    if q.wrong and rng.random() < 0.6:
        return rng.choice(q.wrong).answer
    return round(key.value * rng.choice([0.1, 0.5, 2, 10]) + rng.choice([-1, 1]), 3)


def _ordering(q: Question, key: Any, right: bool, p: float, rng: random.Random) -> Any:
    order = list(key)
    if not right:
        for _ in range(1 + int((1 - p) * len(order))):
            i = rng.randrange(len(order) - 1)
            order[i], order[i + 1] = order[i + 1], order[i]
    return order


def _matching(q: Question, key: Any, right: bool, p: float, rng: random.Random) -> Any:
    return {left: (target if rng.random() < p else rng.choice(q.target_keys)) for left, target in key.items()}


def _short_text(q: Question, key: Any, right: bool, p: float, rng: random.Random) -> Any:
    if right:
        form = rng.choice(key.accept)
        return rng.choice([form, f" {form}。", form.upper(), f"“{form}”"])
    if q.wrong and rng.random() < 0.6:
        return str(rng.choice(q.wrong).answer)
    return rng.choice(["不知道", "?", "platform"])


def _written(q: Question, key: Any, right: bool, p: float, rng: random.Random) -> Any:
    raise AssertionError("written answers are essays (see essay), never drawn here")


# What a simulated student writes, per question type.
ANSWER: dict[str, Callable[[Question, Any, bool, float, random.Random], Any]] = {
    "single": _single,
    "multiple": _multiple,
    "true_false": _true_false,
    "numeric": _numeric,
    "ordering": _ordering,
    "matching": _matching,
    "short_text": _short_text,
    "written": _written,
}


@lru_cache(maxsize=256)
def _vocabulary(prompt: str, rubric: str) -> tuple[str, ...]:
    """The words an answer to this question would use: its prompt's and its rubric's."""
    found = re.findall(r"[A-Za-z][A-Za-z'-]{2,}", f"{prompt} {rubric}")
    return tuple(sorted({w.lower() for w in found} | set(WORDS)))


def essay(q: Question, ability: float, rng: random.Random) -> str:
    """A written answer: sentences of the question's words, longer for abler students.

    About one in twenty runs over the word limit, as real hand-ins do.
    """
    rubric = " ".join(
        f"{c.criterion} {c.description} " + " ".join(lv.description for lv in c.levels)
        for c in q.rubric or []
    )
    vocab = _vocabulary(q.prompt, rubric)
    limit = q.word_limit or 300
    if rng.random() < 0.05:
        size = int(limit * rng.uniform(1.05, 1.4))
    else:
        size = min(limit, max(5, int(rng.gauss(limit * (0.5 + 0.15 * ability), limit * 0.15))))
    sentences, paragraph, left = [], [], size
    while left > 0:
        n = min(left, rng.randint(8, 22))
        paragraph.append(" ".join(rng.choice(vocab) for _ in range(n)).capitalize() + ".")
        left -= n
        if len(paragraph) >= rng.randint(3, 6):
            sentences.append(" ".join(paragraph))
            paragraph = []
    if paragraph:
        sentences.append(" ".join(paragraph))
    return "\n\n".join(sentences)


def _copy(text: str, rng: random.Random, verbatim: bool) -> str:
    """Another student's answer, as it is or with about one word in forty changed."""
    if verbatim:
        return text
    tokens = text.split(" ")
    for _ in range(len(tokens) // 40):  # a short answer is copied as it is
        i = rng.randrange(len(tokens))
        tokens[i] = rng.choice(WORDS) + ("." if tokens[i].endswith(".") else "")
    return " ".join(tokens)


def _copiers(b: Bank, values: list[dict[str, Any]], seed: int, damaged: set[int]) -> None:
    """A few students per written question hand in someone else's answer (about 1 in 40).

    Only students whose files are not damaged copy or are copied, so every copy shows.
    """
    intact = [i for i in range(len(values)) if i not in damaged]
    if len(intact) < 4:
        return
    for q in b.questions:
        if not q.manual:
            continue
        rng = _seeded("copy", seed, q.id)
        for pair in range(max(2 if len(intact) >= 8 else 1, len(intact) // 40)):
            source, copier = rng.sample(intact, 2)
            if values[source][q.id] is not None:
                values[copier][q.id] = _copy(values[source][q.id], rng, verbatim=pair == 0)


def _fill(nb: dict, values: dict[str, Any]) -> dict:
    """Answer cells with the drawn values; a blank keeps the placeholder, as students leave it."""
    cells = []
    for cell in nb["cells"]:
        meta = layout.cell_meta(cell)
        value = values.get(str(meta.get("question"))) if meta.get("role") == layout.ANSWER else None
        if value is not None and cell["cell_type"] == "markdown":
            cell = {**cell, "source": cell["source"].replace(WRITTEN_PLACEHOLDER, value)}
        elif value is not None:
            var = cell["source"].split("=", 1)[0].strip()
            cell = {**cell, "source": f"{var} = {value!r}"}
        cells.append(cell)
    return {**nb, "cells": cells}


def _to_v3(nb: dict) -> dict:
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cells.append(
                {
                    "cell_type": "code",
                    "input": cell["source"],
                    "language": "python",
                    "metadata": cell.get("metadata", {}),
                    "outputs": [],
                    "collapsed": False,
                }
            )
        else:
            cells.append(
                {"cell_type": "markdown", "source": cell["source"], "metadata": cell.get("metadata", {})}
            )
    return {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": nb["metadata"],
        "worksheets": [{"cells": cells, "metadata": {}}],
    }


def _strip_ids(nb: dict) -> dict:
    return {
        **nb,
        "nbformat_minor": 4,
        "cells": [{k: v for k, v in c.items() if k != "id"} for c in nb["cells"]],
    }


def _lose_metadata(nb: dict) -> dict:
    cells = [{**c, "metadata": {}} for c in nb["cells"]]
    _seeded("shuffle", len(cells)).shuffle(cells)
    return {**nb, "cells": cells}


def _duplicate_cell(nb: dict) -> dict:
    cells = list(nb["cells"])
    for i, c in enumerate(cells):
        if layout.role(c) == layout.ANSWER:
            cells.insert(i + 1, {**c, "id": c.get("id", "x") + "-copy"})
            break
    return {**nb, "cells": cells}


def _code_answers(nb: dict) -> dict:
    cells, done = [], 0
    for c in nb["cells"]:
        if layout.role(c) == layout.ANSWER and done < 2 and c["cell_type"] == "code":
            var = c["source"].split("=", 1)[0].strip()
            code = ("1 + 1", "open('demo-was-here.txt', 'w').write('x')")[done]
            c = {**c, "source": f"{var} = {code}"}
            done += 1
        cells.append(c)
    return {**nb, "cells": cells}


def _no_answers(nb: dict) -> dict:
    role = layout.role
    return {
        **nb,
        "cells": [
            c
            for c in nb["cells"]
            if role(c) != layout.ANSWER and (c["cell_type"] != "code" or role(c) == layout.IDENTITY)
        ],
    }


def _unknown_quiz(nb: dict) -> dict:
    meta = {**nb["metadata"], layout.NAMESPACE: layout.notebook_meta("no-such-quiz", "0")}
    return {**nb, "metadata": meta}


# damage name -> how the notebook is changed (text-level damage is handled in _write)
DAMAGE: dict[str, Callable[[dict], dict] | None] = {
    "truncated": None,
    "not a notebook": None,
    "nbformat 3": _to_v3,
    "no cell ids": _strip_ids,
    "metadata lost": _lose_metadata,
    "duplicated cell": _duplicate_cell,
    "code answers": _code_answers,
    "no answers": _no_answers,
    "unknown quiz": _unknown_quiz,
    "handed in twice": None,
}


def _damage_plan(students: int, seed: int) -> dict[int, str]:
    """Which students' files get which damage: one of each per 1,000 students (at least one)."""
    if students < 4:
        return {}
    rng = _seeded("damage", seed)
    kinds = list(DAMAGE)
    per_kind = max(1, students // 1000)
    count = min(len(kinds) * per_kind, students // 3)
    chosen = rng.sample(range(students), count)
    return {index: kinds[n % len(kinds)] for n, index in enumerate(chosen)}


def make_class(out: Path, *, students: int, seed: int = 0, banks: list[Bank]) -> Path:
    """Write the release, a roster and every student's submission; return the submissions folder."""
    out = Path(out)
    people = roster(students, seed)
    fileio.write_text(out / "roster.csv", fileio.csv_text([("student_id", "name"), *people]))
    notebooks.release(banks, out / "release")
    folder = out / "submissions"
    plan = _damage_plan(students, seed)
    for b in banks:
        template = notebooks.student(b)
        items = {q.id: difficulty(q, seed) for q in b.questions}
        hard = misread_paragraphs(b, seed)
        drawn = []
        for sid, _ in people:
            rng = _seeded("answers", seed, b.quiz, sid)
            ability = _seeded("ability", seed, sid).gauss(0, 1)
            # Weaker readers misread a hard passage more often (about 55% at -1 sd, 25% at +1 sd).
            misread = {p for p in hard if rng.random() < 0.4 - 0.15 * max(-1.0, min(1.0, ability))}
            drawn.append(
                {
                    q.id: answer(
                        q, ability, items[q.id], rng, misread=any(e.para in misread for e in q.evidence)
                    )
                    for q in b.questions
                }
            )
        _copiers(b, drawn, seed, set(plan))
        for index, ((sid, name), values) in enumerate(zip(people, drawn, strict=True)):
            nb = _fill(notebooks.for_student(template, b, sid, name), values)
            _write(folder / sid / f"{b.quiz}.ipynb", nb, plan.get(index), BASE_TIME + index)
    return folder


def _write(path: Path, nb: dict, damage: str | None, mtime: int) -> None:
    change = DAMAGE.get(damage) if damage else None
    if change:
        nb = change(nb)
    text = notebooks.dumps(nb)
    if damage == "truncated":
        text = text[: len(text) // 2]
    elif damage == "not a notebook":
        text = json.dumps({"note": "this is not a notebook"})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime, mtime))
    if damage == "handed in twice":
        older = path.with_name(f"{path.stem}-first-try.ipynb")
        older.write_text(text, encoding="utf-8")
        os.utime(older, (mtime - 10_000, mtime - 10_000))


def run(
    out: Path,
    *,
    students: int,
    seed: int = 0,
    banks: list[Bank],
    quiz: str | None = None,
    jobs: int | None = None,
):
    """Make the class and grade it into out/graded (what `casebook demo` does)."""
    from casebook import grading

    chosen = banks_mod.select(banks, quiz)
    folder = make_class(out, students=students, seed=seed, banks=chosen)
    return grading.grade_paths([folder], Path(out) / "graded", banks=chosen, jobs=jobs)


def fill_scores(path: Path, graded: Path, *, seed: int = 0, share: float = 1.0) -> int:
    """Play the grader: fill a share of the rows of a review scores CSV, as a spreadsheet would.

    Each criterion gets a level's label or its points, now and then a value
    between levels, and some rows a comment. ``graded`` is the graded folder
    (its written.json holds the rubrics). Returns the number of rows filled.
    """
    import csv
    import io

    from casebook.grading import written

    quizzes = written.load_store(graded)["quizzes"].values()
    rubrics = {q["id"]: q["rubric"] for quiz in quizzes for q in quiz["written"]}
    text = Path(path).read_text(encoding="utf-8-sig")
    table = [
        [fileio.from_spreadsheet(c) for c in row]  # read as a spreadsheet shows it
        for row in csv.reader(io.StringIO(text, newline=""))
    ]
    header, rows = table[0], table[1:]
    filled = 0
    for row in rows:
        rng = _seeded("review", seed, *row[:2])
        if rng.random() >= share:
            continue
        for c in rubrics[row[1]]:
            pick = rng.choice(c["levels"])
            if rng.random() < 0.5:
                cell = pick["label"]
            elif rng.random() < 0.2 and c["max"] >= 2:
                cell = f"{rng.randint(0, int(c['max'] * 2)) / 2:g}"
            else:
                cell = f"{pick['points']:g}"
            row[header.index(c["criterion"])] = cell
        if rng.random() < 0.4:
            row[header.index("comment")] = rng.choice(COMMENTS)
        filled += 1
    fileio.write_text(Path(path), "\ufeff" + fileio.csv_text([header, *rows], lineterminator="\r\n"))
    return filled


COMMENTS = [
    "Good use of P053; the data request needs a decision rule.",
    "Clear argument, but no paragraph citations.",
    "论证清楚，但缺少对失败项目的讨论。",
    "Over the word limit: the last paragraph was not read.",
]
