"""The student edition: the same book without the instructor part or quiz answers.

It is built from the same sources with two derived files: a table of
contents without the instructor pages, and a configuration that excludes them
and turns the quizzes' answer keys off (``casebook_quiz_reveal: false``).
Nothing is copied, so the two editions cannot drift apart.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from casebook import paths
from casebook.errors import CasebookError

INSTRUCTOR = "chapters/instructor/"


def _is_instructor(entry: dict) -> bool:
    return str(entry.get("file", "")).startswith(INSTRUCTOR)


def _prune(entries: list[dict]) -> list[dict]:
    out = []
    for entry in entries:
        if _is_instructor(entry):
            continue
        entry = dict(entry)
        for key in ("sections", "chapters"):
            if key in entry:
                entry[key] = _prune(entry[key])
        out.append(entry)
    return out


def student_toc(toc: dict[str, Any]) -> dict[str, Any]:
    toc = dict(toc)
    if "parts" in toc:
        parts = []
        for part in toc["parts"]:
            chapters = _prune(part.get("chapters", []))
            if chapters:
                parts.append({**part, "chapters": chapters})
        toc["parts"] = parts
    if "chapters" in toc:
        toc["chapters"] = _prune(toc["chapters"])
    return toc


def student_config(config: dict[str, Any]) -> dict[str, Any]:
    config = yaml.safe_load(yaml.safe_dump(config))  # deep copy
    config["title"] = f"{config.get('title', '')} (student edition)".strip()
    config["exclude_patterns"] = [*config.get("exclude_patterns", []), f"{INSTRUCTOR}*"]
    sphinx = config.setdefault("sphinx", {})
    sphinx.setdefault("config", {})["casebook_quiz_reveal"] = False
    return config


def read_sources(root: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The book's table of contents and configuration, as data."""
    try:
        toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
        config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CasebookError(f"{root}: cannot read _toc.yml or _config.yml ({exc})") from None
    return toc, config


def run_build(
    root: Path, toc: dict[str, Any], config: dict[str, Any], out: Path, strict: bool, what: str
) -> Path:
    """Build the book from derived toc and config files into ``out``; return its HTML folder."""
    with tempfile.TemporaryDirectory(prefix="casebook-edition-") as tmp:
        toc_path = Path(tmp) / "_toc.yml"
        config_path = Path(tmp) / "_config.yml"
        toc_path.write_text(yaml.safe_dump(toc, allow_unicode=True), encoding="utf-8")
        config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        jb = Path(sys.executable).with_name("jupyter-book")
        cmd = [
            str(jb),
            "build",
            str(root),
            "--toc",
            str(toc_path),
            "--config",
            str(config_path),
            "--path-output",
            str(out),
        ]
        if strict:
            cmd += ["-W", "-n", "--keep-going"]
        run = subprocess.run(cmd, cwd=root)
    if run.returncode != 0:
        raise CasebookError(f"{what} failed to build (exit {run.returncode}); see above")
    return out / "_build" / "html"


def build(root: Path | None = None, out: Path | None = None, strict: bool = True) -> Path:
    """Build the student edition; return the folder of its HTML."""
    root = root or paths.project_root()
    out = (out or root / "_build" / "student").resolve()
    toc, config = read_sources(root)
    return run_build(root, student_toc(toc), student_config(config), out, strict, "student edition")
