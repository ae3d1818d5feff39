"""Engine of the course: edition of the article, question banks, notebooks and grading."""

__version__ = "0.1.0"
