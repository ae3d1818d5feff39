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


def test_every_question_type_gives_feedback(browser, html: Path) -> None:
    """Ordering, matching, numeric and short text: answer each and get a verdict."""
    seen, present = set(), set()
    for slug in THEMES:
        context, page, _external, errors = _open(
            browser, (html / "chapters" / f"{slug}.html").as_uri(), 1280, 900
        )
        try:
            present |= set(page.eval_on_selector_all("section.cbq", "s => s.map(x => x.dataset.type)"))
            for kind in ("multiple", "true_false", "numeric", "ordering", "matching", "short_text"):
                section = page.locator(f'section.cbq[data-type="{kind}"]').first
                if section.count() == 0:
                    continue
                if kind == "multiple":
                    section.locator("input").first.check()
                elif kind == "true_false":
                    section.locator('input[value="true"]').check()
                elif kind in ("numeric", "short_text"):
                    section.locator(".cbq-input").fill("1")
                elif kind == "ordering":
                    section.locator(".cbq-down").first.click()
                elif kind == "matching":
                    for select in section.locator(".cbq-select").all():
                        select.select_option(index=1)
                section.locator(".cbq-check").click()
                verdict = section.locator(".cbq-verdict").text_content()
                assert verdict.startswith(("Right.", "Partly right", "Not right.")), (slug, kind, verdict)
                seen.add(kind)
            assert not errors, errors
        finally:
            context.close()
    # Every kind the chapters' banks use today (the sample bank's page covers the others,
    # tests/test_a11y.py), and at least these.
    assert present - {"single"} <= seen and {"multiple", "numeric", "short_text"} <= seen


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
