"""The edition as Sphinx sees it: loaded once per build from the project's data file."""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

from casebook.edition import Paragraph, by_id


def paragraphs(app: Sphinx) -> dict[str, Paragraph]:
    # The source dir is the project root (where _config.yml is).
    return by_id(Path(app.srcdir))


def anchor(pid: str) -> str:
    return pid.lower()
