"""deploy/kubernetes: valid manifests (kubernetes-validate's bundled schemas, offline) whose
Job, limits, network policy and volume agree with each other and with the grader's flags."""

from __future__ import annotations

import re

import kubernetes_validate
import pytest
import yaml

from autograder.__main__ import parser
from tests.conftest import REPO

FOLDER = REPO / "deploy" / "kubernetes"
VERSION = "1.33.0"  # backoffLimitPerIndex is generally available from 1.33 on
GIB = {"Gi": 1, "Mi": 1 / 1024}


def _documents() -> list[dict]:
    return [doc for path in sorted(FOLDER.glob("*.yaml"))
            for doc in yaml.safe_load_all(path.read_text()) if doc]


def _kind(kind: str, name: str) -> dict:
    return next(d for d in _documents() if d["kind"] == kind and d["metadata"]["name"] == name)


def _gib(quantity: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(Gi|Mi)", quantity).groups()
    return float(number) * GIB[unit]


@pytest.mark.parametrize("document", _documents(), ids=lambda d: d["kind"])
def test_manifests_are_valid_kubernetes(document):
    kubernetes_validate.validate(document, VERSION, strict=True)


def test_grading_job_is_indexed_with_retries_per_index_and_matching_limits():
    job = _kind("Job", "cnnkit-grade")["spec"]
    assert job["completionMode"] == "Indexed"
    assert job["backoffLimitPerIndex"] >= 1 and job["template"]["spec"]["restartPolicy"] == "Never"
    container = job["template"]["spec"]["containers"][0]
    command = container["command"]
    assert command[1:4] == ["-m", "autograder", "batch"]
    args = parser().parse_args(command[3:])
    assert args.plan is not None and args.index is None  # K from $JOB_COMPLETION_INDEX
    assert job["completions"] == args.of and job["parallelism"] <= args.of
    resources = container["resources"]
    assert resources["requests"] == resources["limits"]  # Guaranteed: whole CPUs of its own
    assert resources["limits"]["cpu"] == str(args.cpus)
    assert _gib(resources["limits"]["memory"]) >= args.memory + 1


def test_grading_pods_have_no_network_and_share_the_results_volume():
    policy = _kind("NetworkPolicy", "cnnkit-grading-isolated")["spec"]
    assert set(policy["policyTypes"]) == {"Ingress", "Egress"}
    assert "egress" not in policy and "ingress" not in policy  # no rule: nothing allowed
    claim = _kind("PersistentVolumeClaim", "cnnkit-grading")
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    for name in ("cnnkit-grade", "cnnkit-merge"):
        template = _kind("Job", name)["spec"]["template"]
        labels = template["metadata"]["labels"]
        assert policy["podSelector"]["matchLabels"].items() <= labels.items()
        volumes = {v["name"]: v for v in template["spec"]["volumes"]}
        assert volumes["grading"]["persistentVolumeClaim"]["claimName"] == "cnnkit-grading"
        assert template["spec"]["automountServiceAccountToken"] is False


def test_merge_job_reads_what_the_grading_job_writes():
    grade = parser().parse_args(_kind("Job", "cnnkit-grade")["spec"]["template"]["spec"]
                                ["containers"][0]["command"][3:])
    merge_command = _kind("Job", "cnnkit-merge")["spec"]["template"]["spec"]["containers"][0][
        "command"]
    merge = parser().parse_args(merge_command[3:])
    assert merge.command == "merge"
    assert str(grade.plan) == str(merge.plan)
    assert [str(grade.out)] == [str(p) for p in merge.results]
