# Every target installs what it needs: `make demo` and `make test` work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
NBGRADER := $(PY) -m nbgrader
STAMP := $(VENV)/.installed
ASSIGNMENTS := $(notdir $(wildcard source/*))
export TF_CPP_MIN_LOG_LEVEL ?= 3
# nbgrader runs the `alembic` command when it creates a gradebook: it must be on PATH.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export PYTHONWARNINGS ?= ignore

.PHONY: venv system data release demo test test-fast lab bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	@# jsonschema's optional IRI format check (pulled in by jupyter-events) compiles a grammar
	@# at import: 1.6-2.2 s in every process that loads nbformat (the grader and nbgrader do).
	$(PY) -m pip uninstall -y -q rfc3987-syntax
	touch $@

venv: system $(STAMP)

# The autograder's sandbox (Debian's bubblewrap). Installed when run as root; otherwise the
# autograder still runs, with weaker isolation that it reports in every result.
system:
	@command -v bwrap >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq bubblewrap; \
	  else echo "bubblewrap is missing: run 'sudo make system' for the autograder's sandbox"; fi; }
	@# Debian's Slurm and MUNGE for the single-node Slurm run of deploy/slurm (tests/deploy).
	@command -v slurmctld >/dev/null && command -v munged >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq slurm-wlm munge; \
	  else echo "slurm-wlm or munge is missing: run 'sudo make system' for the Slurm test"; fi; }
	@# Debian's Chromium for the browser test of the student's view (tests/test_lab_browser.py).
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "chromium is missing: run 'sudo make system' for the browser test"; fi; }

data: venv
	$(PY) -m cnnkit.data fetch

release: venv
	@for a in $(ASSIGNMENTS); do \
	  echo "generate_assignment $$a"; \
	  $(NBGRADER) generate_assignment $$a --force --log-level=WARN || exit 1; \
	done

demo: venv data release
	$(PY) -m autograder.demo

# The heavy gradings marked `concurrent` two at a time (two gradings on 2 cores do about a
# third more per hour than one after the other: benchmarks/README.md), the unit tests two at
# a time as in test-fast, then the other slow tests one at a time: the budget test times the
# reference gradings alone, and the fixture batches have tight cell timeouts. The last run
# lists its slowest tests.
test: venv data
	$(PY) -m pytest -m concurrent -n 2
	$(PY) -m pytest -m "not slow and not concurrent" -n 2
	$(PY) -m pytest -m "slow and not concurrent" --durations=25

test-fast: venv data
	$(PY) -m pytest -m "not slow" -n 2

# The student's view, set up in .lab/ for this command only: no instructor tools, no news
# prompt, quiet TensorFlow start-up, notebooks trusted and unmodified on open.
lab: venv data
	$(VENV)/bin/jupyter lab --config=.lab/jupyter_lab_config.py $(if $(filter 0,$(shell id -u)),--allow-root) release/

# Timings on this machine -> benchmarks/results.json and benchmarks/README.md.
# `make bench ARGS=--quick` takes a couple of minutes; ARGS="--only epochs" runs one part.
bench: venv data
	$(PY) -m benchmarks.bench $(ARGS)

lint: venv
	$(VENV)/bin/ruff check cnnkit autograder tests benchmarks

clean:
	rm -rf .demo .scratch autograded feedback submitted gradebook.db
