"""Build-time pieces of the Jupyter Book.

Figures and fonts, the course standard's checks, the student edition and the handout.

Imports: ``casebook.edition``, ``casebook.quiz`` and the shared leaves. The
Sphinx extension (``casebook.sphinx``) and the CLI use this package; nothing
here imports them.
"""
