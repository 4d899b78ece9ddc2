#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu with
# internet): the kit from this package with the grader's extras, its datasets, and
# bubblewrap for the sandbox that student code runs in.
set -euo pipefail
cd /autograder/source
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3 python3-venv python3-pip bubblewrap
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install -q --upgrade pip
/autograder/venv/bin/pip install -q -e "./kit[grader]"
# jsonschema's optional IRI check compiles a grammar in every process that loads nbformat.
/autograder/venv/bin/pip uninstall -y -q rfc3987-syntax || true
/autograder/venv/bin/python -m cnnkit.data fetch
