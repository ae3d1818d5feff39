"""The course standard (docs/authoring.md) as checks on each theme chapter and its bank.

What can be counted is counted here, so a chapter that drifts below the bar
(too few passages, an objective no question tests, a short analysis) is
reported by ``casebook validate`` rather than found by a reader.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import yaml

from casebook import paths

THEMES = ("bottom-up", "boundaries", "techfin")
HIGHER = {"apply", "analyze", "evaluate"}
OBJECTIVE_RE = re.compile(r"^- \*\*(?P<id>[a-z-]+-o\d)\*\*: (?P<text>.+)$", re.M)
EXERCISE_RE = re.compile(r"^:label: (?P<label>[a-z-]+-ex\d+)\s*$", re.M)
PASSAGE_RE = re.compile(r"^:{3,}\{passage\}", re.M)
WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+")
ROLE_RE = re.compile(r"\{[a-z:]+\}`[^`]*`")


def sections(text: str) -> dict[str, str]:
    """Level-2 sections of a MyST page by title."""
    out: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            out[current] = ""
        elif current is not None:
            out[current] += line + "\n"
    return out


def words(text: str) -> int:
    """English words of prose, without roles, directives or Chinese quotations."""
    text = ROLE_RE.sub(" ", text)
    text = "\n".join(ln for ln in text.splitlines() if not ln.startswith((":", "```", "(")))
    return len(WORD_RE.findall(text))


def objectives(text: str) -> dict[str, str]:
    return {m.group("id"): m.group("text") for m in OBJECTIVE_RE.finditer(text)}


def chapter_problems(slug: str, root: Path) -> list[str]:
    path = root / "chapters" / f"{slug}.md"
    where = f"chapters/{slug}.md"
    if not path.exists():
        return [f"{where}: missing"]
    text = path.read_text(encoding="utf-8")
    out = []
    secs = sections(text)
    for title in (
        "Learning objectives",
        "The case through this lens",
        "Analysis",
        "Frameworks",
        "Figure",
        "Discussion exercises",
        "Quiz",
        "Further reading",
    ):
        if title not in secs:
            out.append(f"{where}: no section '## {title}'")
    objs = objectives(text)
    if not 3 <= len(objs) <= 5 or any(not o.startswith(f"{slug}-o") for o in objs):
        out.append(f"{where}: needs 3 to 5 objectives {slug}-o1.., found {len(objs)}")
    passages = len(PASSAGE_RE.findall(secs.get("The case through this lens", "")))
    if passages < 8:
        out.append(f"{where}: 'The case through this lens' quotes {passages} passages, needs 8")
    n = words(secs.get("Analysis", ""))
    if not 2000 <= n <= 3500:
        out.append(f"{where}: analysis has {n} words, needs 2,000 to 3,500")
    labels = EXERCISE_RE.findall(text)
    if not 6 <= len(labels) <= 10:
        out.append(f"{where}: {len(labels)} discussion exercises, needs 6 to 10")
    for n_ex, label in enumerate(labels, start=1):
        if label != f"{slug}-ex{n_ex}":
            out.append(f"{where}: exercise {n_ex} is labelled {label}, expected {slug}-ex{n_ex}")
    for block in re.split(r"^:{3,}\{exercise\}", text, flags=re.M)[1:]:
        body = block.split(":::", 1)[0]
        if not re.search(rf"{slug}-o\d", body):
            label = EXERCISE_RE.search(body)
            out.append(f"{where}: {label.group('label') if label else 'an exercise'} names no objective")
    if "figures.cited(" not in secs.get("Figure", ""):
        out.append(f"{where}: the figure's data does not go through figures.cited")
    if f"```{{quiz}} {slug}" not in text:
        out.append(f"{where}: no quiz directive for {slug}")
    notes = root / "chapters" / "instructor" / f"{slug}.md"
    notes_text = notes.read_text(encoding="utf-8") if notes.exists() else ""
    for label in labels:
        if label not in notes_text:
            out.append(f"chapters/instructor/{slug}.md: no analysis of {label}")
    out += bank_problems(slug, objs, root)
    return out


def bank_problems(slug: str, objs: dict[str, str], root: Path) -> list[str]:
    path = paths.exercises_dir(root) / f"{slug}.yml"
    where = f"exercises/{slug}.yml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        questions = data["questions"]
    except (OSError, yaml.YAMLError, TypeError, KeyError):
        return [f"{where}: missing or unreadable (see casebook validate)"]
    auto = [q for q in questions if q.get("type") != "written"]
    written = [q for q in questions if q.get("type") == "written"]
    out = []
    if len(auto) < 15:
        out.append(f"{where}: {len(auto)} auto-graded questions, needs 15")
    if len(written) < 2:
        out.append(f"{where}: {len(written)} written questions, needs 2")
    types = Counter(q.get("type") for q in auto)
    if len(types) < 4:
        out.append(f"{where}: {len(types)} question types, needs 4")
    higher = sum(q.get("bloom") in HIGHER for q in auto)
    if auto and higher / len(auto) < 0.4:
        out.append(f"{where}: {higher} of {len(auto)} questions at apply/analyze/evaluate, needs 40%")
    used = Counter(q.get("objective") for q in questions)
    for obj in objs:
        if used[obj] < 2:
            out.append(f"{where}: objective {obj} is tested by {used[obj]} question(s), needs 2")
    for obj in used:
        if obj not in objs:
            out.append(f"{where}: objective {obj} is not one of the chapter's objectives")
    return out


def teaching_plan_problems(root: Path) -> list[str]:
    """The timed plans of the teaching note must add up to their session length."""
    path = root / "chapters" / "instructor" / "index.md"
    if not path.exists():
        return ["chapters/instructor/index.md: missing"]
    text = path.read_text(encoding="utf-8")
    totals = []
    for table in re.findall(r"^\| Minutes \|.*?(?=^\s*$)", text, flags=re.M | re.S):
        rows = [ln for ln in table.splitlines()[2:] if ln.startswith("|")]
        totals.append(sum(int(ln.split("|")[1].strip()) for ln in rows))
    if sorted(totals) != [80, 120]:
        return [f"chapters/instructor/index.md: the timed plans add up to {totals}, expected 80 and 120"]
    return []


def problems(root: Path | None = None) -> list[str]:
    root = root or paths.project_root()
    out = []
    for slug in THEMES:
        if (root / "chapters" / f"{slug}.md").exists():
            out += chapter_problems(slug, root)
    if (root / "chapters" / "instructor").exists():
        out += teaching_plan_problems(root)
    return out
