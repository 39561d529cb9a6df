"""Personal data shown to councillors: the pure rule (casework.policy.disclosure) applied to a case,
with every view recorded in the audit trail (001 §7.2–7.3)."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Case, CouncillorConsent, Event, Role, User
from ..policy.disclosure import Disclosure, councillor_disclosure
from ..workdays import utc_now

STAFF_DISCLOSURE = Disclosure(True, "staff", "Council staff")


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


def has_explicit_consent(case: Case, councillor: User) -> bool:
    return db.session.execute(
        select(CouncillorConsent.id).where(
            CouncillorConsent.case_id == case.id,
            CouncillorConsent.councillor_id == councillor.id,
            CouncillorConsent.withdrawn_on.is_(None),
        ).limit(1)
    ).first() is not None


def _councillor_case_root(case: Case) -> Case:
    """A complaint converted from a councillor's enquiry is that enquiry's continuation (report §4.3)."""
    if case.linked_case_id is not None:
        linked = db.session.get(Case, case.linked_case_id)
        if linked is not None and linked.raised_by_id == case.raised_by_id:
            return linked
    return case


def disclosure_for(case: Case, viewer: User) -> Disclosure:
    """May this viewer see the personal data on this case? Staff: yes. Councillors: 001 §7.2–7.3."""
    if viewer.role != Role.COUNCILLOR:
        return STAFF_DISCLOSURE
    person = case.person
    ward_ids = {w.id for w in viewer.wards}
    root = _councillor_case_root(case)
    raised_by_them = case.raised_by_id == viewer.id or root.raised_by_id == viewer.id
    return councillor_disclosure(
        represents_ward=person is not None and person.ward_id is not None and person.ward_id in ward_ids,
        acts_for_person=raised_by_them and bool(case.councillor_acts_for_person or root.councillor_acts_for_person),
        needed_for_their_case=raised_by_them,
        explicit_consent=has_explicit_consent(case, viewer),
    )


def record_disclosure(case: Case, viewer: User, disclosure: Disclosure, where: str) -> None:
    """Every view of personal data by a councillor is an audit event (it changes nothing else)."""
    now = utc_now()
    db.session.add(
        Event(
            case_id=case.id,
            at=now,
            recorded_at=now,
            actor_id=viewer.id,
            actor=viewer.email,
            action="personal_data_viewed",
            from_state=case.state,
            to_state=case.state,
            data={"basis": disclosure.basis, "where": where},
        )
    )


def person_for_viewer(case: Case, viewer: User, where: str = "api") -> tuple[dict | None, str | None]:
    """The person as this viewer may see them, and a note when something is withheld."""
    if case.person is None:
        return None, None
    disclosure = disclosure_for(case, viewer)
    if viewer.role != Role.COUNCILLOR:
        return person_json(case), None
    if disclosure.allowed:
        record_disclosure(case, viewer, disclosure, where)
        return person_json(case), None
    return None, disclosure.reason
