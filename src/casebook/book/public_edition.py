"""The public edition: the book for open hosting, without the article's text or translation.

The article is the copyright of *China Entrepreneur* (《中国企业家》) and its
author(s); the course carries it, with a translation, for teaching and
research. Whoever hosts the book openly builds this edition instead: the same
sources with ``casebook_public: true``, which the Sphinx extension
(``casebook.sphinx.public``) turns into a case page without the text, citations
without hover cards and passages limited to their quoted span. With
``student=True`` the instructor part and the quiz answers are left out as well.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from casebook import paths
from casebook.book.student_edition import read_sources, run_build, student_config, student_toc


def public_config(config: dict[str, Any]) -> dict[str, Any]:
    config = yaml.safe_load(yaml.safe_dump(config))  # deep copy
    config["title"] = f"{config.get('title', '')} (public edition)".strip()
    sphinx = config.setdefault("sphinx", {})
    sphinx.setdefault("config", {})["casebook_public"] = True
    return config


def build(
    root: Path | None = None, out: Path | None = None, strict: bool = True, student: bool = False
) -> Path:
    """Build the public edition into its own folder; return the folder of its HTML."""
    root = root or paths.project_root()
    out = (out or root / "_build" / "public").resolve()
    toc, config = read_sources(root)
    if student:
        toc, config = student_toc(toc), student_config(config)
    return run_build(root, toc, public_config(config), out, strict, "public edition")
