"""What personal data a viewer may see (001 §7.2–7.3 for councillors)."""
from __future__ import annotations

from ..models import Case, Role, User


def person_json(case: Case) -> dict | None:
    person = case.person
    if person is None:
        return None
    return {
        "name": person.name,
        "email": person.email,
        "phone": person.phone,
        "address": person.address,
        "postcode": person.postcode,
        "ward": person.ward.name if person.ward else None,
        "preferred_contact_method": person.preferred_contact_method,
        "preferred_format": person.preferred_format,
        "accessibility_needs": person.accessibility_needs,
        "language": person.language,
        "interpreter_needed": person.interpreter_needed,
    }


def councillor_may_see_personal_data(*, represents_ward: bool, acts_for_person: bool, needed_for_enquiry: bool,
                                     explicit_consent: bool) -> bool:
    """001 §7.2–7.3: implicit consent needs all three conditions; otherwise explicit consent."""
    return explicit_consent or (represents_ward and acts_for_person and needed_for_enquiry)


def person_for_viewer(case: Case, viewer: User) -> tuple[dict | None, str | None]:
    """The person as this viewer may see them, and a note when something is withheld."""
    if viewer.role != Role.COUNCILLOR:
        return person_json(case), None
    if case.person is None:
        return None, None
    ward_ids = {w.id for w in viewer.wards}
    allowed = councillor_may_see_personal_data(
        represents_ward=case.person.ward_id is not None and case.person.ward_id in ward_ids,
        acts_for_person=case.raised_by_id == viewer.id,
        needed_for_enquiry=case.raised_by_id == viewer.id,
        explicit_consent=bool((case.details or {}).get("councillor_consent", {}).get(str(viewer.id))),
    )
    if allowed:
        return person_json(case), None
    return None, (
        "Personal data withheld: you do not represent the ward this person lives in, and they have not "
        "given explicit consent for it to be shared with you (Member/Officer Protocol 001 §7.2–7.3)."
    )
