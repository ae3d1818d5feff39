"""The one exception type a user is meant to see.

Every mistake a user can make (a wrong path, a broken seed, a malformed bank)
is raised as :class:`CasebookError` with a one-line message; the CLI prints that
line and exits non-zero instead of showing a traceback.
"""


class CasebookError(Exception):
    """A user-facing problem, described in one line that names what and where."""
