#!/bin/bash
# Grade a folder of submissions on a Slurm cluster: plan, one array task per index, merge.
#
#   deploy/slurm/submit.sh ASSIGNMENT SUBMISSIONS WORKDIR [sbatch options...]
#
# Run it from anywhere on a login node, with the kit checked out (its .venv made by
# `make venv data`) on a file system the compute nodes share. It writes WORKDIR/plan.json,
# submits deploy/slurm/grade.sbatch as an array with one task per index (each grades its
# submissions with `--cpus $SLURM_CPUS_PER_TASK` into WORKDIR/results), and a merge job
# (deploy/slurm/merge.sbatch) that starts when every task has ended and writes WORKDIR/final.
# It prints the two job ids. Settings (environment):
#   INDEXES=N        shards (default: one per submission); at most MaxArraySize
#   SOURCE=DIR       the course's source/ folder (default: the kit's)
#   GRADE_OPTIONS    more `batch` options, e.g. "--timeout 1800 --memory 4"
# sbatch options given here (e.g. --partition=cpu --cpus-per-task=4 --mem=12G) apply to the
# grading tasks and override the #SBATCH lines of grade.sbatch.
set -euo pipefail
if [ $# -lt 3 ]; then
  sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
fi
ASSIGNMENT=$1 SUBMISSIONS=$(realpath "$2") WORKDIR=$(realpath -m "$3")
shift 3
KIT=$(cd "$(dirname "$0")/../.." && pwd)
PYTHON=${PYTHON:-$KIT/.venv/bin/python}
SOURCE=$(realpath "${SOURCE:-$KIT/source}")
mkdir -p "$WORKDIR/results" "$WORKDIR/logs"
(cd "$KIT" && "$PYTHON" -m autograder plan "$ASSIGNMENT" "$SUBMISSIONS" --source "$SOURCE" \
  --out "$WORKDIR/plan.json")
SUBMITTED=$("$PYTHON" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["submissions"]))' \
  "$WORKDIR/plan.json")
INDEXES=${INDEXES:-$SUBMITTED}
if [ "$INDEXES" -lt 1 ]; then
  echo "no submissions of $ASSIGNMENT in $SUBMISSIONS: nothing to grade" >&2
  exit 1
fi
export ASSIGNMENT SUBMISSIONS WORKDIR PYTHON SOURCE INDEXES GRADE_OPTIONS="${GRADE_OPTIONS:-}"
GRADE=$(sbatch --parsable --chdir="$KIT" --export=ALL --array="0-$((INDEXES - 1))" \
  --output="$WORKDIR/logs/grade-%a.out" "$@" "$KIT/deploy/slurm/grade.sbatch")
MERGE=$(sbatch --parsable --chdir="$KIT" --export=ALL --dependency="afterany:${GRADE%%;*}" \
  --output="$WORKDIR/logs/merge.out" "$KIT/deploy/slurm/merge.sbatch")
echo "grading: job ${GRADE%%;*} (array 0-$((INDEXES - 1))); merge: job ${MERGE%%;*} -> $WORKDIR/final"
