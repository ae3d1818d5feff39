"""Item analysis of a graded quiz: which questions work, which mislead, how reliable the total is.

Classical test theory, the statistics instructors meet in assessment guides:
difficulty (mean credit fraction), corrected point-biserial (the item against
the total without that item, so an item does not correlate with itself),
the upper-lower discrimination index (top and bottom 27% of total scores),
option choice counts, and KR-20 or Cronbach's alpha for the quiz. Written
with numpy directly: the formulas are a few lines each and this avoids
pulling a statistics stack into the course's dependencies.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from casebook import fileio
from casebook.edition.lang import html_marked

GROUP = 0.27  # Kelley's 27%: the usual split for the upper-lower index


def _num(value: float | None, digits: int = 4) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits) + 0.0  # +0.0 turns -0.0 into 0.0


def _corr(x: np.ndarray, y: np.ndarray) -> float | None:
    sx, sy = x.std(), y.std()
    if x.size < 2 or sx < 1e-12 or sy < 1e-12:
        return None  # undefined when either side never varies
    return float(((x - x.mean()) * (y - y.mean())).mean() / (sx * sy))


def reliability(points: np.ndarray, dichotomous: bool) -> dict[str, Any]:
    """KR-20 when every item is right-or-wrong, else Cronbach's alpha (the same formula).

    ``points`` is students × items in points. Population variances throughout,
    as KR-20's p·q is; undefined (None) for fewer than two items or students or
    when the totals do not vary.
    """
    method = "KR-20" if dichotomous else "Cronbach's alpha"
    n, k = points.shape
    if n < 2 or k < 2:
        return {"method": method, "value": None}
    total_var = points.sum(axis=1).var()
    if total_var < 1e-12:
        return {"method": method, "value": None}
    value = k / (k - 1) * (1 - points.var(axis=0).sum() / total_var)
    return {"method": method, "value": _num(value)}


def items(key: dict, credits: np.ndarray, choices: list[list[list[str]]],
          order: np.ndarray) -> list[dict[str, Any]]:
    """One row per question. ``order`` ranks students by total (ties broken by submission)."""
    questions = key["questions"]
    n = credits.shape[0]
    pts = np.array([q["points"] for q in questions])
    fractions = credits / pts if n else credits
    totals = credits.sum(axis=1)
    group = max(1, int(round(GROUP * n)))
    lower, upper = order[:group], order[-group:]
    rows = []
    for j, q in enumerate(questions):
        counts: dict[str, int] = {}
        for student in choices:
            for label in student[j]:
                counts[label] = counts.get(label, 0) + 1
        known = [k for k in q["options"] if k in counts] + (["true", "false"] if q[
            "type"] == "true_false" else [])
        labels = [k for k in known if k in counts] + sorted(k for k in counts if k not in known)
        rows.append({
            "quiz": key["quiz"],
            "question": q["id"],
            "type": q["type"],
            "points": _num(q["points"]),
            "n": n,
            "difficulty": _num(fractions[:, j].mean()) if n else None,
            "point_biserial": _num(_corr(fractions[:, j], totals - credits[:, j])) if n else None,
            "discrimination": _num(fractions[upper, j].mean() - fractions[lower, j].mean())
            if n >= 2 else None,
            "choices": "; ".join(f"{label}={counts[label]}" for label in labels),
            "_counts": {label: counts[label] for label in labels},
        })
    return rows


def summarize(key: dict, credits: np.ndarray, dichotomous: bool) -> dict[str, Any]:
    totals = credits.sum(axis=1)
    n = len(totals)
    return {
        "title": key["title"],
        "version": key["version"],
        "questions": len(key["questions"]),
        "max_score": _num(key["max_score"]),
        "graded": n,
        "mean": _num(totals.mean()) if n else None,
        "sd": _num(totals.std(ddof=1)) if n > 1 else None,
        "min": _num(totals.min()) if n else None,
        "median": _num(float(np.median(totals))) if n else None,
        "max": _num(totals.max()) if n else None,
        "reliability": reliability(credits, dichotomous),
    }


ITEM_COLUMNS = ["quiz", "question", "type", "points", "n", "difficulty", "point_biserial",
                "discrimination", "choices"]


def analyse(out_dir: Path, keys: dict[str, dict], graded: dict[str, list[tuple]],
            statuses: dict[str, int], plots: bool = True) -> tuple[Path, Path, list[Path]]:
    """items.csv, summary.json and the plots for every quiz with graded submissions.

    ``graded`` maps quiz id to (submission, credits, choices) tuples.
    """
    out_dir = Path(out_dir)
    all_items: list[dict] = []
    summary: dict[str, Any] = {"statuses": dict(sorted(statuses.items())),
                               "inputs": sum(statuses.values()), "quizzes": {}}
    drawn: list[Path] = []
    for quiz in sorted(graded):
        key, entries = keys[quiz], sorted(graded[quiz], key=lambda e: e[0])
        # Written questions are scored by hand later: they have no credit to analyse here.
        auto = [j for j, q in enumerate(key["questions"]) if not q.get("manual")]
        key = {**key, "questions": [key["questions"][j] for j in auto]}
        k = len(auto)
        credits = np.array([[e[1][j] for j in auto] for e in entries], dtype=float).reshape(
            len(entries), k)
        choices = [[e[2][j] for j in auto] for e in entries]
        if k == 0:
            continue
        totals = credits.sum(axis=1)
        order = np.lexsort((np.arange(len(entries)), totals))  # stable: ties by submission
        rows = items(key, credits, choices, order)
        pts = np.array([q["points"] for q in key["questions"]])
        dichotomous = bool(np.isin(credits / pts, (0.0, 1.0)).all()) and len(set(pts)) == 1
        summary["quizzes"][quiz] = summarize(key, credits, dichotomous)
        all_items.extend(rows)
        if plots and entries:
            drawn.extend(draw(out_dir / "plots", key, totals, rows))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, ITEM_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in all_items:
        writer.writerow({c: "" if row[c] is None else row[c] for c in ITEM_COLUMNS})
    items_path, summary_path = out_dir / "items.csv", out_dir / "summary.json"
    fileio.write_text(items_path, buffer.getvalue())
    fileio.write_text(summary_path, json.dumps(summary, indent=1, sort_keys=True,
                                               ensure_ascii=False) + "\n")
    fileio.write_text(out_dir / PAGE, page(summary, all_items, [p.relative_to(out_dir) for p in drawn]))
    return items_path, summary_path, drawn


PAGE = "analysis.html"
_PAGE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC",sans-serif;
max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}
img{max-width:100%;height:auto;display:block;margin:.6rem 0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.9rem}caption{text-align:left;font-weight:600;margin:.4rem 0}
td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
"""


