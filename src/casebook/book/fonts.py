"""A CJK font for matplotlib, found at run time.

Without one, Chinese labels render as empty boxes and matplotlib writes a
"missing glyph" warning to stderr, which fails a ``-W`` book build. Failing
early with the package to install is kinder than a page full of boxes.
"""

from __future__ import annotations

from functools import lru_cache

from casebook.errors import CasebookError

CANDIDATES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Noto Sans SC", "Source Han Sans SC")


@lru_cache(maxsize=1)
def cjk_family() -> str:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in CANDIDATES:
        if name in names:
            return name
    # A font installed after matplotlib built its cache is invisible until the cache is rebuilt.
    # A private function, but the only way to rebuild the cache in place (matplotlib has no
    # public one); a new FontManager would not be the one pyplot uses.
    font_manager._load_fontmanager(try_read_cache=False)  # type: ignore[attr-defined]
    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in CANDIDATES:
        if name in names:
            return name
    raise CasebookError(
        "no CJK font for Chinese labels: install the Debian package fonts-noto-cjk (make setup does)"
    )


def use_cjk() -> str:
    """Make the CJK font the default sans-serif family, keeping DejaVu for Latin glyphs."""
    import matplotlib as mpl

    family = cjk_family()
    mpl.rcParams["font.family"] = "sans-serif"
    mpl.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
    mpl.rcParams["axes.unicode_minus"] = False
    return family
