#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu with
# internet): the kit from this package with the grader's extras, its datasets, and
# bubblewrap for the sandbox that student code runs in.
set -euo pipefail
cd /autograder/source
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3 python3-venv python3-pip bubblewrap util-linux
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install -q --upgrade pip
/autograder/venv/bin/pip install -q -e "./kit[grader]"
# jsonschema's optional IRI check compiles a grammar in every process that loads nbformat.
/autograder/venv/bin/pip uninstall -y -q rfc3987-syntax || true
# The datasets where the student's kernel may read them (run_autograder points there).
CNNKIT_DATA_DIR=/autograder/data /autograder/venv/bin/python -m cnnkit.data fetch
# Where bubblewrap cannot run (a container without user namespaces), only permissions keep
# the student's kernel, which then runs as a user of its own, from the hidden tests.
chmod -R a+rX /autograder/venv /autograder/data /autograder/source/kit/cnnkit
chmod a+x /autograder /autograder/source /autograder/source/kit
chmod -R o-rwx /autograder/source/kit/source /autograder/source/gradescope.json
