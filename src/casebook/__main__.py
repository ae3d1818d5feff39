"""``python -m casebook``: the same as the ``casebook`` command."""

import sys

from casebook.cli import main

sys.exit(main())
