"""Accessibility (WCAG 2.1 A and AA) of everything a reader opens, checked in a real browser.

axe-core (``tests/vendor/axe-core``, see its README for version and licence)
runs in Debian's Chromium on every page of the book, of the student
edition and of the public edition, on a feedback page, a review sheet and its index, the item-analysis
page, the class report and the handout, with the rules tagged wcag2a, wcag2aa, wcag21a and
wcag21aa; any violation axe rates serious or critical fails, listed as
``rule  page  target``. The same pages are also checked for what axe does not
test: every Chinese character sits in an element whose language is Chinese
(WCAG 3.1.2), and nothing scrolls sideways at 320 CSS px (WCAG 1.4.10, which
is 1280 px at 400% zoom) or at 640 px (200% zoom).

The quiz is checked as a keyboard and screen-reader user meets it: names,
the live region, and where focus goes after Check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from casebook import edition
from casebook.book import handout
from casebook.edition.lang import has_chinese, html_marked, runs
from casebook.grading import demo, pages, pipeline
from casebook.quiz import bank
from casebook.report import classreport
from casebook.review import sheets

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
THEMES = ("bottom-up", "boundaries", "techfin")

# Text nodes with a CJK ideograph whose nearest lang is not Chinese. Script, style and the
# screen-reader-only live region's empty state aside, every such node is a finding.
UNMARKED_CHINESE = """() => {
  const cjk = /[\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff]/;
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const el = node.parentElement;
    if (!el || el.closest("script, style, noscript, template") || !cjk.test(node.data)) { continue; }
    const tagged = el.closest("[lang]");
    if (!tagged || !/^zh/i.test(tagged.getAttribute("lang"))) {
      out.push(el.tagName.toLowerCase() + "." + el.className + ": " + node.data.trim().slice(0, 30));
    }
  }
  return out;
}"""
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


# --- the rule that marks Chinese (fast) -------------------------------------------------------


def test_chinese_runs_join_back_and_take_their_punctuation() -> None:
    text = "the magazine 《中国企业家》 said 1个月, and “饿死也不做游戏” (P010)."
    pieces = list(runs(text))
    assert "".join(p for _, p in pieces) == text
    assert [p for zh, p in pieces if zh] == ["《中国企业家》", "个月", "饿死也不做游戏"]
    assert not has_chinese("P042 and TechFin") and has_chinese("蚂蚁")
    assert html_marked("a<b 支付宝") == 'a&lt;b <span lang="zh-Hans">支付宝</span>'
    assert html_marked("a<b & \"c\" 'd'") == "a&lt;b &amp; &quot;c&quot; &#x27;d&#x27;"
    assert html_marked("") == ""


def test_feedback_marks_a_chinese_answer_and_comment(tmp_path: Path) -> None:
    b = bank.load(Path(__file__).parent / "data" / "written.yml")
    quiz = pages.prepare(b, edition.by_id())
    n = len(quiz["questions"])
    row = {
        "name": "王小明",
        "student": "s1",
        "score": "1",
        "notes": [],
        "outcomes": ["wrong"] * n,
        "credits": [0.0] * n,
        "shown": ["支付宝 is the answer"] * n,
        "reasons": [""] * n,
        "hints": [""] * n,
    }
    page = pages.feedback_html(row, quiz, reveal=True)
    assert '<strong><span lang="zh-Hans">王小明</span></strong>' in page
    assert '<pre><span lang="zh-Hans">支付宝</span> is the answer</pre>' in page
    assert "<title>" in page and "<title><span" not in page.split("</title>")[0]


def test_review_sheet_marks_a_chinese_answer_and_keeps_attributes_plain(tmp_path: Path) -> None:
    q = {
        "id": "bu-w01",
        "n": 3,
        "points": 4,
        "prompt": "Why did 蚂蚁森林 grow?",
        "rubric": [
            {
                "criterion": "evidence",
                "max": 4,
                "description": "cites 段落",
                "levels": [{"points": 4, "label": "strong", "description": "引用 two paragraphs"}],
            }
        ],
    }
    entries = [
        sheets.Entry(
            "s1", "李雷", "S1", "answered", "它增长很快 because of 中台", "a1", 5, False, anchor="S1"
        )
    ]
    page = sheets.sheet_html(
        sheets.Sheet({"title": "Bottom-up"}, q, entries, []), True, tmp_path / "bu-w01-scores.csv", tmp_path
    )
    zh = '<span lang="zh-Hans">'
    assert f'<div class="text">{zh}它增长很快</span> because of {zh}中台</span></div>' in page
    assert 'id="S1"' in page and '<span lang="zh-Hans">引用</span> two paragraphs' in page
    assert '<aside tabindex="0" aria-labelledby="rubric">' in page


def test_handout_marks_the_magazine_name() -> None:
    page = handout.page([], "both")
    assert '<span lang="zh-Hans">《中国企业家》</span>' in page


# --- pages in a browser (slow) -----------------------------------------------------------------


def _pages(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*.html")):
        rel = path.relative_to(folder).parts
        if rel[0] in ("_static", "_sources", "_images"):
            continue
        if path.name == "index.html" and 'http-equiv="Refresh"' in path.read_text(encoding="utf-8"):
            continue  # the redirect to intro.html, which is audited itself
        yield path


# The theme applies the stored colour mode while the page loads, and Bootstrap's buttons carry a
# 0.15 s colour transition: until it ends, the search button's text is measured half-way
# between modes (black on the dark surface, 1.1:1). The reader sees the colours it ends on, so
# the audit waits for every running CSS transition to finish first.
SETTLE = """async () => {
  const running = document.getAnimations().filter((a) => a instanceof CSSTransition);
  await Promise.all(running.map((a) => a.finished.catch(() => null)));
}"""


def _axe(page) -> list[dict]:
    page.evaluate(SETTLE)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def audit(browser, files: list[tuple[str, Path]]) -> list[str]:
    """Every finding on these pages, one line each: what, which page, where."""
    findings: list[str] = []
    desktop = browser.new_context(viewport={"width": 1280, "height": 900})
    narrow = {w: browser.new_context(viewport={"width": w, "height": 800}) for w in (320, 640)}
    try:
        for context in (desktop, *narrow.values()):
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
        page = desktop.new_page()
        for label, path in files:
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            for v in _axe(page):
                findings += [
                    f"{v['id']} ({v['impact']})  {label}  {' '.join(map(str, node['target']))}"
                    for node in v["nodes"]
                ]
            findings += [f"chinese-without-lang  {label}  {text}" for text in page.evaluate(UNMARKED_CHINESE)]
        for width, context in narrow.items():
            small = context.new_page()
            for label, path in files:
                small.goto(path.as_uri())
                small.wait_for_load_state("load")
                over = small.evaluate(OVERFLOW)
                if over > 0:
                    findings.append(f"horizontal-scroll  {label}  {over}px wider than {width}px")
    finally:
        desktop.close()
        for context in narrow.values():
            context.close()
    return findings


@pytest.fixture(scope="module")
def graded_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A demo class graded with plots, its review sheets, its class report and the handout."""
    out = tmp_path_factory.mktemp("a11y")
    klass = demo.make_class(out / "class", students=8, seed=5, banks=[bank.load(p) for p in bank.discover()])
    pipeline.grade_paths([klass], out / "graded", jobs=1, feedback=("html",))
    sheets.review(out / "graded", out / "review")
    report = classreport.class_report(out / "graded", out / "report")
    (hand,) = handout.write(out / "handout", pdf=False)
    feedback = sorted((out / "graded" / "feedback").glob("*.html"))
    review = sorted(p for p in (out / "review").glob("*.html") if p.name != "index.html")
    return {
        "feedback page": feedback[0],
        "review sheet": review[0],
        "review index": out / "review" / "index.html",
        "item analysis": out / "graded" / "analysis.html",
        "class report": report.quizzes[0].page,
        "handout": hand,
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fixture", "least"),
    [("html", 15), ("student_html", 11), ("public_html", 11)],
    ids=["book", "student", "public"],
)
def test_book_meets_wcag_aa(browser, request: pytest.FixtureRequest, fixture: str, least: int) -> None:
    """Every page of the book, the student edition and the public one (each built once per session)."""
    folder = request.getfixturevalue(fixture)
    files = [(f"{fixture}/{p.relative_to(folder)}", p) for p in _pages(folder)]
    assert len(files) >= least
    findings = audit(browser, files)
    assert not findings, "\n" + "\n".join(findings)


