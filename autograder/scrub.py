"""Lines of hidden-test code removed from anything a student will read (outputs, messages).

A student's kernel runs the hidden tests, so student code could print them; these
helpers replace every known line of hidden code by a note. Standard library only, so
that the grader can use them without importing nbconvert.
"""

from __future__ import annotations

REDACTED = "[removed: hidden test code]"


def scrub(text: str, leaks: list[str]) -> str:
    """`text` with every occurrence of a line of `leaks` replaced by a note."""
    if not isinstance(text, str):
        return text
    for line in leaks:
        if line in text:
            text = text.replace(line, REDACTED)
    return text


def _scrub_output(output, leaks) -> None:
    for key in ("text", "evalue"):
        if key in output:
            output[key] = scrub(output[key], leaks)
    if "traceback" in output:
        output["traceback"] = [scrub(line, leaks) for line in output["traceback"]]
    for mime, value in output.get("data", {}).items():
        if mime.startswith("text/") or mime.endswith("json"):
            output["data"][mime] = scrub(value, leaks) if isinstance(value, str) else value


def scrub_notebook(notebook, leaks: list[str]) -> None:
    """Remove lines of hidden code from the outputs of every cell of `notebook`."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            _scrub_output(output, leaks)
