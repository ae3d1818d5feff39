"""Where the project's files live.

Tools run from the project root, from a sub-folder, or from a notebook inside
``exercises/``; they all find the same root by walking up to ``_config.yml``.
``CASEBOOK_ROOT`` overrides the search for tests and for out-of-tree use.
"""

from __future__ import annotations

import os
from pathlib import Path

SEED_NAME = "000_fe77c5f8a7169b59.txt"


def project_root(start: Path | None = None) -> Path:
    env = os.environ.get("CASEBOOK_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "_config.yml").is_file() and (candidate / "seeds").is_dir():
            return candidate
    # Installed in development mode: src/casebook/paths.py -> project root.
    return Path(__file__).resolve().parents[2]


def seeds_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "seeds"


def seed_file(root: Path | None = None) -> Path:
    return seeds_dir(root) / SEED_NAME


def edition_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "edition"


def edition_file(root: Path | None = None) -> Path:
    return edition_dir(root) / "edition.json"


def exercises_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "exercises"