@pytest.mark.slow
def test_graded_pages_and_handout_meet_wcag_aa(browser, graded_pages: dict[str, Path]) -> None:
    """A feedback page, a review sheet and its index, the item analysis, a class report, the handout."""
    assert all(p.exists() for p in graded_pages.values()), graded_pages
    assert '<img src="plots/' in graded_pages["item analysis"].read_text(encoding="utf-8")
    findings = audit(browser, list(graded_pages.items()))
    assert not findings, "\n" + "\n".join(findings)


@pytest.mark.slow
def test_title_in_the_sidebar_is_not_covered(browser, html: Path, student_html: Path) -> None:
    """At 1280 px the book's title in the left column shows whole, under nothing."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        for folder in (html, student_html):
            page.goto((folder / "chapters" / "start.html").as_uri())
            page.wait_for_load_state("load")
            hidden = page.evaluate("""() => {
              const title = document.querySelector(".bd-sidebar-primary .navbar-brand .logo__title");
              if (!title) { return ["no title"]; }
              const r = title.getBoundingClientRect(), out = [];
              for (const [x, y] of [[r.left + 2, r.top + 2], [r.right - 2, r.top + 2],
                                    [r.left + 2, r.bottom - 2], [r.right - 2, r.bottom - 2]]) {
                const hit = document.elementFromPoint(x, y);
                if (!hit || !(title.contains(hit) || hit.contains(title))) {
                  out.push(`(${x}, ${y}) shows ${hit ? hit.className : "nothing"}`);
                }
              }
              if (title.scrollHeight > title.clientHeight + 1) { out.push("title clipped"); }
              return out;
            }""")
            assert not hidden, (folder, hidden)
    finally:
        context.close()


def _open_quiz(browser, html: Path, slug: str, mode: str = "light"):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # pydata-sphinx-theme keeps the reader's colour mode in localStorage["mode"].
    context.add_init_script(f"localStorage.setItem('mode', '{mode}')")
    page = context.new_page()
    page.goto((html / "chapters" / f"{slug}.html").as_uri())
    page.wait_for_load_state("load")
    return context, page


@pytest.mark.slow
def test_pages_in_dark_mode_meet_wcag_aa(browser, html: Path) -> None:
    """The theme's dark mode changes the colours the project's CSS sits on: case page and glossary."""
    found = []
    for slug in ("case", "glossary", "references"):
        context, page = _open_quiz(browser, html, slug, "dark")
        try:
            assert page.evaluate("document.documentElement.dataset.theme") == "dark"
            found += [f"{v['id']}  {slug} (dark)  {n['target']}" for v in _axe(page) for n in v["nodes"]]
        finally:
            context.close()
    assert not found, found


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("slug", THEMES)
def test_quiz_with_feedback_shown_meets_wcag_aa(browser, html: Path, slug: str, mode: str) -> None:
    """Every question checked (answered or not): the feedback passes axe too, in both colour modes."""
    context, page = _open_quiz(browser, html, slug, mode)
    try:
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        sections = page.locator(f"#quiz-{slug} section.cbq")
        for i in range(sections.count()):
            section = sections.nth(i)
            first = section.locator("input[type=radio], input[type=checkbox]").first
            if first.count():
                first.check()
            section.locator(".cbq-check").click()
        assert page.locator(f"#quiz-{slug} .cbq-verdict").count() == sections.count()
        found = [f"{v['id']}  {slug} ({mode})  {n['target']}" for v in _axe(page) for n in v["nodes"]]
        found += page.evaluate(UNMARKED_CHINESE)
        assert not found, found
    finally:
        context.close()


@pytest.mark.slow
def test_quiz_keyboard_focus_and_live_region(browser, html: Path) -> None:
    context, page = _open_quiz(browser, html, "bottom-up")
    try:
        quiz = page.locator("#quiz-bottom-up")
        live = quiz.locator(".cbq-announce")
        assert live.get_attribute("role") == "status" and live.get_attribute("aria-live") == "polite"
        single = quiz.locator('section.cbq[data-type="single"]').first
        title = single.locator(".cbq-title").text_content().split("·")[0].strip()

        # Nothing answered: focus goes back to the question's first control, the live region says why.
        single.locator(".cbq-check").focus()
        page.keyboard.press("Enter")
        first_input = single.locator("input").first
        assert first_input.evaluate("el => el === document.activeElement")
        page.wait_for_function("el => el.textContent.length > 0", arg=live.element_handle())
        assert live.text_content() == f"{title}: Answer the question first."

        # Answered: focus moves to the feedback, with a visible outline; the verdict and score are said.
        page.keyboard.press("Space")
        single.locator(".cbq-check").focus()
        page.keyboard.press("Enter")
        feedback = single.locator(".cbq-feedback")
        assert feedback.evaluate("el => el === document.activeElement")
        style = feedback.evaluate(
            "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth]; }"
        )
        assert style[0] != "none" and float(style[1].rstrip("px")) >= 2, style
        page.wait_for_function("el => /Score/.test(el.textContent)", arg=live.element_handle())
        said = live.text_content()
        verdict = rf"{re.escape(title)}: (Right\.|Not right\.) Score: [\d.]+ of [\d.]+ points"
        assert re.match(verdict, said), said

        # Every control has a name.
        names = page.evaluate("""() => Array.from(document.querySelectorAll(
            '#quiz-bottom-up button, #quiz-bottom-up select')).map(b => b.getAttribute('aria-label')
            || (b.closest('label') || {}).textContent || b.textContent)""")
        assert names and all(n and n.strip() for n in names)
    finally:
        context.close()


@pytest.mark.slow
def test_every_question_type_meets_wcag_aa_and_a_move_is_said(browser, tmp_path: Path) -> None:
    """The sample bank has every question type, whatever the chapters' banks use today: its quiz,
    rendered by the book's directive code with the book's script, passes axe before and after
    Check, and an ordering item moved with the keyboard keeps focus and is announced."""
    from casebook.sphinx import quiz as quiz_html

    sample = bank.load(Path(__file__).parent / "data" / "sample.yml")
    static = Path(quiz_html.__file__).parent / "static"
    body = quiz_html.render(sample, bank.answer_key(sample), "case.html", edition.by_id(), reveal=True)
    page_file = tmp_path / "quiz.html"
    page_file.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Quiz</title>'
        f'<link rel="stylesheet" href="{(static / "casebook.css").as_uri()}"></head><body><main>'
        f'<h1>Quiz</h1>{body}</main><script src="{(static / "casebook-quiz.js").as_uri()}"></script>'
        "</body></html>",
        encoding="utf-8",
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        kinds = set(page.eval_on_selector_all("section.cbq", "s => s.map(x => x.dataset.type)"))
        assert {"single", "multiple", "true_false", "numeric", "ordering", "matching", "short_text"} <= kinds
        live = page.locator(".cbq-announce")
        second = page.locator(".cbq-order").first.locator(".cbq-item").nth(1)
        item = second.locator(".cbq-item-text").text_content().strip()
        up = second.locator(".cbq-up").element_handle()  # the button itself, wherever it moves
        assert up.get_attribute("aria-label") == f"Move up: {item}"
        up.focus()
        page.keyboard.press("Enter")
        assert up.evaluate("el => el === document.activeElement"), "focus left the moved item"
        assert up.evaluate("el => el.closest('li').previousElementSibling === null")
        page.wait_for_function("el => /position/.test(el.textContent)", arg=live.element_handle())
        count = page.locator(".cbq-order").first.locator(".cbq-item").count()
        assert live.text_content() == f"{item}: position 1 of {count}."
        found = [f"{v['id']}  before Check  {n['target']}" for v in _axe(page) for n in v["nodes"]]
        for check in page.locator(".cbq-check").all():
            check.click()
        found += [f"{v['id']}  after Check  {n['target']}" for v in _axe(page) for n in v["nodes"]]
        assert not found, found
    finally:
        context.close()


# --- the book extension's markup fixes (fast) ---------------------------------------------------


def test_chinese_in_a_doctree_is_marked_but_not_in_code_or_marked_blocks() -> None:
    from docutils import nodes
    from docutils.core import publish_doctree

    from casebook.sphinx import a11y

    doc = publish_doctree("The magazine 《中国企业家》 and ``代码``.\n\n.. note:: 支付宝\n")
    marked = nodes.paragraph()
    marked[a11y.LANG] = "zh-Hans"
    marked += nodes.Text("蚂蚁金服")
    english = nodes.paragraph("", "Translator's note: 花名 (huaming)", classes=["language-en"])
    doc += [marked, english]
    assert a11y.mark_chinese(doc) == 3
    spans = [n for n in doc.findall(nodes.inline) if a11y.ZH_CLASS in n["classes"]]
    assert [n.astext() for n in spans] == ["《中国企业家》", "支付宝", "花名"]
    assert a11y.ZH_CLASS in marked["classes"] and a11y.LANG not in marked.attributes
    assert next(doc.findall(nodes.literal)).astext() == "代码"  # code keeps its text as written


def test_icon_only_toggles_get_a_name() -> None:
    from bs4 import BeautifulSoup

    from casebook.sphinx import a11y

    soup = BeautifulSoup(
        '<ul><li class="has-children"><a href="x.html">Teaching note</a><details><summary>'
        '<span class="toctree-toggle" role="presentation"><i></i></span></summary></details></li>'
        "<li><details><summary>Named</summary></details></li></ul>",
        "html.parser",
    )
    a11y.name_toggles(soup)
    summaries = soup.find_all("summary")
    assert summaries[0].get_text(strip=True) == "Sections of Teaching note"
    assert summaries[1].get_text(strip=True) == "Named"


def test_code_blocks_in_a_page_have_their_chinese_marked() -> None:
    from casebook.sphinx import a11y

    context = {"body": '<p>x</p><pre><span class="s2">"蚂蚁森林 users"</span></pre>'}
    a11y.mark_code(None, "p", "page.html", context, None)  # type: ignore[arg-type]
    assert context["body"] == (
        '<p>x</p><pre><span class="s2">"<span lang="zh-Hans">蚂蚁森林</span> users"</span></pre>'
    )
