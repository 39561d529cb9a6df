"""Search by reference, name, email, phone or postcode; a person's page with all their cases."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..models import EqualityMonitoring, Person, Representation
from ..queries.queues import (
    REFERENCE_PATTERN,
    fetch_case_by_exact_reference,
    fetch_open_cases_for_people,
    fetch_person_cases,
    search_cases,
    search_people,
)
from .helpers import amber_until, today_london
from .permissions import Permission, can, requires
from .queues import pagination

bp = Blueprint("search", __name__)


@bp.get("/search")
@requires(Permission.SEARCH)
def search():
    q = (request.args.get("q") or "").replace("\x00", "").strip()[:200]
    cases, people, open_cases = [], [], {}
    if q:
        if REFERENCE_PATTERN.match(q):
            case = fetch_case_by_exact_reference(current_user, q)
            if case is not None:
                return redirect(url_for("cases.show", reference=case.reference))
        cases = search_cases(current_user, q)
        people = search_people(text=q)
        open_cases = fetch_open_cases_for_people(current_user, [p.id for p in people])
    today = today_london()
    return render_template("search/search.html", q=q, cases=cases, people=people, open_cases=open_cases,
                           today=today, amber_last=amber_until(today))


@bp.get("/people/<int:person_id>")
@requires(Permission.VIEW_PERSON)
def person(person_id: int):
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    page_number = request.args.get("page", "1")
    page_number = int(page_number) if page_number.isdigit() and 0 < int(page_number) < 10**6 else 1
    page = fetch_person_cases(current_user, person, page_number, 25)
    representing = {
        r.case_id for r in db.session.execute(
            db.select(Representation).where(Representation.representative_id == person.id)
        ).scalars()
    }
    equality = db.session.get(EqualityMonitoring, person.id)
    today = today_london()
    return render_template("search/person.html", person=person, page=page, representing=representing,
                           equality=equality, can_view_equality=can(current_user, Permission.VIEW_EQUALITY),
                           pagination=pagination(page, "search.person", person_id=person.id),
                           today=today, amber_last=amber_until(today))
