"""One scoring rule for the grader and the book: scoring.py against casebook-quiz.js in Chromium.

``casebook.quiz.scoring`` is the reference. The table below is generated from it:
every question of the three banks plus synthetic questions of every type, each
with the answers the book's form controls produce and the forgiving or
unreadable spellings a notebook may hold ("12 minutes", "（B）", "tool (工具)",
" 1,200 ", "Ｔｒｕｅ"). Python scores each case; the browser's
``window.casebookQuiz.score`` must give the same credit, outcome, note and
misconception for every one. Any difference fails and is listed.

Values are JSON (what the page can hold): integral floats are left out for keys
and texts, since JavaScript cannot tell 2.0 from 2 where Python's scorer does.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import unicodedata
from pathlib import Path

import pytest

from casebook.quiz import bank, scoring

JS = Path(bank.__file__).parents[1] / "sphinx" / "static" / "casebook-quiz.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# Synthetic questions: shapes the banks may not have yet (a one-item ordering, a numeric
# whose wrong answers overlap, short texts with glosses and wrong forms).
SYNTHETIC: list[dict] = [
    {
        "id": "s1",
        "type": "single",
        "options": ["a", "b", "c", "2"],
        "answer": "b",
        "misconceptions": {"a": "A-note", "c": "C-note", "2": "two-note"},
    },
    {
        "id": "m1",
        "type": "multiple",
        "options": ["a", "b", "c", "d"],
        "answer": ["a", "c"],
        "misconceptions": {"b": "B-note", "d": "D-note"},
    },
    {"id": "t1", "type": "true_false", "answer": True, "misconception": "TF-note", "misconceptions": {}},
    {"id": "t2", "type": "true_false", "answer": False, "misconception": "TF2-note", "misconceptions": {}},
    {
        "id": "n1",
        "type": "numeric",
        "value": 12.0,
        "tolerance": 0.5,
        "unit": "minutes",
        "wrong": [[6.0, "first-fit"], [6.3, "second-fit"], [24.0, "double"]],
        "misconceptions": {},
    },
    {
        "id": "n2",
        "type": "numeric",
        "value": 0.3,
        "tolerance": 0.0,
        "unit": "",
        "wrong": [[3.0, "ten-times"]],
        "misconceptions": {},
    },
    {
        "id": "n3",
        "type": "numeric",
        "value": 1_000_000_000.0,
        "tolerance": 0.0,
        "unit": "yuan",
        "wrong": [[100_000_000.0, "yi"]],
        "misconceptions": {},
    },
    {
        "id": "o1",
        "type": "ordering",
        "options": ["a", "b", "c", "d"],
        "answer": ["c", "a", "d", "b"],
        "misconceptions": {},
    },
    {"id": "o2", "type": "ordering", "options": ["a"], "answer": ["a"], "misconceptions": {}},
    {
        "id": "x1",
        "type": "matching",
        "options": ["a", "b", "c"],
        "targets": ["x", "y", "z"],
        "answer": {"a": "y", "b": "x", "c": "z"},
        "misconceptions": {},
    },
    {
        "id": "st1",
        "type": "short_text",
        "accept": ["tool", "工具"],
        "wrong": [["platform", "platform-note"], ["平台", "pingtai-note"], ["ant", "ant-note"]],
        "misconceptions": {},
    },
    {
        "id": "st2",
        "type": "short_text",
        "accept": ["敬畏金融", "hold finance in awe"],
        "wrong": [["敬畏", "half-note"]],
        "misconceptions": {},
    },
    {
        "id": "st3",
        "type": "short_text",
        "accept": ["bottom-up", "自下而上"],
        "wrong": [],
        "misconceptions": {},
    },
    {"id": "w1", "type": "written", "manual": True, "answer": None, "misconceptions": {}},
]

EVERYWHERE = [
    None,
    "",
    "   ",
    [],
    {},
    True,
    False,
    0,
    1,
    2,
    -1,
    3.5,
    "?",
    "none",
    [None],
    {"a": None},
    "\u3000",
    "\ufeffb",
    "b\x1c",
    "\x85",
]


def _keys(options: list[str]) -> list[object]:
    out: list[object] = []
    for k in options:
        out += [
            k,
            k.upper(),
            f" {k} ",
            f"({k})",
            f"（{k.upper()}）",
            f"{k}.",
            f"{k})",
            f"{k}。",
            unicodedata.normalize("NFKC", k).upper().translate({c: c + 0xFEE0 for c in range(33, 127)}),
        ]
    return out


def _answers(q: dict) -> list[object]:
    kind = q["type"]
    opts = q.get("options") or []
    if kind == "single":
        return [*_keys(opts), [q["answer"]], [q["answer"], q["answer"]], "z", "b c", 7, ["b"]]
    if kind == "multiple":
        ans = q["answer"]
        return [
            ans,
            list(reversed(ans)),
            ans[:1],
            ans + opts[:1],
            opts,
            [k.upper() for k in ans],
            ", ".join(ans),
            "；".join(ans),
            " ".join(ans) + " z",
            [*ans, *ans],
            [*ans, 3.5],
            "a,,c",
            "a、c",
            [opt for opt in opts if opt not in ans],
        ]
    if kind == "true_false":
        return [
            "true",
            "false",
            "True",
            " FALSE ",
            "t",
            "F",
            "yes",
            "no",
            "Y",
            "对",
            "错",
            "是",
            "否",
            "正确",
            "错误",
            "√",
            "×",
            "✓",
            "✗",
            "Ｔｒｕｅ",
            "maybe",
            0,
            1,
            2,
            True,
            False,
        ]
    if kind == "numeric":
        v, tol = q["value"], q["tolerance"]
        near = [v, v + tol, v - tol, v + tol + 0.01, v - tol * 1.5]
        texts = [repr(x) for x in near] + [
            f"{v:,}",
            f" {v:g} ",
            f"{v:g} minutes",
            f"about {v:g}",
            f"{v:g}%",
            "１２",
            "12.",
            ".5",
            "+12",
            "−12",
            "1e1",
            "1E1",
            "1_2",
            "12,5",
            "1，200",
            "inf",
            "nan",
            "1e999",
            "0x10",
            "١٢",
            "12 ",
            "12\u3000",
            "--12",
            "1.2.3",
            "e5",
        ]
        wrongs = [w[0] for w in q.get("wrong") or []]
        return [
            *near,
            *texts,
            *wrongs,
            *[repr(w + 0.2) for w in wrongs],
            *[repr(w + 5e-10 * max(1.0, abs(w))) for w in wrongs],
            [v],
            {"v": v},
        ]
    if kind == "ordering":
        ans = q["answer"]
        return [
            ans,
            list(reversed(ans)),
            ans[1:],
            ans + ans[:1],
            [k.upper() for k in ans],
            " ".join(ans),
            ",".join(reversed(ans)),
            [*ans, "zz"],
            [ans[-1], *ans[:-1]],
            [3.5],
        ]
    if kind == "matching":
        ans = q["answer"]
        lefts, rights = list(ans), list(ans.values())
        shifted = dict(zip(lefts, rights[1:] + rights[:1], strict=True))
        return [
            ans,
            shifted,
            {k.upper(): f" {v.upper()} " for k, v in ans.items()},
            dict(list(ans.items())[:1]),
            {**ans, "zz": "x"},
            [list(p) for p in ans.items()],
            "a=x",
            {k: None for k in ans},
            {f"({k})": f"{v}." for k, v in ans.items()},
        ]
    if kind == "short_text":
        first = q["accept"][0]
        forms = list(q["accept"]) + [w[0] for w in q.get("wrong") or []]
        out: list[object] = []
        for form in forms[:4]:
            out += [
                form,
                form.upper(),
                f" {form}。",
                f"“{form}”",
                f"{form} (工具)",
                f"{form} （tool）",
                f"{form} [note]",
                f"【注】{form}",
                f"{form} / tool",
                f"{form}／tool",
                f"{form} - gloss",
                f"{form}——gloss",
                f"{form} – gloss",
                f"{form}-gloss",
                f"gloss ({form})",
            ]
        out += [
            f"{first} (platform)",
            f"{first} / 平台",
            f"{first} (want)",
            f"{first} (an ant)",
            f"{first}, tool",
            f"{first} and more",
            "() /",
            12,
            3.5,
            "Ｔｏｏｌ",
            "TOOL\u3000(工具)",
            f"{first} (platform-ish)",
        ]
        return out
    if kind == "written":
        return ["My answer.", "   ", 12, ["text"], '"""\nan essay\n"""']
    raise AssertionError(f"no answers for type {kind}")


def _integral_float(value: object) -> bool:
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, list):
        return any(_integral_float(v) for v in value)
    if isinstance(value, dict):
        return any(_integral_float(v) for v in value.values())
    return False


def _book_questions() -> list[dict]:
    out = []
    for path in bank.discover():
        key = bank.answer_key(bank.load(path))
        out += [q for q in key["questions"]]
    return out


def _expected(q: dict, value: object) -> dict:
    fraction, outcome, note = scoring.credit(q, value)
    hint = scoring.misconception(q, value) if outcome in (scoring.WRONG, scoring.PARTIAL) else ""
    return {"credit": fraction, "outcome": str(outcome), "note": note, "misconception": hint}


def conformance_table() -> list[dict]:
    """Every case as {q, value, expected}, generated from scoring.py."""
    cases = []
    for q in [*SYNTHETIC, *_book_questions()]:
        q = json.loads(json.dumps(q))  # what the page's key holds
        for value in [*_answers(q), *EVERYWHERE]:
            if q["type"] != "numeric" and _integral_float(value):
                continue
            value = json.loads(json.dumps(value, ensure_ascii=False))
            cases.append({"q": q, "value": value, "expected": _expected(q, value)})
    return cases


def test_the_table_covers_every_type_and_outcome() -> None:
    cases = conformance_table()
    kinds = {c["q"]["type"] for c in cases}
    assert kinds == set(bank.TYPES), set(bank.TYPES) ^ kinds
    for kind in bank.TYPES:
        outcomes = {c["expected"]["outcome"] for c in cases if c["q"]["type"] == kind}
        want = {"blank", "invalid"} | ({"manual"} if kind == "written" else {"right", "wrong"})
        if kind in ("multiple", "ordering", "matching"):
            want.add("partial")
        assert want <= outcomes, (kind, want - outcomes)
    hints = {c["expected"]["misconception"] for c in cases}
    assert {"first-fit", "platform-note", "ant-note", "TF-note", "B-note"} <= hints


def test_the_whitespace_the_script_spells_out_is_pythons() -> None:
    """The script's whitespace class (JavaScript's \\s differs) is str.isspace's, as scoring says."""
    spaces = {chr(cp) for cp in range(sys.maxunicode + 1) if chr(cp).isspace()}
    assert set(scoring.WHITESPACE) == spaces
    line = re.search(r'^  var WS = "(.*)";$', JS.read_text(encoding="utf-8"), re.M)
    assert line, "casebook-quiz.js has no WS class"
    js_class = re.compile("[" + line.group(1).replace("\\\\", "\\") + "]")
    assert {chr(cp) for cp in range(sys.maxunicode + 1) if js_class.fullmatch(chr(cp))} == spaces


