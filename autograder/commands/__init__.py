"""One module a verb of `python -m autograder`; each has `main(**options) -> exit status`."""
