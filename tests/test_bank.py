"""Banks: the YAML format, one-line problems, and the scoring rules of exercises/README.md."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from casebook.errors import CasebookError
from casebook.quiz import bank, scoring

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "sample.yml"


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict, name: str = "b.yml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def problems_of(tmp_path: Path, data: dict) -> list[str]:
    path = write(tmp_path, data)
    return [line.split(": ", 1)[1] for line in bank.problems([path])]


def test_sample_bank_loads_with_every_type() -> None:
    b = bank.load(SAMPLE)
    assert b.quiz == "sample"
    assert {q.type for q in b.questions} == set(bank.TYPES) - bank.HAND_SCORED_TYPES
    assert bank.problems([SAMPLE]) == []


def test_answer_key_is_plain_data() -> None:
    key = bank.answer_key(bank.load(SAMPLE))
    q = {entry["id"]: entry for entry in key["questions"]}
    assert key["max_score"] == 8.0
    assert q["smp-q01"]["answer"] == "b" and q["smp-q01"]["var"] == "q01"
    assert q["smp-q04"]["value"] == 3 and q["smp-q04"]["tolerance"] == 0.5
    assert q["smp-q07"]["accept"] == ["middle platform", "中台"]
    assert q["smp-q07"]["alias"] == "smp_q07"


def _mutate(raw: dict, index: int, **changes) -> dict:
    data = copy.deepcopy(raw)
    for key, value in changes.items():
        if value is None:
            data["questions"][index].pop(key, None)
        else:
            data["questions"][index][key] = value
    return data


@pytest.mark.parametrize(
    ("index", "changes", "expected"),
    [
        (0, {"colour": "red"}, "smp-q01: colour: unknown key"),
        (0, {"answer": "z"}, "smp-q01: answer: no option z"),
        (1, {"answer": ["a", "q"]}, "smp-q02: answer: no option q"),
        (4, {"answer": ["b", "a"]}, "smp-q05: answer: not a permutation of the option keys"),
        (4, {"answer": ["b", "a", "a"]}, "smp-q05: answer: not a permutation of the option keys"),
        (5, {"answer": {"a": "x", "b": "y"}}, "smp-q06: answer: no match for c"),
        (5, {"answer": {"a": "x", "b": "y", "c": "q"}}, "smp-q06: answer: no target q"),
        (
            2,
            {"misconception": None},
            "smp-q03: misconception: true_false needs what the wrong choice reveals",
        ),
        (0, {"evidence": [{"para": "P999", "quote": "x"}]}, "smp-q01: evidence[0].para: no paragraph P999"),
        (
            0,
            {"evidence": [{"para": "P045", "quote": "不在这里"}]},
            "smp-q01: evidence[0].quote: not found in P045",
        ),
        (0, {"objective": "other-o1"}, "smp-q01: objective: expected sample-oN, got 'other-o1'"),
        (
            0,
            {"type": "essay"},
            "smp-q01: type: input should be 'single', 'multiple', "
            "'true_false', 'numeric', 'ordering', 'matching', 'short_text' "
            "or 'written'",
        ),
        (0, {"points": 0}, "smp-q01: points: input should be greater than 0"),
        (0, {"evidence": []}, "smp-q01: evidence: list should have at least 1 item after validation, not 0"),
        (0, {"explanation": None}, "smp-q01: explanation: missing"),
        (3, {"answer": {"value": 3, "tol": 1}}, "smp-q04: answer.tol: unknown key"),
        (
            6,
            {"answer": {"accept": []}},
            "smp-q07: answer.accept: list should have at least 1 item after validation, not 0",
        ),
        (
            6,
            {"wrong": [{"answer": "中台。", "misconception": "x"}]},
            "smp-q07: wrong[0].answer: is also accepted",
        ),
        (2, {"options": [{"key": "a", "text": "x"}]}, "smp-q03: options: not used by true_false questions"),
    ],
)
def test_each_problem_is_one_precise_line(
    tmp_path: Path, raw: dict, index: int, changes: dict, expected: str
) -> None:
    found = problems_of(tmp_path, _mutate(raw, index, **changes))
    assert expected in found, found
    assert all("\n" not in line for line in found)


def test_missing_misconception_on_a_wrong_option(tmp_path: Path, raw: dict) -> None:
    data = copy.deepcopy(raw)
    del data["questions"][0]["options"][0]["misconception"]
    data["questions"][1]["options"][0]["misconception"] = "on a right option"
    found = problems_of(tmp_path, data)
    assert "smp-q01: options[0].misconception: missing on a wrong option" in found
    assert "smp-q02: options[0].misconception: the correct option has none" in found


def test_duplicate_keys_and_ids(tmp_path: Path, raw: dict) -> None:
    data = copy.deepcopy(raw)
    data["questions"][0]["options"][2]["key"] = "a"
    data["questions"][2]["id"] = "smp-q02"
    found = problems_of(tmp_path, data)
    assert "smp-q01: options: duplicate key a" in found
    assert "smp-q02: id: duplicate question id" in found


def test_question_ids_are_unique_across_banks(tmp_path: Path, raw: dict) -> None:
    other = copy.deepcopy(raw)
    other["quiz"] = "other"
    first, second = write(tmp_path, raw, "a.yml"), write(tmp_path, other, "b.yml")
    found = bank.problems([first, second])
    assert any(line.endswith(f"smp-q01: id: duplicate question id (also in {first})") for line in found), (
        found
    )
    with pytest.raises(CasebookError, match="duplicate question id"):
        bank.load_all([first, second])


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yml"
    path.write_text("quiz: x\ntitle: [unclosed\nchapter: x\n", encoding="utf-8")
    (line,) = bank.problems([path])
    assert line.startswith(f"{path}:3: invalid YAML")
    with pytest.raises(CasebookError) as err:
        bank.load(path)
    assert str(err.value) == line


def test_duplicate_yaml_key_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "dup.yml"
    path.write_text("quiz: x\nquiz: y\n", encoding="utf-8")
    (line,) = bank.problems([path])
    assert line == f"{path}:2: invalid YAML: duplicate key 'quiz'"


def test_load_raises_first_problem_and_paths_inside_project_are_relative(root: Path) -> None:
    with pytest.raises(CasebookError, match="no such bank file"):
        bank.load(root / "exercises" / "missing.yml")
    assert bank.display_path(root / "exercises" / "x.yml", root) == "exercises/x.yml"
    with pytest.raises(CasebookError, match="no question banks"):
        bank.load_all([])


def test_written_questions_need_a_rubric_that_adds_up(tmp_path: Path, raw: dict) -> None:
    data = copy.deepcopy(raw)
    written = {
        "id": "smp-w01",
        "type": "written",
        "prompt": "Argue.",
        "points": 5,
        "word_limit": 300,
        "rubric": [
            {
                "criterion": "evidence",
                "description": "cites",
                "levels": [
                    {"points": 3, "label": "strong", "description": "d"},
                    {"points": 0, "label": "missing", "description": "d"},
                ],
            }
        ],
        "evidence": [{"para": "P045", "quote": "祖望等人仅花了1个月时间"}],
        "objective": "sample-o1",
        "bloom": "evaluate",
    }
    data["questions"].append(written)
    assert problems_of(tmp_path, data) == ["smp-w01: rubric: top levels add up to 3, but points is 5"]
    written["points"] = 3
    assert problems_of(tmp_path, data) == []
    data["questions"][0]["word_limit"] = 10
    assert problems_of(tmp_path, data) == ["smp-q01: word_limit: only for written questions"]


# --- scoring rules ----------------------------------------------------------------------------

KEY = {q["id"]: q for q in bank.answer_key(bank.load(SAMPLE))["questions"]}


R, P, W, B, X = "right", "partial", "wrong", "blank", "invalid"


@pytest.mark.parametrize(
    ("qid", "value", "fraction", "outcome"),
    [
        ("smp-q01", "b", 1, R),
        ("smp-q01", " B ", 1, R),
        ("smp-q01", "a", 0, W),
        ("smp-q01", "", 0, B),
        ("smp-q01", ["b"], 1, R),
        ("smp-q01", "zz", 0, W),
        ("smp-q01", 3, 0, W),
        ("smp-q01", "（Ｂ）", 1, R),
        ("smp-q01", "b。", 1, R),
        ("smp-q01", 2.0, 0, X),
        ("smp-q01", ["b", "c"], 0, X),
        ("smp-q01", True, 0, X),
        ("smp-q02", ["a", "c"], 1, R),
        ("smp-q02", ["a"], 0.5, P),
        ("smp-q02", ["a", "b"], 0, W),
        ("smp-q02", ["a", "b", "d"], 0, W),
        ("smp-q02", ["a", "c", "b"], 0.5, P),
        ("smp-q02", "a, c", 1, R),
        ("smp-q02", "a、c", 1, R),
        ("smp-q02", ["a", "a"], 0.5, P),
        ("smp-q02", [], 0, B),
        ("smp-q02", {"a": 1}, 0, X),
        ("smp-q02", ["a", None], 0, X),
        ("smp-q03", False, 1, R),
        ("smp-q03", True, 0, W),
        ("smp-q03", "false", 1, R),
        ("smp-q03", "错", 1, R),
        ("smp-q03", None, 0, B),
        ("smp-q03", "Ｆａｌｓｅ", 1, R),
        ("smp-q03", 0, 1, R),
        ("smp-q03", 2, 0, X),
        ("smp-q03", "maybe", 0, X),
        ("smp-q04", 3, 1, R),
        ("smp-q04", 3.5, 1, R),
        ("smp-q04", 2.5, 1, R),
        ("smp-q04", 3.51, 0, W),
        ("smp-q04", "3", 1, R),
        ("smp-q04", 10, 0, W),
        ("smp-q04", True, 0, X),
        ("smp-q04", "3 minutes", 0, X),
        ("smp-q04", "about 3", 0, X),
        ("smp-q04", "３", 1, R),
        ("smp-q04", " 3. ", 1, R),
        ("smp-q04", "3e0", 1, R),
        ("smp-q04", "1e999", 0, X),
        ("smp-q04", "nan", 0, X),
        ("smp-q04", 10**400, 0, X),
        ("smp-q04", "3,000", 0, W),
        ("smp-q05", ["b", "a", "c"], 1, R),
        ("smp-q05", ["a", "b", "c"], 2 / 3, P),
        ("smp-q05", ["c", "a", "b"], 0, W),
        ("smp-q05", ["c", "b", "a"], 1 / 3, P),
        ("smp-q05", ["b", "a"], 1 / 3, P),
        ("smp-q05", ["b", "x", "a", "c"], 1, R),
        ("smp-q05", "b a c", 1, R),
        ("smp-q05", 5, 0, X),
        ("smp-q06", {"a": "x", "b": "y", "c": "z"}, 1, R),
        ("smp-q06", {"a": "x"}, 1 / 3, P),
        ("smp-q06", {"a": "y", "b": "x", "c": "w"}, 0, W),
        ("smp-q06", {"A": "X", "b": "y"}, 2 / 3, P),
        ("smp-q06", "a: x", 0, X),
        ("smp-q07", "中台", 1, R),
        ("smp-q07", " 中台。", 1, R),
        ("smp-q07", "Middle  Platform", 1, R),
        ("smp-q07", "“中台”", 1, R),
        ("smp-q07", "前台", 0, W),
        ("smp-q07", "中 台", 0, W),
        ("smp-q07", ["中台"], 0, X),
        # an accepted form with its translation or gloss
        ("smp-q07", "中台 (middle platform)", 1, R),
        ("smp-q07", "middle platform（中台）", 1, R),
        ("smp-q07", "中台 [the platform]", 1, R),
        ("smp-q07", "【中台】middle platform", 1, R),
        ("smp-q07", "中台 / middle platform", 1, R),
        ("smp-q07", "中台／platform", 1, R),
        ("smp-q07", "中台 - middle platform", 1, R),
        ("smp-q07", "中台——middle platform", 1, R),
        ("smp-q07", "middle platform – 中台", 1, R),
        ("smp-q07", "(platform) 中台", 1, R),
        # ... but not with a listed wrong form beside it, and a hyphen inside a word is no dash
        ("smp-q07", "中台 (前台)", 0, W),
        ("smp-q07", "中台 / 前台", 0, W),
        ("smp-q07", "前台——中台", 0, W),
        ("smp-q07", "中台 (not the 前台 teams)", 0, W),
        ("smp-q07", "中台-platform", 0, W),
        ("smp-q07", "中台 and more", 0, W),
        ("smp-q07", "platform (中台的)", 0, W),
    ],
)
def test_scoring_rules(qid: str, value: object, fraction: float, outcome: str) -> None:
    got, got_outcome, note = scoring.credit(KEY[qid], value)
    assert (got, got_outcome) == (pytest.approx(fraction), outcome)
    if outcome == X:
        assert note  # an unreadable answer always says why


def test_known_wrong_answers_name_their_misconception() -> None:
    assert "310" in scoring.misconception(KEY["smp-q04"], 10)
    assert "front end" in scoring.misconception(KEY["smp-q07"], " 前台 ")
    assert "rival" in scoring.misconception(KEY["smp-q01"] | {"misconceptions": {"a": "rival"}}, "a")
    assert scoring.misconception(KEY["smp-q03"], True).startswith("Assumes")
    assert scoring.misconception(KEY["smp-q03"], False) == ""
    # a gloss beside the right form does not hide a known wrong one; its note is shown
    assert "front end" in scoring.misconception(KEY["smp-q07"], "中台 (前台)")
    assert scoring.misconception(KEY["smp-q07"], "中台 (middle platform)") == ""


def test_numeric_misconception_is_the_first_listed_within_tolerance() -> None:
    q = {"type": "numeric", "value": 12.0, "tolerance": 1.0, "wrong": [(6.0, "first"), (6.5, "second")]}
    assert scoring.misconception(q, 6.4) == "first"
    assert scoring.misconception(q, 7.2) == "second"
    assert scoring.misconception(q, "6.4 minutes") == ""


@given(st.text(max_size=30))
def test_normalisation_is_idempotent(text: str) -> None:
    once = scoring.normalize_text(text)
    assert scoring.normalize_text(once) == once


@given(
    st.sampled_from(["中台", "middle platform"]),
    st.sampled_from(["", " ", "。", "！", ".", "\u3000", "“", '"']),
    st.sampled_from(["", " ", "。", "”", '"', "\t"]),
)
def test_surrounding_punctuation_and_space_never_matter(form: str, before: str, after: str) -> None:
    assert scoring.credit(KEY["smp-q07"], before + form.upper() + after)[0] == 1


LITERALS = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=8)
    | st.sampled_from(["a", "b", "c", "d", "x", "y", "z", "w", "中台"]),
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(st.sampled_from(["a", "b", "c", "x"]) | st.text(max_size=3), inner, max_size=4)
    ),
    max_leaves=10,
)


@given(st.sampled_from(sorted(KEY)), LITERALS)
def test_any_answer_scores_within_zero_and_one(qid: str, value: object) -> None:
    fraction, outcome, note = scoring.credit(KEY[qid], value)
    assert 0.0 <= fraction <= 1.0
    assert outcome in {"right", "partial", "wrong", "blank", "invalid"}
    assert isinstance(note, str)
    assert scoring.choices(KEY[qid], value)
