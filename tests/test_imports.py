"""Imports flow one way: each subpackage imports only the stages below it.

The rule is stated in each subpackage's ``__init__`` docstring ("Imports: ...");
this test reads every module's imports (function-level ones too) with ``ast``
and fails on any import the table below does not allow. Nothing but the CLI
(and ``__main__``) imports ``casebook.cli``; nothing outside the Sphinx
extension imports ``casebook.sphinx``; ``quiz.scoring`` and ``quiz.layout``
import nothing of casebook at all.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

import casebook

PACKAGE = Path(casebook.__file__).parent
LEAVES = {"errors", "paths", "fileio", "roster", "__init__", "__main__"}
BELOW = {
    "leaf": {"leaf"},
    "edition": {"leaf", "edition"},
    "quiz": {"leaf", "edition", "quiz"},
    "grading": {"leaf", "edition", "quiz", "grading"},
    "review": {"leaf", "edition", "quiz", "grading", "review"},
    "lms": {"leaf", "edition", "quiz", "grading", "lms"},
    "report": {"leaf", "edition", "quiz", "grading", "review", "book", "report"},
    "book": {"leaf", "edition", "quiz", "book"},
    "sphinx": {"leaf", "edition", "quiz", "book", "sphinx"},
    "checks": {"leaf", "edition", "quiz", "grading", "review", "lms", "book", "checks"},
    "cli": {"leaf", "edition", "quiz", "grading", "review", "lms", "report", "book", "checks", "cli"},
}
SELF_CONTAINED = {"casebook.quiz.scoring", "casebook.quiz.layout"}


def _stage(module: str) -> str:
    """casebook.quiz.bank -> quiz; casebook.paths -> leaf; casebook -> leaf."""
    parts = module.split(".")
    if len(parts) == 1:
        return "leaf"
    head = parts[1]
    if head in LEAVES:
        return "cli" if head == "__main__" else "leaf"
    return head.removesuffix(".py")


def _name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every casebook import in the file, at any depth."""
    here = _name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "casebook"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = importlib.util.resolve_name("." * node.level + base, package)
            if base.split(".")[0] != "casebook":
                continue
            for alias in node.names:  # `from casebook import quiz` imports the subpackage
                full = f"{base}.{alias.name}"
                sub = PACKAGE.parent / full.replace(".", "/")
                out.append((node.lineno, full if sub.is_dir() or sub.with_suffix(".py").exists() else base))
    return out


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _name(p))
def test_imports_flow_one_way(path: Path) -> None:
    here = _name(path)
    stage = _stage(here)
    allowed = BELOW[stage]
    wrong = [f"line {line}: {target}" for line, target in _imports(path) if _stage(target) not in allowed]
    if here in SELF_CONTAINED:
        wrong += [
            f"line {line}: {target} (this module imports nothing of casebook)"
            for line, target in _imports(path)
        ]
    assert not wrong, f"{here} ({stage}) may import only {sorted(allowed)}: " + "; ".join(wrong)


def test_every_subpackage_states_its_import_rule() -> None:
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        if init.parent.name in ("cli",):
            assert "never imports this one" in doc, init
            continue
        assert "Imports:" in doc, f"{init.relative_to(PACKAGE)}: no 'Imports:' rule in its docstring"


def test_the_checker_sees_a_backward_import(tmp_path: Path) -> None:
    """The table is not vacuous: a quiz module importing grading is refused."""
    assert _stage("casebook.grading.pipeline") not in BELOW[_stage("casebook.quiz.bank")]
    assert _stage("casebook.cli") not in BELOW[_stage("casebook.book.standard")]
    assert _stage("casebook.sphinx.quiz") not in BELOW[_stage("casebook.checks")]
    found = _imports(PACKAGE / "quiz" / "notebooks.py")
    assert "casebook.quiz.layout" in {t for _, t in found}
