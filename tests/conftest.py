"""Shared fixtures: the project root and a scratch copy of the project for tests that edit files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The data a build of the edition needs, copied so a test may break it."""
    dst = tmp_path / "project"
    dst.mkdir()
    for name in ("seeds", "edition", "chapters"):
        shutil.copytree(ROOT / name, dst / name)
    for name in ("_config.yml", "_toc.yml", "intro.md"):
        shutil.copy2(ROOT / name, dst / name)
    return dst


@pytest.fixture(scope="session")
def html(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full book, built once per test session with -W (warnings are errors)."""
    out = tmp_path_factory.mktemp("book")
    jb = Path(sys.executable).with_name("jupyter-book")
    run = subprocess.run(
        [str(jb), "build", str(root), "--path-output", str(out), "-W", "-n", "--keep-going"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert "build succeeded" in run.stdout
    return out / "_build" / "html"


@pytest.fixture(scope="session")
def student_html(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The student edition, built once per test session with -W."""
    from casebook.book import student_edition

    return student_edition.build(root, out=tmp_path_factory.mktemp("student"))


@pytest.fixture(scope="session")
def public_html(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The public edition, built once per test session with -W (warnings are errors)."""
    from casebook.book import public_edition

    return public_edition.build(root, tmp_path_factory.mktemp("public"), strict=True)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, one per test module.

    Not one per session: Playwright's sync API runs an event loop while it is open, and a test
    that starts its own (as the review sheet's does) cannot start another inside it.
    """
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed; `make setup` installs it")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


# Fixtures that build a book or start a browser: a test using one belongs to the slow tier,
# so `make test-fast` never waits for them. Collection stops if such a test is not marked.
HEAVY_FIXTURES = {"html", "student_html", "public_html", "browser", "quiz_page"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unmarked = [
        item.nodeid
        for item in items
        if HEAVY_FIXTURES & set(getattr(item, "fixturenames", ())) and item.get_closest_marker("slow") is None
    ]
    if unmarked:
        raise pytest.UsageError(
            "mark these tests @pytest.mark.slow (they build the book or drive "
            "a browser): " + ", ".join(unmarked)
        )
