"""The autograder: `python -m autograder grade|batch|check` (see `autograder.__main__`)."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent  # the course: source/, release/, nbgrader_config.py
