"""Item analysis: the statistics against their textbook definitions, and quiet plots."""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from casebook.grading import analysis

KEY = {
    "quiz": "t",
    "title": "T",
    "version": "v",
    "max_score": 4.0,
    "questions": [
        {"id": "t-q1", "type": "single", "points": 1.0, "options": ["a", "b"], "answer": "a"},
        {"id": "t-q2", "type": "true_false", "points": 1.0, "options": [], "answer": True},
        {"id": "t-q3", "type": "numeric", "points": 1.0, "options": [], "answer": 2},
        {"id": "t-q4", "type": "multiple", "points": 1.0, "options": ["a", "b", "c"], "answer": ["a", "b"]},
    ],
}
CREDITS = np.array(
    [
        [1, 1, 1, 1],
        [1, 1, 0, 1],
        [1, 0, 1, 0],
        [0, 1, 0, 0],
        [1, 0, 0, 0],
        [0, 0, 0, 0],
        [1, 1, 1, 0],
    ],
    dtype=float,
)


def _choices(credits: np.ndarray) -> list[list[list[str]]]:
    return [
        [
            ["a" if row[0] else "b"],
            ["true" if row[1] else "false"],
            ["(right)" if row[2] else "(wrong)"],
            ["a", "b"] if row[3] else ["c"],
        ]
        for row in credits
    ]


def _rows(credits: np.ndarray) -> list[dict]:
    order = np.lexsort((np.arange(len(credits)), credits.sum(axis=1)))
    return analysis.items(KEY, credits, _choices(credits), order)


def test_difficulty_and_corrected_point_biserial() -> None:
    rows = _rows(CREDITS)
    totals = CREDITS.sum(axis=1)
    for j, row in enumerate(rows):
        assert row["difficulty"] == pytest.approx(CREDITS[:, j].mean(), abs=1e-4)
        rest = totals - CREDITS[:, j]
        expected = np.corrcoef(CREDITS[:, j], rest)[0, 1]
        assert row["point_biserial"] == pytest.approx(expected, abs=1e-4)


def test_upper_lower_discrimination_uses_27_percent() -> None:
    rows = _rows(CREDITS)
    # n = 7: groups of round(1.89) = 2; totals 4,3,2,1,1,0,3 -> lower = students 5 and 3,
    # upper = students 6 and 0 (ties broken by position).
    assert rows[0]["discrimination"] == pytest.approx((1 + 1) / 2 - (0 + 0) / 2)
    assert rows[2]["discrimination"] == pytest.approx(1.0)
    assert rows[0]["choices"] == "a=5; b=2"
    assert rows[3]["choices"] == "a=2; b=2; c=5"


def test_kr20_matches_its_formula_for_right_or_wrong_items() -> None:
    k = CREDITS.shape[1]
    p = CREDITS.mean(axis=0)
    expected = k / (k - 1) * (1 - (p * (1 - p)).sum() / CREDITS.sum(axis=1).var())
    got = analysis.reliability(CREDITS, dichotomous=True)
    assert got == {"method": "KR-20", "value": pytest.approx(expected, abs=1e-4)}


