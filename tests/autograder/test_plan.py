"""autograder.plan: the plan, and which submissions each index grades."""

import json
import os
import random
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.plan import (
    PlanError,
    count,
    index_from_environment,
    load_plan,
    make_plan,
    plan_problems,
    select,
)
from tests.autograder.test_provenance import SOURCE, raised_threshold
from tests.conftest import REPO


def fake_plan(students: list[str]) -> dict:
    return {"format": 1, "assignment": "00_fixture", "provenance": {},
            "submissions": [{"student": s, "path": f"{s}.ipynb", "sha256": "0" * 64}
                            for s in sorted(students)]}


@settings(max_examples=200, deadline=None)
@given(students=st.sets(st.text(alphabet="abcdefgh_0", min_size=1, max_size=5), max_size=40),
       shards=st.one_of(st.none(), st.integers(min_value=1, max_value=12)),
       seed=st.integers(0, 2**32 - 1))
def test_indexes_cover_every_submission_exactly_once(students, shards, seed):
    order = sorted(students)
    random.Random(seed).shuffle(order)  # the order the folder listed them in
    plan = fake_plan(order)
    if not students and shards is None:
        return  # no index at all
    indexes = list(range(count(plan, shards)))
    random.Random(seed + 1).shuffle(indexes)  # the order the indexes happen to run in
    graded = [e["student"] for k in indexes for e in select(plan, k, shards)]
    assert sorted(graded) == sorted(students)
    assert len(graded) == len(set(graded))
    assert plan == fake_plan(sorted(students))


def test_select_refuses_indexes_outside_the_plan():
    plan = fake_plan(["a", "b", "c"])
    assert [e["student"] for e in select(plan, 1, 2)] == ["b"]
    assert select(plan, 2) == [plan["submissions"][2]]
    with pytest.raises(PlanError, match=r"index 3 is outside 0..2 \(one index per submission"):
        select(plan, 3)
    with pytest.raises(PlanError, match=r"index 2 is outside 0..1 \(--of 2\)"):
        select(plan, 2, 2)
    with pytest.raises(PlanError, match="--of must be at least 1"):
        select(plan, 0, 0)


def test_the_index_comes_from_kubernetes_then_slurm():
    both = {"JOB_COMPLETION_INDEX": "4", "SLURM_ARRAY_TASK_ID": "7"}
    assert index_from_environment(both) == 4
    assert index_from_environment({"SLURM_ARRAY_TASK_ID": "7"}) == 7
    with pytest.raises(PlanError, match="no index: pass --index K"):
        index_from_environment({})
    with pytest.raises(PlanError, match=r"\$SLURM_ARRAY_TASK_ID is 'x'"):
        index_from_environment({"SLURM_ARRAY_TASK_ID": "x"})


def submissions_in(folder, names, seed):
    folder.mkdir()
    fixture = (SOURCE / "00_fixture" / "fixture.ipynb").read_text()
    for name in random.Random(seed).sample(names, len(names)):  # created in any order
        if name.endswith("/"):
            (folder / name / "00_fixture").mkdir(parents=True)
            (folder / name / "00_fixture" / "fixture.ipynb").write_text(fixture + name)
        else:
            (folder / f"{name}.ipynb").write_text(fixture + name)
    return folder


def test_the_plan_is_the_same_whoever_makes_it(tmp_path):
    names = ["zoe", "al ice/", "bob", "carol/", "dave"]
    one = make_plan(SOURCE, "00_fixture", submissions_in(tmp_path / "one", names, 1))
    other = make_plan(SOURCE, "00_fixture", submissions_in(tmp_path / "two", names, 2))
    assert one == other
    assert [e["student"] for e in one["submissions"]] == ["al_ice", "bob", "carol", "dave", "zoe"]
    assert one["submissions"][0]["path"] == "al ice/00_fixture/fixture.ipynb"
    out = tmp_path / "plan.json"
    process = subprocess.run([sys.executable, "-m", "autograder", "plan", "00_fixture",
                              str(tmp_path / "two"), "--out", str(out), "--source", str(SOURCE)],
                             cwd=REPO, capture_output=True, text=True, timeout=60)
    assert process.returncode == 0, process.stderr
    assert load_plan(out) == one
    assert "for K in 0..4" in process.stdout
    code = ("import json, sys\nfrom autograder.plan import load_plan, select\n"
            "plan = load_plan(sys.argv[1])\n"
            "print(json.dumps([[e['student'] for e in select(plan, k, of)] for of, n in "
            "((None, 5), (2, 2), (3, 3)) for k in range(n)]))")
    seen = {subprocess.run([sys.executable, "-c", code, str(out)], cwd=REPO, text=True,
                           capture_output=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")}
    here = [[e["student"] for e in select(one, k, of)] for of, n in ((None, 5), (2, 2), (3, 3))
            for k in range(n)]
    assert seen == {json.dumps(here) + "\n"}


def test_a_stale_plan_or_a_changed_notebook_is_named(tmp_path):
    folder = submissions_in(tmp_path / "subs", ["ann", "bob"], 0)
    plan = make_plan(SOURCE, "00_fixture", folder)
    assert plan_problems(plan, SOURCE, folder, plan["submissions"]) == []
    (folder / "bob.ipynb").write_text("{}")
    os.remove(folder / "ann.ipynb")
    assert plan_problems(plan, SOURCE, folder, plan["submissions"]) == [
        "the notebook of ann (ann.ipynb) is missing",
        "the notebook of bob (bob.ipynb) changed since the plan"]
    problems = plan_problems(plan, raised_threshold(tmp_path), folder, [])
    assert len(problems) == 1 and problems[0].startswith("the plan is stale: source changed (")
    assert problems[0].endswith("tests changed: test_trained)")


def test_a_broken_plan_file_says_what_to_do(tmp_path):
    with pytest.raises(PlanError, match="make one with `python -m autograder plan"):
        load_plan(tmp_path / "missing.json")
    (tmp_path / "old.json").write_text(json.dumps({"format": 0}))
    with pytest.raises(PlanError, match="not a plan of format 1"):
        load_plan(tmp_path / "old.json")
