"""Gradescope: the autograder as a package Gradescope runs as is.

    package.py            `python -m autograder gradescope ASSIGNMENT --out autograder.zip`
    run.py                what `run_autograder` runs: grade /autograder/submission
    results.py            a result as Gradescope's results.json (results.schema.json)
    setup.sh, run_autograder   the package's two scripts (Gradescope's specification)

Gradescope's limits are stated here and nowhere else: a submission may run for at most
40 minutes (the assignment's setting; 10 by default), in 768 MB of memory by default.
"""

from __future__ import annotations

MAX_MINUTES = 40  # the longest timeout Gradescope allows
MEMORY_MB = 768  # Gradescope's default container memory
ROOT_ENV = "CNNKIT_GRADESCOPE_ROOT"  # /autograder unless set (tests use a temporary folder)

