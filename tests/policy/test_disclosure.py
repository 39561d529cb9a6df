"""001 §7.2–7.3: every combination of the rule's inputs."""
from __future__ import annotations

import itertools

import pytest

from casework.policy.disclosure import EXPLICIT, IMPLICIT, councillor_disclosure

NAMES = ("represents_ward", "acts_for_person", "needed_for_their_case", "explicit_consent", "third_party")


def expected(ward, acts, needed, consent, third_party):
    if third_party:
        return False, None  # 001 §7.3: third-party information never
    if consent:
        return True, EXPLICIT  # 001 §7.3: explicit consent
    if ward and acts and needed:
        return True, IMPLICIT  # 001 §7.2: all three conditions
    return False, None


CASES = list(itertools.product([False, True], repeat=5))


def case_id(values):
    return ",".join(f"{n}={'Y' if v else 'N'}" for n, v in zip(NAMES, values))


@pytest.mark.parametrize("values", CASES, ids=[case_id(v) for v in CASES])
def test_every_combination_of_the_rule(values):
    decision = councillor_disclosure(**dict(zip(NAMES, values)))
    assert (decision.allowed, decision.basis) == expected(*values)
    assert decision.reason.endswith(")") or decision.reason.endswith(").")
    assert "001 §7" in decision.reason


def test_all_32_combinations_are_covered():
    assert len(set(CASES)) == 32


def test_withheld_reason_names_each_missing_condition():
    decision = councillor_disclosure(represents_ward=False, acts_for_person=True, needed_for_their_case=False,
                                     explicit_consent=False)
    assert "do not represent the ward" in decision.reason
    assert "not needed to answer" in decision.reason
    assert "not said you are acting" not in decision.reason
