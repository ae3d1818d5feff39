"""Shared fixtures: the project root and a scratch copy of the project for tests that edit files."""

from __future__ import annotations

import shutil
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