def _fmt(value: Any) -> str:
    return "–" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _alt(kind: str, quiz: str, info: dict, rows: list[dict]) -> str:
    """Text alternatives of the three plots (WCAG 1.1.1): what each shows, in words and figures."""
    if kind == "scores":
        return (f"Histogram of the total scores of {info['graded']} graded submissions to {quiz}, "
                f"out of {_fmt(info['max_score'])} points: lowest {_fmt(info['min'])}, median "
                f"{_fmt(info['median'])}, highest {_fmt(info['max'])}, mean {_fmt(info['mean'])}.")
    if kind == "items":
        weak = [r["question"] for r in rows if r["discrimination"] is not None
                and r["discrimination"] < 0.2]
        return (f"Each question of {quiz} as a point, difficulty (mean share of the points "
                "earned) across and discrimination (upper minus lower 27%) up, with a line at 0.2. "
                f"Below the line: {', '.join(weak) if weak else 'none'}. The table gives every value.")
    return (f"For each question of {quiz}, how many submissions gave each answer: correct answers "
            "green and hatched, others orange, blanks grey. The table gives the counts.")


def page(summary: dict, rows: list[dict], plots: list[Path]) -> str:
    """The item analysis as one page: per quiz its figures, the plots with text alternatives,
    and the item table (which carries everything the plots show). Self-contained like the
    feedback pages; plot paths are relative to the page."""
    esc = html_marked
    parts = ["<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
             f"<title>Item analysis</title><style>{_PAGE_CSS}</style></head><body><main>",
             "<h1>Item analysis</h1>",
             f"<p>{summary['inputs']} file(s) read: "
             + ", ".join(f"{n} {esc(status)}" for status, n in summary["statuses"].items()) + ".</p>"]
    by_quiz: dict[str, list[dict]] = {}
    for row in rows:
        by_quiz.setdefault(row["quiz"], []).append(row)
    for quiz, info in summary["quizzes"].items():
        rel = info["reliability"]
        parts.append(
            f"<section><h2>{esc(info['title'])} (<code>{esc(quiz)}</code>)</h2>"
            f"<p>{info['graded']} graded; score out of {_fmt(info['max_score'])}: mean "
            f"{_fmt(info['mean'])}, standard deviation {_fmt(info['sd'])}, median "
            f"{_fmt(info['median'])}, lowest {_fmt(info['min'])}, highest {_fmt(info['max'])}. "
            f"Reliability ({esc(rel['method'])}): {_fmt(rel['value'])}.</p>")
        for kind in ("scores", "items", "choices"):
            name = f"{quiz}-{kind}.png"
            found = [p for p in plots if p.name == name]
            if found:
                alt = html.escape(_alt(kind, quiz, info, by_quiz.get(quiz, [])))
                parts.append(f'<img src="{found[0].as_posix()}" alt="{alt}">')
        head = "".join(f'<th scope="col">{c.replace("_", " ")}</th>' for c in ITEM_COLUMNS[1:])
        body = "".join(
            "<tr>" + "".join(
                f'<td class="num">{_fmt(r[c])}</td>' if isinstance(r[c], (int, float)) and c != "question"
                else f"<td>{esc(_fmt(r[c]))}</td>" for c in ITEM_COLUMNS[1:]) + "</tr>"
            for r in by_quiz.get(quiz, []))
        parts.append('<div class="scroll" tabindex="0" role="region" '
                     f'aria-label="Items of {html.escape(quiz)}">'
                     f"<table><caption>Items of {esc(quiz)}</caption><thead><tr>{head}</tr></thead>"
                     f"<tbody>{body}</tbody></table></div></section>")
    parts.append("</main></body></html>\n")
    return "".join(parts)