def test_undefined_statistics_are_empty_not_warnings() -> None:
    constant = np.ones((5, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rows = _rows(constant)
        assert analysis.reliability(constant, dichotomous=True)["value"] is None
        assert analysis.reliability(constant[:1], dichotomous=False)["value"] is None
    assert all(r["point_biserial"] is None for r in rows)
    assert all(r["discrimination"] == 0 for r in rows)


@settings(max_examples=40, deadline=None)
@given(
    arrays(
        np.float64, st.tuples(st.integers(2, 30), st.just(4)), elements=st.sampled_from([0.0, 0.25, 0.5, 1.0])
    )
)
def test_statistics_stay_in_range(credits: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rows = _rows(credits)
        alpha = analysis.reliability(credits, dichotomous=False)["value"]
    for row in rows:
        assert 0 <= row["difficulty"] <= 1
        assert row["point_biserial"] is None or -1 - 1e-9 <= row["point_biserial"] <= 1 + 1e-9
        assert -1 <= row["discrimination"] <= 1
    assert alpha is None or alpha <= 1 + 1e-9


def test_analyse_writes_items_summary_and_plots_without_warnings(tmp_path: Path) -> None:
    graded = {
        "t": [
            (f"s{i}", list(row), choice)
            for i, (row, choice) in enumerate(zip(CREDITS, _choices(CREDITS), strict=True))
        ]
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph or a bad layout would fail here
        items, summary, plots = analysis.analyse(
            tmp_path, analysis.running_of({"t": KEY}, graded), {"graded": 7}
        )
    with open(items, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["question"] for r in rows] == ["t-q1", "t-q2", "t-q3", "t-q4"]
    assert list(rows[0]) == analysis.ITEM_COLUMNS
    data = json.loads(summary.read_text(encoding="utf-8"))
    assert data["quizzes"]["t"]["graded"] == 7 and data["inputs"] == 7
    assert data["quizzes"]["t"]["reliability"]["method"] == "KR-20"
    assert sorted(p.name for p in plots) == ["t-choices.png", "t-items.png", "t-scores.png"]
    assert all(p.stat().st_size > 1000 for p in plots)


def test_non_ascii_question_ids_do_not_reach_the_plot_fonts(tmp_path: Path) -> None:
    key = json.loads(json.dumps(KEY))
    key["quiz"] = "中台"
    for q in key["questions"]:
        q["id"] = "题" + q["id"]
    graded = {
        "中台": [
            (f"s{i}", list(row), c) for i, (row, c) in enumerate(zip(CREDITS, _choices(CREDITS), strict=True))
        ]
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, _, plots = analysis.analyse(tmp_path, analysis.running_of({"中台": key}, graded), {"graded": 7})
    assert len(plots) == 3


def _running(credits: np.ndarray, choices: list) -> analysis.Running:
    running = analysis.Running(KEY)
    for row, picked in zip(credits, choices, strict=True):
        running.add(list(row), picked)
    return running


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, st.tuples(st.integers(2, 40), st.just(4)), elements=st.sampled_from([0.0, 0.5, 1.0]))
)
def test_running_sums_give_the_textbook_statistics(credits: np.ndarray) -> None:
    """Item analysis from sums kept while grading equals the statistics over the full table."""
    choices = _choices(credits)
    running = _running(credits, choices)
    order = np.lexsort((np.arange(len(credits)), credits.sum(axis=1)))
    want = analysis.items(KEY, credits, choices, order)
    got = running.items()
    for w, g in zip(want, got, strict=True):
        for field in ("difficulty", "point_biserial", "choices", "n"):
            if isinstance(w[field], float):
                assert g[field] == pytest.approx(w[field], abs=2e-4), field
            else:
                assert g[field] == w[field], field
    dichotomous = bool(np.isin(credits, (0.0, 1.0)).all())
    assert running.dichotomous() == dichotomous
    want_rel = analysis.reliability(credits, dichotomous)
    got_rel = running.reliability()
    assert got_rel["method"] == want_rel["method"]
    assert (got_rel["value"] is None) == (want_rel["value"] is None)
    if want_rel["value"] is not None:
        assert got_rel["value"] == pytest.approx(want_rel["value"], abs=2e-4)
    want_sum, got_sum = analysis.summarize(KEY, credits, dichotomous), running.summary()
    for field in ("graded", "mean", "sd", "min", "median", "max"):
        if want_sum[field] is None:
            assert got_sum[field] is None
        else:
            assert got_sum[field] == pytest.approx(want_sum[field], abs=2e-4), field


def test_upper_lower_index_shares_tied_boundary_scores() -> None:
    """With no tie across the 27% boundary the index is the textbook one; a tie is shared."""
    running = _running(CREDITS, _choices(CREDITS))
    order = np.lexsort((np.arange(len(CREDITS)), CREDITS.sum(axis=1)))
    want = [r["discrimination"] for r in analysis.items(KEY, CREDITS, _choices(CREDITS), order)]
    # totals 4,3,2,1,1,0,3: the 2 lowest are 0 and one of the two 1s, the 2 highest 4 and a 3
    lower = (CREDITS[5] + (CREDITS[3] + CREDITS[4]) / 2) / 2
    upper = (CREDITS[0] + (CREDITS[1] + CREDITS[6]) / 2) / 2
    got = [r["discrimination"] for r in running.items()]
    assert got == pytest.approx(list(upper - lower), abs=1e-4)
    assert got != want  # the textbook's file-order tie-break picks one of the tied students


def test_taking_a_submission_out_restores_the_sums() -> None:
    running = _running(CREDITS[:5], _choices(CREDITS[:5]))
    extra = _choices(CREDITS[5:6])[0]
    running.add(list(CREDITS[5]), extra)
    running.add(list(CREDITS[5]), extra, sign=-1)
    alone = _running(CREDITS[:5], _choices(CREDITS[:5]))
    assert running.items() == alone.items() and running.summary() == alone.summary()


@settings(max_examples=40, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 30), st.just(4)),
        elements=st.sampled_from([0.0, 1 / 3, 0.5, 1.0]),
    )
)
def test_adding_a_chunk_at_once_equals_adding_row_by_row(credits: np.ndarray) -> None:
    choices = _choices(credits)
    one_by_one = _running(credits, choices)
    at_once = analysis.Running(KEY)
    at_once.add_many([list(row) for row in credits], choices)
    assert at_once.n == one_by_one.n and at_once.partial == one_by_one.partial
    assert at_once.choices == one_by_one.choices
    assert sorted(at_once.by_total) == sorted(one_by_one.by_total)
    for total, (count, fractions) in at_once.by_total.items():
        assert count == one_by_one.by_total[total][0]
        assert fractions == pytest.approx(one_by_one.by_total[total][1])
    assert at_once.products == pytest.approx(one_by_one.products)
    assert at_once.sums == pytest.approx(one_by_one.sums)
