"""Engine of the course: edition of the article, question banks, notebooks and grading.

``__version__`` is the package's only statement of its version: ``pyproject.toml``
reads it (``dynamic = ["version"]``), and the CLI, the exports and the Sphinx
extension report it.
"""

__version__ = "0.1.0"