def _ascii(text: str) -> str:
    """Plot labels in ASCII: the default fonts have no CJK glyphs, and missing glyphs warn."""
    return text.encode("ascii", "replace").decode("ascii")


def _save(fig: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fig.savefig(tmp, format="png", dpi=100, metadata={"Software": None})
    os.replace(tmp, path)
    return path


def draw(folder: Path, key: dict, totals: np.ndarray, rows: list[dict]) -> list[Path]:
    """Score histogram, difficulty against discrimination, and choices per question.

    Uses matplotlib's object API (Figure, no pyplot): no global backend state,
    nothing opened on screen, and safe inside a Jupyter kernel.
    """
    from matplotlib.figure import Figure

    quiz = key["quiz"]
    name = _ascii(quiz)
    out = []

    # Fixed margins instead of a layout engine: constrained layout draws every figure twice.
    fig = Figure(figsize=(6, 3.6))
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.15, top=0.9)
    ax = fig.add_subplot()
    top = math.ceil(max(key["max_score"], float(totals.max()) if totals.size else 0.0, 1.0))
    step = max(1, math.ceil(top / 30))  # one bar per point, at most about 30 bars
    ax.hist(totals, bins=np.arange(0, top + step + 1e-9, step) - step / 2, color="#4c72b0",
            edgecolor="white")
    ax.set_xlabel("score")
    ax.set_ylabel("submissions")
    ax.set_title(f"{name}: scores (n={totals.size})")
    out.append(_save(fig, folder / f"{quiz}-scores.png"))

    fig = Figure(figsize=(6, 4.5))
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.12, top=0.92)
    ax = fig.add_subplot()
    for row in rows:
        if row["difficulty"] is None:
            continue
        d = row["discrimination"] if row["discrimination"] is not None else 0.0
        ax.scatter(row["difficulty"], d, color="#c44e52")
        ax.annotate(_ascii(row["question"]), (row["difficulty"], d), textcoords="offset points",
                    xytext=(4, 4), fontsize=8)
    ax.axhline(0.2, color="#999", linestyle="--", linewidth=0.8)
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(min(-0.2, ax.get_ylim()[0]), 1.05)
    ax.set_xlabel("difficulty (mean credit, higher = easier)")
    ax.set_ylabel("discrimination (upper - lower 27%)")
    ax.set_title(f"{name}: items")
    out.append(_save(fig, folder / f"{quiz}-items.png"))

    height = 0.5 * len(rows) + 1.5
    label = max((len(r["question"]) for r in rows), default=4) * 0.1 + 0.35  # inches
    fig = Figure(figsize=(7, height))
    fig.subplots_adjust(left=label / 7, right=0.97, bottom=0.9 / height, top=1 - 0.45 / height)
    ax = fig.add_subplot()
    correct = _correct_labels(key)
    for y, (row, right) in enumerate(zip(rows, correct, strict=True)):
        left = 0
        total = sum(row["_counts"].values()) or 1
        for label, count in row["_counts"].items():
            color = "#9e9e9e" if label == "(blank)" else "#55a868" if label in right else "#dd8452"
            # Correct choices are hatched too, so they differ by more than colour (WCAG 1.4.1).
            ax.barh(y, count, left=left, color=color, edgecolor="white",
                    hatch="///" if label in right else None)
            if count / total > 0.06:
                ax.text(left + count / 2, y, _ascii(label), ha="center", va="center", fontsize=7)
            left += count
    ax.set_yticks(range(len(rows)), [_ascii(r["question"]) for r in rows])
    ax.invert_yaxis()
    ax.set_xlabel("choices (green, hatched: correct; orange: other; grey: blank)")
    ax.set_title(f"{name}: choices per question")
    out.append(_save(fig, folder / f"{quiz}-choices.png"))
    return out


# The item-analysis labels (scoring.choices) that count as correct, per question type.
CORRECT_LABELS: dict[str, Callable[[dict[str, Any]], set[str]]] = {
    "single": lambda q: {q["answer"]},
    "multiple": lambda q: set(q["answer"]),
    "true_false": lambda q: {str(q["answer"]).lower()},
    "numeric": lambda q: {"(right)"},
    "ordering": lambda q: {"(right)"},
    "matching": lambda q: {"(right)"},
    "short_text": lambda q: {"(right)"},
    "written": lambda q: {"(right)"},
}


def _correct_labels(key: dict[str, Any]) -> list[set[str]]:
    return [CORRECT_LABELS[q["type"]](q) for q in key["questions"]]