def test_the_drift_the_review_found_is_scored_the_python_way() -> None:
    """The cases where the browser used to differ, with the outcomes the grader gives."""
    by = {q["id"]: q for q in SYNTHETIC}
    assert _expected(by["n1"], "12 minutes")["outcome"] == "invalid"
    assert _expected(by["n1"], "１２")["outcome"] == "right"
    assert _expected(by["n1"], "6.1")["misconception"] == "first-fit"  # the first that fits
    assert _expected(by["n3"], "100000000.05")["misconception"] == "yi"  # slack grows with the value
    assert _expected(by["st1"], "Straße")["outcome"] == "wrong"
    assert scoring.normalize_text("STRASSE") == scoring.normalize_text("Straße")  # casefold


@pytest.fixture(scope="module")
def quiz_page():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed; `make setup` installs it")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox"], headless=True
        )
        pg = browser.new_page()
        pg.set_content("<!doctype html><html><body></body></html>")
        pg.add_script_tag(path=str(JS))
        yield pg
        browser.close()


@pytest.mark.slow
def test_browser_scores_every_case_like_the_grader(quiz_page) -> None:
    cases = conformance_table()
    got = quiz_page.evaluate(
        "(cases) => cases.map((c) => window.casebookQuiz.score(c.q, c.value))",
        [{"q": c["q"], "value": c["value"]} for c in cases],
    )
    diffs = [
        f"{c['q']['id']} ({c['q']['type']}) {json.dumps(c['value'], ensure_ascii=False)}: "
        f"python {c['expected']} browser {g}"
        for c, g in zip(cases, got, strict=True)
        if g != c["expected"]
    ]
    assert len(cases) > 1500
    assert not diffs, f"{len(diffs)} of {len(cases)} cases differ:\n" + "\n".join(diffs[:40])


