"""The interactive quizzes in a real browser: Debian's Chromium driven by Playwright.

Each chapter quiz is answered once right and once wrong with the keyboard
alone; the feedback each shows is checked, a screenshot of each quiz page is
saved under ``_build/screenshots`` (desktop and phone width), and every
request that is not a local file is refused and reported: the quiz must work
with no network.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casebook.quiz import bank, scoring

pytestmark = pytest.mark.slow

THEMES = ("bottom-up", "boundaries", "techfin")


def _open(browser, url: str, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    external: list[str] = []

    def guard(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_load_state("load")
    return context, page, external, errors


def _choose_with_keyboard(page, section, value: str) -> None:
    """Focus the option's input and select it with the space bar, then check with Enter."""
    section.locator(f'input[value="{value}"]').focus()
    page.keyboard.press("Space")
    section.locator(".cbq-check").focus()
    page.keyboard.press("Enter")


@pytest.mark.parametrize("slug", THEMES)
def test_quiz_answers_right_and_wrong(browser, html: Path, root: Path, slug: str) -> None:
    page_file = html / "chapters" / f"{slug}.html"
    assert page_file.exists(), f"no chapter page {page_file.name}"
    context, page, external, errors = _open(browser, page_file.as_uri(), 1280, 900)
    try:
        key = json.loads(page.locator(f"#quiz-{slug} script.cbq-key").text_content())["questions"]
        singles = page.locator('section.cbq[data-type="single"]')
        assert singles.count() >= 2, "the quiz needs two single-choice questions for this test"

        right = singles.nth(0)
        q = key[right.get_attribute("data-qid")]
        _choose_with_keyboard(page, right, q["answer"])
        feedback = right.locator(".cbq-feedback")
        assert feedback.locator(".cbq-verdict").text_content().strip() == "Right."
        assert right.get_attribute("data-state") == "right"
        evidence = feedback.locator(".cbq-source a").first
        assert evidence.get_attribute("href").startswith("case.html#p")

        wrong = singles.nth(1)
        q2 = key[wrong.get_attribute("data-qid")]
        bad = next(k for k in q2["options"] if k != q2["answer"])
        _choose_with_keyboard(page, wrong, bad)
        feedback2 = wrong.locator(".cbq-feedback")
        assert feedback2.locator(".cbq-verdict").text_content().strip() == "Not right."
        assert q2["misconceptions"][bad] in feedback2.locator(".cbq-misconception").text_content()
        assert feedback2.locator(".cbq-right").count() == 1

        summary = page.locator(f"#quiz-{slug} .cbq-summary")
        assert summary.locator(".cbq-done").text_content() == "2"
        assert float(summary.locator(".cbq-score").text_content()) == pytest.approx(q["points"])

        shots = root / "_build" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.locator(f"#quiz-{slug}").screenshot(path=str(shots / f"{slug}-quiz-desktop.png"))
        assert not errors, errors
        assert not external, f"the page tried to reach the network: {external[:3]}"
    finally:
        context.close()


@pytest.mark.parametrize("slug", THEMES)
def test_quiz_fits_a_phone(browser, html: Path, root: Path, slug: str) -> None:
    context, page, external, errors = _open(browser, (html / "chapters" / f"{slug}.html").as_uri(), 390, 844)
    try:
        quiz = page.locator(f"#quiz-{slug}")
        quiz.scroll_into_view_if_needed()
        overflow = page.evaluate(
            "(id) => { const q = document.getElementById(id); return q.scrollWidth - q.clientWidth; }",
            f"quiz-{slug}",
        )
        assert overflow <= 1, f"the quiz is {overflow}px wider than a phone screen"
        shots = root / "_build" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.locator(f"#quiz-{slug} section.cbq").first.screenshot(path=str(shots / f"{slug}-quiz-phone.png"))
        assert not errors and not external
    finally:
        context.close()


def _verdict(q: dict, value: object) -> str:
    """The verdict line the page must show for value: the grader's own scoring, worded."""
    fraction, outcome, note = scoring.credit(q, value)
    if outcome == "invalid":
        return f"This answer cannot be read: {note}."
    if fraction >= 1:
        return "Right."
    return f"Partly right ({round(fraction * 100)}% of the points)." if fraction > 0 else "Not right."


def _answer_otherwise(page, section, q: dict) -> list[object]:
    """Answer q in ways that are not simply right; the values the page will hold, in order."""
    kind, check = q["type"], section.locator(".cbq-check")
    values: list[object] = []
    if kind == "single":
        bad = next(k for k in q["options"] if k != q["answer"])
        section.locator(f'input[value="{bad}"]').check()
        values.append(bad)
    elif kind == "multiple":
        wrong = [k for k in q["options"] if k not in q["answer"]][:1]
        for key in q["answer"][:1] + wrong:
            section.locator(f'input[value="{key}"]').check()
        values.append(q["answer"][:1] + wrong)
    elif kind == "true_false":
        section.locator(f'input[value="{"false" if q["answer"] else "true"}"]').check()
        values.append("false" if q["answer"] else "true")
    elif kind == "numeric":
        for text in (f"{q['value']:g} units", repr(q["value"] + q["tolerance"] + 1)):
            section.locator(".cbq-input").fill(text)
            values.append(text)
            if len(values) == 1:
                check.click()
                assert section.locator(".cbq-verdict").text_content() == _verdict(q, text)
    elif kind == "short_text":
        for text in (f"{q['answer']} (gloss)", "zz-not-an-answer"):
            section.locator(".cbq-input").fill(text)
            values.append(text)
            if len(values) == 1:
                check.click()
                assert section.locator(".cbq-verdict").text_content() == _verdict(q, text)
    elif kind == "ordering":
        section.locator(".cbq-down").first.click()
        values.append([li.get_attribute("data-key") for li in section.locator(".cbq-item").all()])
    elif kind == "matching":
        for select in section.locator(".cbq-select").all():
            select.select_option(index=1)
        values.append(
            {sel.get_attribute("data-key"): sel.input_value() for sel in section.locator(".cbq-select").all()}
        )
    check.click()
    return values


