"""What a councillor may be told about a person: the Member/Officer Protocol's rule (001 §7.2–7.3).

PURE: one function over plain facts, used everywhere personal data is shown to a councillor
(pages, API, exports, notifications), and tested over every combination of its inputs.

001 §7.2–7.3 (POLICY.md §8): officers may assume implicit consent to disclose a constituent's
personal information to a councillor ONLY where the councillor represents the ward the person
lives in, AND makes clear they represent that person, AND the information is needed to answer
that person's enquiry or complaint; otherwise the person's explicit consent is needed.
Third-party information: never (only where the law permits, which an officer decides outside
the system).
"""
from __future__ import annotations

from dataclasses import dataclass

IMPLICIT = "implicit"
EXPLICIT = "explicit"


@dataclass(frozen=True)
class Disclosure:
    allowed: bool
    basis: str | None  # "implicit" or "explicit" when allowed
    reason: str  # a sentence for the councillor (and the audit trail)


def councillor_disclosure(
    *,
    represents_ward: bool,
    acts_for_person: bool,
    needed_for_their_case: bool,
    explicit_consent: bool,
    third_party: bool = False,
) -> Disclosure:
    """May this councillor see this person's personal data, and on what basis?"""
    if third_party:
        return Disclosure(
            False, None,
            "Information about other people (third parties) is never shared with councillors "
            "(Member/Officer Protocol 001 §7.3).",
        )
    if explicit_consent:
        return Disclosure(True, EXPLICIT, "Shared with the person's explicit consent, recorded on the case (001 §7.3).")
    missing = []
    if not represents_ward:
        missing.append("you do not represent the ward this person lives in")
    if not acts_for_person:
        missing.append("you have not said you are acting for this person")
    if not needed_for_their_case:
        missing.append("the information is not needed to answer this person's own enquiry or complaint")
    if not missing:
        return Disclosure(
            True, IMPLICIT,
            "Shared on implied consent: you represent the person's ward, act for them, and need it to answer "
            "their enquiry or complaint (001 §7.2).",
        )
    return Disclosure(
        False, None,
        "Personal data withheld: " + "; ".join(missing) + ". It can be shared only with the person's explicit "
        "consent (Member/Officer Protocol 001 §7.2–7.3).",
    )
