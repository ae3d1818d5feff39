"""Form cues a test-wise student reads instead of the article, found in the banks themselves.

A question fails when a student who has not read the case can answer it. Some
of the ways that happens can be seen in the bank text alone, and
``casebook validate`` warns about them (warnings do not fail validation: a
cue is a reason to look again, not proof of a defect):

- **longest key**: the key is the uniquely longest option by a clear margin
  (at least 25% and 20 characters longer than every other option);
- **absolutes only in distractors**: two or more wrong options use absolute
  words ("always", "never", "only", ...) and the key uses none, or the key is
  the only option with hedging words ("may", "partly", "suggests", ...);
- **key position**: in one bank, more than half of the single-choice keys (at
  least four of them) sit at the same option position, which a reader learns
  by the third question;
- **shared phrase**: a distinctive phrase of one question's key (an English
  run of four words, or a Chinese run of five characters, that no more than two
  questions use) also appears in another question's prompt, options or
  student-facing explanation, in any bank: the book shows all quizzes on one site;
  an accepted short-text answer (two Chinese characters or five letters at least)
  printed anywhere in another question is a cue however common it is.

The same checks are what the authoring standard asks a human reader to look
for (``docs/authoring.md``); the reader finds more than these rules can.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from casebook.quiz.bank import Bank, Question

LONGEST_RATIO = 1.25
LONGEST_MARGIN = 20
ABSOLUTES = re.compile(
    r"\b(always|never|only|all|every|none|no one|nothing|entirely|completely|solely|must|cannot|"
    r"impossible|any|whole)\b",
    re.I,
)
HEDGES = re.compile(
    r"\b(may|might|partly|partially|suggests?|likely|probably|some|closer to|at least|in part|"
    r"largely|mainly|arguably|tends? to)\b",
    re.I,
)
_WORD = re.compile(r"[a-z0-9']+")
_CJK = re.compile(r"[\u3400-\u9fff]+")
# Words that make a run of words common rather than distinctive.
_COMMON = frozenset(
    "the a an of to in and or for on at by with from as is are was were be been it its this that "
    "these those their his her not no what which who ant ant's article says".split()
)
WORDS_IN_PHRASE = 4
CJK_IN_PHRASE = 5
DISTINCTIVE_IN = 2  # a phrase used by more questions than this is vocabulary, not a cue


def _phrases(text: str) -> set[str]:
    """Runs of four words (not all common) and of five Chinese characters."""
    words = _WORD.findall(text.lower())
    out = {
        " ".join(words[i : i + WORDS_IN_PHRASE])
        for i in range(len(words) - WORDS_IN_PHRASE + 1)
        if sum(w not in _COMMON for w in words[i : i + WORDS_IN_PHRASE]) >= 2
    }
    for run in _CJK.findall(text):
        out |= {run[i : i + CJK_IN_PHRASE] for i in range(len(run) - CJK_IN_PHRASE + 1)}
    return out


def _key_texts(q: Question) -> list[str]:
    """What a student would have to know to answer q: the keyed options or accepted forms."""
    if q.type in ("single", "multiple"):
        keys = {q.answer} if q.type == "single" else set(q.answer or [])
        return [o.text for o in q.options or [] if o.key in keys]
    if q.type == "short_text":
        accepted = q.answer.get("accept") if isinstance(q.answer, dict) else None
        return [str(a) for a in (accepted if isinstance(accepted, list) else [accepted] if accepted else [])]
    return []


def _visible(q: Question) -> str:
    """Everything a student sees of q on the book's quiz page, including the feedback after Check."""
    parts = [q.prompt, *(o.text for o in q.options or []), *(t.text for t in q.targets or [])]
    parts += [q.explanation or ""]
    return "\n".join(parts)


def _form(q: Question) -> list[str]:
    if q.type not in ("single", "multiple") or not q.options:
        return []
    keys = {q.answer} if q.type == "single" else set(q.answer or [])
    right = [o.text for o in q.options if o.key in keys]
    wrong = [o.text for o in q.options if o.key not in keys]
    if not right or not wrong:
        return []
    out = []
    if len(right) == 1:
        key, longest = len(right[0]), max(len(t) for t in wrong)
        if key >= LONGEST_RATIO * longest and key - longest >= LONGEST_MARGIN:
            out.append(f"the key is the longest option by far ({key} characters, the next {longest})")
    absolute = [t for t in wrong if ABSOLUTES.search(t)]
    if len(absolute) >= 2 and not any(ABSOLUTES.search(t) for t in right):
        out.append(f"absolute words only in wrong options ({len(absolute)} of {len(wrong)})")
    if any(HEDGES.search(t) for t in right) and not any(HEDGES.search(t) for t in wrong):
        out.append("the key is the only hedged option")
    return out


def _positions(bank: Bank) -> list[str]:
    """A bank-level cue: single-choice keys that pile up at one option position."""
    keys = [
        q.option_keys.index(q.answer)
        for q in bank.questions
        if q.type == "single" and q.answer in q.option_keys
    ]
    if len(keys) < 4:
        return []
    position, count = max(((p, keys.count(p)) for p in set(keys)), key=lambda pc: (pc[1], -pc[0]))
    if count * 2 <= len(keys):
        return []
    name = bank.path.name if bank.path else bank.quiz
    return [f"{name}: form cue: {count} of {len(keys)} single-choice keys are option {chr(97 + position)}"]


def warnings(banks: Iterable[Bank]) -> list[str]:
    """One line per cue: ``file: question: cue`` (or ``file: cue`` for a whole bank)."""
    banks = list(banks)
    questions = [(b, q) for b in banks for q in b.questions if not q.manual]
    shown = {q.id: str(b.path.name if b.path else b.quiz) for b, q in questions}
    out = [line for b in banks for line in _positions(b)]
    out += [f"{shown[q.id]}: {q.id}: form cue: {cue}" for _, q in questions for cue in _form(q)]
    visible = {q.id: _visible(q) for _, q in questions}
    seen = {qid: _phrases(text) for qid, text in visible.items()}
    users: dict[str, set[str]] = defaultdict(set)
    for qid, phrases in seen.items():
        for phrase in phrases:
            users[phrase].add(qid)
    for _, q in questions:
        found: dict[str, set[str]] = defaultdict(set)
        for text in _key_texts(q):
            # An accepted short answer (中台) is a cue wherever it is printed; a longer key by its runs.
            whole = q.type == "short_text"
            long_enough = len(text.strip()) >= (2 if _CJK.search(text) else 5)
            pattern = _printed(text) if whole and long_enough else None
            candidates = set() if whole else _phrases(text)
            for other, other_text in visible.items():
                if other == q.id:
                    continue
                if pattern is not None and pattern.search(other_text):
                    found[other].add(text)
                found[other] |= {
                    p for p in candidates if p in seen[other] and len(users[p]) <= DISTINCTIVE_IN
                }
        for other, phrases in sorted(found.items()):
            if phrases:
                out.append(
                    f"{shown[q.id]}: {q.id}: form cue: its key shares "
                    f"{', '.join(repr(p) for p in sorted(phrases)[:2])} with {other}"
                )
    return out


def _printed(form: str) -> re.Pattern[str]:
    """Where an accepted answer shows in other text: Chinese anywhere, English as whole words."""
    escaped = re.escape(form.strip())
    return re.compile(escaped if _CJK.search(form) else rf"\b{escaped}\b", re.I)
