"""kube-state-metrics' own custom resource state tests, case by case, in process (see tests/kube_crs_cases.py),
and the two documented divergences."""

from __future__ import annotations

import pytest

from tests import kube_crs_cases

CASES = kube_crs_cases.load() if kube_crs_cases.CASES.is_dir() else []


@pytest.mark.skipif(not CASES, reason="the KSM custom resource cases are not present (../shared/reference)")
@pytest.mark.parametrize("case", CASES, ids=[case["source"] for case in CASES])
def test_ksm_custom_resource_case(case):
    problems = kube_crs_cases.run(case)
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(not CASES, reason="the KSM custom resource cases are not present (../shared/reference)")
def test_every_case_is_run():
    assert len(CASES) == 55
    assert {case["kind"] for case in CASES} == {"each_values", "path_labels", "compile_error", "base_labels",
                                                 "default_labels", "to_metric", "full_name", "path_get", "config",
                                                 "compile_resource"}


@pytest.mark.parametrize("case", kube_crs_cases.DIVERGENCES, ids=[c["name"] for c in kube_crs_cases.DIVERGENCES])
def test_documented_divergence(case):
    got = kube_crs_cases.evaluate(case)
    assert not kube_crs_cases.compare(case, got, case["ours"]), case["reason"]
    assert kube_crs_cases.compare(case, got), f"no longer a divergence: {case['reason']}"


def test_a_wrong_outcome_is_reported():
    """The runner itself: a case whose expectation we do not meet gives a difference."""
    case = next(c for c in CASES if c["source"].endswith("Test_values/stateset")) if CASES else pytest.skip("no cases")
    wrong = {**case, "expected": {"samples": [{"labels": {"phase": "foo"}, "value": 0}], "errors": []}}
    assert kube_crs_cases.run(wrong)
