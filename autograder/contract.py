"""Hidden regions of a grade cell: the one parser of nbgrader's hidden-test markers.

A hidden region is the lines between a line that is exactly `### BEGIN HIDDEN TESTS`
and the next line that is exactly `### END HIDDEN TESTS` (surrounding spaces allowed).
A marker inside a comment or a string on a longer line is not a marker. A region that
is never closed, one opened inside another, and an END without a BEGIN are errors
(`ContractError`), never guessed at: a guess could show hidden code to students.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnnkit.paths import HIDDEN_BEGIN as BEGIN
from cnnkit.paths import HIDDEN_END as END


class ContractError(ValueError):
    """Hidden-test markers that do not form closed, separate regions."""


@dataclass(frozen=True)
class Region:
    """One hidden region: the 0-based line numbers of its BEGIN and END markers."""

    begin: int
    end: int


def hidden_regions(source: str) -> list[Region]:
    """The hidden regions of `source`, in order; raises `ContractError` on bad markers."""
    regions, opened = [], None
    for number, line in enumerate(source.splitlines()):
        marker = line.strip()
        if marker == BEGIN:
            if opened is not None:
                raise ContractError(f"line {number + 1}: {BEGIN} inside the hidden region "
                                    f"opened on line {opened + 1} (regions cannot nest)")
            opened = number
        elif marker == END:
            if opened is None:
                raise ContractError(f"line {number + 1}: {END} without a {BEGIN} before it")
            regions.append(Region(opened, number))
            opened = None
    if opened is not None:
        raise ContractError(f"line {opened + 1}: the hidden region is never closed "
                            f"(add a line {END})")
    return regions


def _inside(regions: list[Region]) -> set[int]:
    return {n for r in regions for n in range(r.begin, r.end + 1)}


def split_hidden(source: str) -> tuple[str, str | None]:
    """(source without hidden regions, the hidden code or None when there is no region)."""
    regions = hidden_regions(source)
    lines, inside = source.splitlines(), _inside(regions)
    markers = {n for r in regions for n in (r.begin, r.end)}
    visible = [line for n, line in enumerate(lines) if n not in inside]
    hidden = [line for n, line in enumerate(lines) if n in inside and n not in markers]
    return "\n".join(visible), ("\n".join(hidden) if regions else None)


def strip_hidden(source: str, note: str) -> str:
    """`source` with each hidden region replaced by the line `note` (at the marker's indent)."""
    regions = hidden_regions(source)
    lines, inside = source.splitlines(), _inside(regions)
    begins = {r.begin for r in regions}
    return "\n".join(line.replace(BEGIN, note) if n in begins else line
                     for n, line in enumerate(lines) if n in begins or n not in inside)


def hidden_code(source: str) -> list[str]:
    """The lines of code inside the hidden regions of `source`, markers excluded."""
    hidden = split_hidden(source)[1]
    return hidden.splitlines() if hidden else []