@pytest.mark.slow
def test_browser_scorer_knows_every_type(quiz_page) -> None:
    assert sorted(quiz_page.evaluate("window.casebookQuiz.TYPES")) == sorted(bank.TYPES)
    assert sorted(quiz_page.evaluate("window.casebookQuiz.READ")) == sorted(bank.TYPES)


def _fold_table() -> dict[str, str]:
    table = {}
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        if 0xD800 <= cp < 0xE000 or unicodedata.normalize("NFKC", ch) != ch:
            continue
        if ch.casefold() != ch.lower():
            table[ch] = ch.casefold()
    return table


def test_the_scripts_casefold_table_is_pythons() -> None:
    text = JS.read_text(encoding="utf-8")
    match = re.search(r"^  var FOLD = (\{.*\});$", text, re.M)
    assert match, "casebook-quiz.js has no FOLD table"
    want = _fold_table()
    line = json.dumps(want, ensure_ascii=True, separators=(",", ":"))
    assert json.loads(match.group(1)) == want, f"replace the FOLD line with:\n  var FOLD = {line};"


@pytest.mark.slow
def test_browser_normalises_every_character_like_python(quiz_page) -> None:
    """normText against normalize_text on every assigned character, between two letters."""
    chars = [
        chr(cp)
        for cp in range(sys.maxunicode + 1)
        if not 0xD800 <= cp < 0xE000 and unicodedata.category(chr(cp)) not in ("Cn", "Co", "Cs")
    ]
    texts = ["x" + ch + "x" for ch in chars] + [ch for ch in chars]
    got = quiz_page.evaluate("(ts) => ts.map((t) => window.casebookQuiz.normText(t))", texts)
    diffs = [
        (f"U+{ord(t[1] if len(t) == 3 else t[0]):04X}", scoring.normalize_text(t), g)
        for t, g in zip(texts, got, strict=True)
        if scoring.normalize_text(t) != g
    ]
    assert not diffs, f"{len(diffs)} characters differ, e.g. {diffs[:20]}"


def _texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


@pytest.mark.slow
def test_browser_marks_chinese_like_the_book(quiz_page) -> None:
    """markZh (feedback written into the page) against lang.html_marked, on every string of the
    banks and on the edges of the rule: quotation marks, digits and spaces inside a run."""
    from casebook.edition.lang import html_marked

    texts = sorted(
        {t for b in bank.load_all(bank.discover()) for t in _texts(json.loads(b.model_dump_json()))}
    )
    texts += [
        "",
        "plain & <b>",
        "支付宝\"蚂蚁'森林",
        "1个月 and 2 个 月",
        "《中国企业家》 said “饿死也不做游戏” (P010).",
        "Ant's 花呗 & 借呗 <3",
        "全角，标点：（）！ and ＡＢＣ",
    ]
    got = quiz_page.evaluate("(ts) => ts.map((t) => window.casebookQuiz.markZh(t))", texts)
    diffs = [(t, html_marked(t), g) for t, g in zip(texts, got, strict=True) if html_marked(t) != g]
    assert len(texts) > 500
    assert not diffs, f"{len(diffs)} of {len(texts)} texts differ, e.g. {diffs[:5]}"
