"""API views: parse, call one use case or query, serialise (thin by design)."""
from __future__ import annotations

from datetime import date, datetime

import jsonschema
from flask import current_app, g, jsonify, request, url_for

from ..extensions import db
from ..models import CaseKind, Role, User
from ..operations.calendar import fetch_calendar
from ..operations.cases import (
    explain_clock,
    fetch_service_area_by_name,
    fetch_ward_by_name,
    find_or_create_person,
    open_case,
    take_action,
)
from ..operations.errors import CaseworkError, Forbidden, InvalidField, NotFound
from ..operations.councillors import record_consent
from ..operations.disclosure import disclosure_for, record_disclosure
from ..operations.policies import current_policies
from ..queries.cases import CaseFilters, fetch_case_by_reference, fetch_case_events, fetch_paginated_cases
from ..workdays import CalendarRangeError, london_date, utc_now
from . import bp
from .auth import token_required
from .openapi import openapi_document
from .schemas import ACTION, CONSENT, CREATE_CASE
from .serialise import case_json, clock_json, event_json


def _today() -> date:
    return london_date(utc_now())


def _find_nul(value, path: str = "") -> str | None:
    """The path of the first string holding a NUL character (PostgreSQL text cannot store one)."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _find_nul(key, path) if "\x00" in str(key) else _find_nul(item, f"{path}.{key}" if path else str(key))
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _find_nul(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None


@bp.before_request
def refuse_nul_characters():
    if "\x00" in request.path or any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)):
        raise CaseworkError("The address contains a NUL character", code="invalid_characters")


def _json_body(schema: dict) -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise CaseworkError("The request body must be a JSON object", code="invalid_json")
    nul = _find_nul(body)
    if nul is not None:
        raise InvalidField(f"{nul or 'body'}: text cannot contain NUL characters", nul or None)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        path = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else None
            path = ".".join(filter(None, [path, missing]))
        raise InvalidField(f"{path or 'body'}: {error.message}", path or None)
    return body


def _parse_datetime(value, field: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidField(f"{field} must be an ISO 8601 date and time, e.g. 2026-03-02T10:15:00+00:00", field) from None
    if parsed.tzinfo is None:
        raise InvalidField(f"{field} must include a time zone, e.g. +00:00", field)
    return parsed


def _parse_date(value, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidField(f"{field} must be a date as YYYY-MM-DD", field) from None


def _parse_int(value, field: str, minimum: int | None = None, maximum: int | None = None) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidField(f"{field} must be a whole number", field) from None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise InvalidField(f"{field} must be between {minimum} and {maximum}", field)
    return number


def _case_or_404(reference: str):
    case = fetch_case_by_reference(reference, g.api_user)
    if case is None:
        raise NotFound(f"No case {reference} that you can see", "reference")
    return case


def _user_by_email(email: str, field: str, role: str | None = None) -> User:
    user = db.session.execute(db.select(User).where(db.func.lower(User.email) == email.strip().lower())).scalar_one_or_none()
    if user is None or (role and user.role != role):
        what = "councillor" if role == Role.COUNCILLOR else "user"
        raise InvalidField(f"No {what} with the e-mail address {email}", field)
    return user


# --- documents and reference data ---------------------------------------------------------------

@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/calendar/add-working-days")
@token_required
def calendar_add_working_days():
    start = _parse_date(request.args.get("start"), "start")
    days = _parse_int(request.args.get("days"), "days", -5000, 5000)
    try:
        result = fetch_calendar().add_working_days(start, days)
    except CalendarRangeError as error:
        raise InvalidField(str(error), "start") from None
    return jsonify({"start": start.isoformat(), "days": days, "date": result.isoformat()})


@bp.get("/calendar/working-days-between")
@token_required
def calendar_working_days_between():
    start = _parse_date(request.args.get("start"), "start")
    end = _parse_date(request.args.get("end"), "end")
    try:
        days = fetch_calendar().working_days_between(start, end)
    except CalendarRangeError as error:
        raise InvalidField(str(error), "start") from None
    return jsonify({"start": start.isoformat(), "end": end.isoformat(), "days": days})


@bp.get("/policies")
@token_required
def policies_list():
    return jsonify([{"key": p.key, "version": p.version, "title": p.title} for p in current_policies().values()])


@bp.get("/policies/<key>")
@token_required
def policy_detail(key: str):
    policy = current_policies().get(key)
    if policy is None:
        raise NotFound(f"No policy {key}", "key")
    return jsonify(policy.summary())


# --- cases ----------------------------------------------------------------------------------------

@bp.post("/cases")
@token_required
def cases_create():
    body = _json_body(CREATE_CASE)
    user: User = g.api_user
    received_at = _parse_datetime(body.get("received_at"), "received_at") or utc_now()
    raised_by = None
    if user.role == Role.COUNCILLOR:
        if body["kind"] != CaseKind.MEMBER_ENQUIRY:
            raise Forbidden("Councillors raise member enquiries; other contacts are logged by officers", "kind")
        raised_by = user
    elif body.get("raised_by"):
        raised_by = _user_by_email(body["raised_by"], "raised_by", Role.COUNCILLOR)
    # A councillor raising a case for a named person acts for them unless they say otherwise (001 §7.2).
    acts_for_person = body.get("acts_for_person")
    if acts_for_person is None:
        acts_for_person = raised_by is not None and bool(body.get("person"))
    service_area = None
    if body.get("service_area"):
        service_area = fetch_service_area_by_name(body["service_area"])
        if service_area is None:
            raise InvalidField(f"Unknown service area {body['service_area']!r}", "service_area")
    assignee = _user_by_email(body["assignee"], "assignee") if body.get("assignee") else None
    person = None
    if body.get("person"):
        data = dict(body["person"])
        if not data["name"].strip():
            raise InvalidField("Enter the person's name", "person.name")
        if data.get("ward"):
            data["ward_obj"] = fetch_ward_by_name(data["ward"])
            if data["ward_obj"] is None:
                raise InvalidField(f"Unknown ward {data['ward']!r}", "person.ward")
        person = find_or_create_person(data)
    case = open_case(
        kind=body["kind"],
        procedure=body.get("procedure"),
        received_at=received_at,
        summary=body["summary"],
        channel=body.get("channel"),
        description=body.get("description"),
        person=person,
        service_area=service_area,
        raised_by=raised_by,
        assignee=assignee,
        actor=user,
        councillor_acts_for_person=bool(acts_for_person and raised_by is not None),
    )
    db.session.commit()
    response = jsonify(case_json(case, user, _today()))
    response.status_code = 201
    response.headers["Location"] = url_for("api.cases_detail", reference=case.reference)
    return response


@bp.get("/cases")
@token_required
def cases_list():
    args = request.args
    page = _parse_int(args.get("page", "1"), "page", 1, 1_000_000)
    per_page = _parse_int(args.get("per_page", str(current_app.config["CASEWORK_PAGE_SIZE"])), "per_page", 1, 200)
    overdue = args.get("overdue")
    if overdue not in (None, "", "true", "false"):
        raise InvalidField("overdue must be true or false", "overdue")
    filters = CaseFilters(
        procedure=args.get("procedure") or None,
        state=args.get("state") or None,
        kind=args.get("kind") or None,
        overdue={"true": True, "false": False}.get(overdue or ""),
        due_before=_parse_date(args["due_before"], "due_before") if args.get("due_before") else None,
    )
    if args.get("open") in ("true", "false"):
        filters.is_open = args["open"] == "true"
    today = _today()
    items, has_next = fetch_paginated_cases(g.api_user, filters, page, per_page, today)
    next_url = None
    if has_next:
        query = args.to_dict()
        query["page"] = str(page + 1)
        next_url = url_for("api.cases_list", _external=True, **query)
    return jsonify({"items": [case_json(c, g.api_user, today) for c in items], "next": next_url, "page": page})


@bp.get("/cases/<reference>")
@token_required
def cases_detail(reference: str):
    return jsonify(case_json(_case_or_404(reference), g.api_user, _today()))


@bp.post("/cases/<reference>/actions")
@token_required
def cases_action(reference: str):
    case = _case_or_404(reference)
    body = _json_body(ACTION)
    at = _parse_datetime(body.get("at"), "at")
    fields = {k: v for k, v in body.items() if k not in ("action", "at", "version")}
    take_action(case, body["action"], fields, actor=g.api_user, at=at, expected_version=body.get("version"))
    db.session.commit()
    return jsonify(case_json(case, g.api_user, _today()))


@bp.get("/cases/<reference>/events")
@token_required
def cases_events(reference: str):
    case = _case_or_404(reference)
    disclosure = disclosure_for(case, g.api_user)
    trail = [event_json(e, with_data=disclosure.allowed) for e in fetch_case_events(case)]
    if g.api_user.role == Role.COUNCILLOR and disclosure.allowed:
        record_disclosure(case, g.api_user, disclosure, "api:events")
        db.session.commit()
    return jsonify(trail)


@bp.post("/cases/<reference>/consents")
@token_required
def cases_consent(reference: str):
    """Record a person's explicit consent for a councillor to see their data (001 §7.3)."""
    case = _case_or_404(reference)
    if g.api_user.role == Role.COUNCILLOR:
        raise Forbidden("Officers record consent; ask the officer handling the case", "councillor")
    body = _json_body(CONSENT)
    councillor = _user_by_email(body["councillor"], "councillor", Role.COUNCILLOR)
    given_on = _parse_date(body["given_on"], "given_on")
    if given_on > _today():
        raise InvalidField("given_on cannot be in the future", "given_on")
    record_consent(case, councillor=councillor, given_by=body["given_by"], given_on=given_on,
                   method=body["method"], scope=body["scope"], actor=g.api_user)
    db.session.commit()
    return jsonify(case_json(case, g.api_user, _today())), 201


@bp.get("/cases/<reference>/clocks/<name>")
@token_required
def cases_clock(reference: str, name: str):
    """How this date was worked out: the clock and each step from start to due date."""
    case = _case_or_404(reference)
    clock = next((c for c in case.clocks if c.name == name), None)
    if clock is None:
        raise NotFound(f"Case {reference} has no clock {name}", "name")
    body = clock_json(clock, _today())
    body["explanation"] = explain_clock(case, clock)
    return jsonify(body)
