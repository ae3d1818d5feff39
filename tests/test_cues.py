"""Form cues: validate warns about what a test-wise reader uses instead of the article."""

from __future__ import annotations

from typing import Any

from casebook.quiz import bank, cues

EVIDENCE = [{"para": "P045", "quote": "x"}]


def single(qid: str, prompt: str, options: list[str], answer: str = "a") -> dict[str, Any]:
    keys = "abcd"
    return {
        "id": qid,
        "type": "single",
        "prompt": prompt,
        "answer": answer,
        "objective": "t-o1",
        "bloom": "remember",
        "evidence": EVIDENCE,
        "options": [
            {"key": k, "text": t, **({} if k == answer else {"misconception": "m"})}
            for k, t in zip(keys, options, strict=False)
        ],
    }


def bank_of(*questions: dict[str, Any]) -> bank.Bank:
    return bank.Bank.model_validate({"quiz": "t", "title": "T", "chapter": "t", "questions": list(questions)})


def test_a_parallel_question_has_no_cue() -> None:
    q = single(
        "t-q1",
        "Which team launched the product?",
        ["The insurance group's own staff", "A virtual team in spare time", "An outside agency"],
    )
    assert cues.warnings([bank_of(q)]) == []


def test_the_longest_key_is_a_cue() -> None:
    q = single(
        "t-q1",
        "Why was it fast?",
        [
            "Because the shared platform supplied payments, accounts and risk control ready-made",
            "Because of money",
            "Because of luck",
        ],
    )
    assert ["t-q1: form cue: the key is the longest option by far (83 characters, the next 16)"] == [
        w.split(": ", 1)[1] for w in cues.warnings([bank_of(q)])
    ]


def test_absolutes_only_in_distractors_and_the_only_hedge_are_cues() -> None:
    absolutes = single(
        "t-q1",
        "What did the team do?",
        ["It tested the idea with users", "It never asked users", "It always copied rivals"],
    )
    hedged = single(
        "t-q2",
        "What does the text show?",
        ["It suggests the team chose", "The chairman chose", "The board chose"],
    )
    found = [w.split(": ", 2)[2] for w in cues.warnings([bank_of(absolutes, hedged)])]
    assert found == [
        "form cue: absolute words only in wrong options (2 of 2)",
        "form cue: the key is the only hedged option",
    ]


def test_a_key_phrase_printed_in_another_question_is_a_cue() -> None:
    giver = single(
        "t-q1",
        "After the middle platform cut launch times to one month, what followed?",
        ["More teams", "Fewer teams", "No change"],
    )
    taker = single(
        "t-q2",
        "How long did the launch take?",
        [
            "The middle platform cut launch times to one month",
            "Two years of work by a big team",
            "Six months of work by a small team",
        ],
    )
    text = {
        "id": "t-q3",
        "type": "short_text",
        "prompt": "Name the shared layer.",
        "objective": "t-o1",
        "bloom": "remember",
        "evidence": EVIDENCE,
        "answer": {"accept": ["中台", "middle platform"]},
    }
    found = [w.split(": ", 1)[1] for w in cues.warnings([bank_of(giver, taker, text)])]
    shared = "t-q2: form cue: its key shares 'cut launch times to', 'launch times to one' with t-q1"
    assert shared in found
    assert "t-q3: form cue: its key shares 'middle platform' with t-q1" in found
    common = single("t-q4", "Which one?", ["the case says it", "x", "y"])
    assert not any(w.startswith("t.yml") or "t-q4" in w for w in cues.warnings([bank_of(common)]))


def test_keys_piled_on_one_position_are_a_cue() -> None:
    options = ["First reading of it", "Second reading of it", "Third reading of it", "Fourth one"]
    piled = [single(f"t-q{i}", f"Which reading {i}?", options, answer="a") for i in range(1, 5)]
    assert [w.split(": ", 1)[1] for w in cues.warnings([bank_of(*piled)])] == [
        "form cue: 4 of 4 single-choice keys are option a"
    ]
    spread = [single(f"t-q{i}", f"Which reading {i}?", options, answer=k) for i, k in enumerate("abca", 1)]
    assert cues.warnings([bank_of(*spread)]) == []