def test_every_question_type_gives_the_graders_verdict(browser, html: Path) -> None:
    """Every question of every quiz answered not-quite-right: the verdict is the grader's."""
    seen, present = set(), set()
    for slug in THEMES:
        context, page, _external, errors = _open(
            browser, (html / "chapters" / f"{slug}.html").as_uri(), 1280, 900
        )
        try:
            key = json.loads(page.locator(f"#quiz-{slug} script.cbq-key").text_content())["questions"]
            present |= {q["type"] for q in key.values()}
            sections = page.locator(f"#quiz-{slug} section.cbq")
            for i in range(sections.count()):
                section = sections.nth(i)
                q = key[section.get_attribute("data-qid")]
                value = _answer_otherwise(page, section, q)[-1]
                verdict = section.locator(".cbq-verdict").text_content()
                assert verdict == _verdict(q, value), (q["id"], value)
                hint = scoring.misconception(q, value) if verdict != "Right." else ""
                if hint:
                    assert hint in section.locator(".cbq-misconception").text_content(), q["id"]
                seen.add(q["type"])
            assert not errors, errors
        finally:
            context.close()
    # Every type the quizzes use was answered; written answers are not checked in the browser
    # (tests/test_conformance.py covers every type of the registry without the book).
    assert seen == present and len(seen) >= 5, present - seen
    assert "written" not in seen and seen <= set(bank.TYPES)


def _answer_right(section, q: dict) -> None:
    kind = q["type"]
    if kind == "single":
        section.locator(f'input[value="{q["answer"]}"]').check()
    elif kind == "multiple":
        for key in q["answer"]:
            section.locator(f'input[value="{key}"]').check()
    elif kind == "true_false":
        section.locator(f'input[value="{"true" if q["answer"] else "false"}"]').check()
    elif kind == "numeric":
        section.locator(".cbq-input").fill(repr(q["value"]))
    elif kind == "short_text":
        section.locator(".cbq-input").fill(q["answer"])
    elif kind == "ordering":
        for position, key in enumerate(q["answer"]):
            item = section.locator(f'.cbq-item[data-key="{key}"]')
            while item.evaluate("li => Array.from(li.parentNode.children).indexOf(li)") > position:
                item.locator(".cbq-up").click()
    elif kind == "matching":
        for left, right in q["answer"].items():
            section.locator(f'.cbq-select[data-key="{left}"]').select_option(right)


@pytest.mark.parametrize("slug", THEMES)
def test_every_question_answered_right_scores_full_marks(browser, html: Path, slug: str) -> None:
    url = (html / "chapters" / f"{slug}.html").as_uri()
    context, page, external, errors = _open(browser, url, 1280, 900)
    try:
        key = json.loads(page.locator(f"#quiz-{slug} script.cbq-key").text_content())["questions"]
        sections = page.locator(f"#quiz-{slug} section.cbq")
        assert sections.count() == len(key) >= 15
        for i in range(sections.count()):
            section = sections.nth(i)
            q = key[section.get_attribute("data-qid")]
            _answer_right(section, q)
            section.locator(".cbq-check").click()
            verdict = section.locator(".cbq-verdict").text_content()
            assert verdict == "Right.", (q["id"], q["type"], verdict)
        summary = page.locator(f"#quiz-{slug} .cbq-summary")
        assert float(summary.locator(".cbq-score").text_content()) == pytest.approx(
            float(summary.get_attribute("data-max"))
        )
        assert not errors and not external
    finally:
        context.close()


def test_case_language_switch_keeps_the_place(browser, html: Path) -> None:
    url = (html / "chapters" / "case.html").as_uri() + "#p042"
    context, page, external, errors = _open(browser, url, 1280, 900)
    try:
        zh = page.locator("#p042 .case-zh")
        en = page.locator("#p042 .case-en")
        assert zh.is_visible() and en.is_visible()
        page.locator(".case-switch-en").focus()
        page.keyboard.press("Enter")
        assert en.is_visible() and not zh.is_visible()
        top = page.evaluate("document.getElementById('p042').getBoundingClientRect().top")
        assert -5 < top < 900, "the paragraph being read left the screen"
        page.reload()
        assert not page.locator("#p042 .case-zh").is_visible(), "the language choice was not kept"
        page.locator(".case-switch-zh").click()
        assert zh.is_visible() and not en.is_visible()
        assert not errors and not external
    finally:
        context.close()
