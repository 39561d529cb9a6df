"""Letters: written from templates in templates/letters/, filled from the case, edited, then
sent by email or printed, and stored in the correspondence table (on the timeline).

A template is plain text: its first line is "Subject: ...", the rest is the letter. A procedure
may have its own wording (the statutory variants): `stage1_response_childrens.txt` is used for
a children's social care case in place of `stage1_response.txt`.
"""
from __future__ import annotations

import logging
import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from jinja2 import TemplateNotFound
from sqlalchemy import select

from ..extensions import db
from ..models import Correspondence, Event, Representation
from ..operations.errors import CaseworkError
from ..operations.policies import fetch_pinned_policy
from ..operations.web_ops import record_letter
from ..queries.cases import fetch_case_by_reference
from .forms import FORMAT_LABELS, LetterForm
from .helpers import format_date, humanise, today_london
from .permissions import Permission, requires

log = logging.getLogger(__name__)

bp = Blueprint("letters", __name__, url_prefix="/cases")

# Letter key -> title (what staff choose from). Policy effects name these keys.
LETTERS = {
    "acknowledgement": "Acknowledgement",
    "interim_reply": "Holding (interim) reply with a new date",
    "extension": "Extension of the response deadline",
    "stage1_response": "Stage 1 outcome, with the right to ask for Stage 2",
    "stage2_acknowledgement": "Stage 2 acknowledgement",
    "stage2_response": "Stage 2 outcome, with the right to go to the Ombudsman",
    "stage3_acknowledgement": "Stage 3 acknowledgement and panel date",
    "stage3_response": "Council's response to the review panel",
    "further_response": "Further response",
    "informal_resolution": "Informal resolution confirmed",
    "decline": "Complaint cannot be considered (with signposting)",
    "withdrawal_acknowledgement": "Withdrawal acknowledgement",
    "representative_refused": "Representative refused",
    "procedure_change": "Change of complaints procedure",
    "feedback_acknowledgement": "Thank you for your comment or compliment",
    "enquiry_response": "Answer to an enquiry",
    "general": "General letter",
}
ALIASES = {"holding_reply": "interim_reply"}

LGSCO = {
    "name": "Local Government and Social Care Ombudsman",
    "address": "PO Box 4771, Coventry CV4 0EH",
    "phone": "0300 061 0614",
    "web": "www.lgo.org.uk",
}


def letter_for_effects(action) -> str | None:
    """The first letter the policy says this action prepares, if we have a template for it."""
    for effect in action.effects or ():
        key = effect.get("letter") if hasattr(effect, "get") else None
        if key:
            key = ALIASES.get(key, key)
            if key in LETTERS:
                return key
    return None


def _case_or_404(reference: str):
    case = fetch_case_by_reference(reference, current_user)
    if case is None:
        abort(404)
    return case


def _last_fields(case, action_names: tuple[str, ...]) -> dict:
    """The fields of the latest event of these actions (the extension's reason, new date...)."""
    event = db.session.execute(
        select(Event).where(Event.case_id == case.id, Event.action.in_(action_names)).order_by(Event.id.desc()).limit(1)
    ).scalar_one_or_none()
    return dict((event.data or {}).get("fields") or {}) if event else {}


def _recipient(case, representation: Representation | None):
    """Who the letter goes to: a named representative, else an accepted one, else the person."""
    if representation is None:
        accepted = [r for r in case.representations if r.decision == "accepted"]
        representation = accepted[0] if accepted else None
    who = representation.representative if representation is not None else case.person
    return who


def letter_context(case, representation=None) -> dict:
    policy = fetch_pinned_policy(case.procedure, case.policy_version)
    who = _recipient(case, representation)
    due = {c.name: format_date(c.due_on) for c in case.clocks}
    outcomes = {o.value: o.label for o in policy.lists.get("complaint_outcomes", ())}
    remedies = {o.value: o.label for o in policy.lists.get("remedies", ())}
    out_of_scope = {o.value: o for o in policy.lists.get("out_of_scope", ())}
    decline_reason = out_of_scope.get((case.details or {}).get("decline_reason"))
    fields = {
        "extension": _last_fields(case, ("extend",)),
        "interim": _last_fields(case, ("holding_reply",)),
        "respond": _last_fields(case, ("respond",)),
        "escalate": _last_fields(case, ("escalate",)),
        "acknowledge": _last_fields(case, ("acknowledge",)),
        "switch": _last_fields(case, ("switch_procedure",)),
    }
    refused = representation if representation is not None and representation.decision == "refused" else next(
        (r for r in case.representations if r.decision == "refused"), None)
    return {
        "council_name": current_app.config["CASEWORK_COUNCIL_NAME"],
        "case": case,
        "policy": policy,
        "person": case.person,
        "recipient_name": who.name if who is not None else "Sir or Madam",
        "today": format_date(today_london()),
        "received_on": format_date(case.received_at),
        "officer": current_user.name,
        "due": due,
        "outcome": outcomes.get(case.outcome, humanise(case.outcome)) if case.outcome else None,
        "remedies": [remedies.get(r, humanise(r)) for r in (case.remedies or [])],
        "compensation": case.compensation,
        "details": case.details or {},
        "fields": fields,
        "format_date": format_date,
        "decline_reason": decline_reason,
        "refused": refused,
        "lgsco": LGSCO,
    }


def render_letter(key: str, case, representation=None) -> tuple[str, str]:
    """(subject, body) of a letter, from the procedure's variant when there is one."""
    key = ALIASES.get(key, key)
    if key not in LETTERS:
        key = "general"
    context = letter_context(case, representation)
    try:
        text = render_template(f"letters/{key}_{case.procedure}.txt", **context)
    except TemplateNotFound:
        text = render_template(f"letters/{key}.txt", **context)
    first, _, rest = text.lstrip().partition("\n")
    subject = first.removeprefix("Subject:").strip()
    body = re.sub(r"\n{3,}", "\n\n", rest.strip())  # templates leave room around optional paragraphs
    return subject, body + "\n"


def _send_email(letter) -> bool:
    """Hand an e-mail to the notifications outbox after the commit, if that module offers it."""
    try:
        from .. import notifications  # owned by the notifications work; optional here
    except ImportError:
        return False
    send = getattr(notifications, "send_email", None)
    if send is None:
        return False
    try:
        send(to=letter.recipient, subject=letter.subject, body=letter.body, case_id=letter.case_id)
        db.session.commit()
        return True
    except Exception:  # the letter is recorded; delivery problems show in the outbox
        log.exception("Could not hand letter %s to the outbox", letter.id)
        db.session.rollback()
        return False


@bp.route("/<reference>/letters/new", methods=["GET", "POST"])
@requires(Permission.SEND_LETTER)
def compose(reference: str):
    case = _case_or_404(reference)
    key = request.values.get("template")
    if key:
        key = ALIASES.get(key, key)
    if key not in LETTERS:
        return render_template("cases/letter_choose.html", case=case, letters=LETTERS)
    representation = None
    rep_id = request.values.get("representation", "")
    if rep_id.isdigit():
        representation = db.session.get(Representation, int(rep_id))
        if representation is None or representation.case_id != case.id:
            abort(404)
    who = _recipient(case, representation)
    if request.method == "GET":
        subject, body = render_letter(key, case, representation)
        wants_email = who is not None and who.email and (who.preferred_contact_method in (None, "email"))
        recipient = who.email if wants_email else "\n".join(filter(None, [
            who.name if who else None, who.address if who else None, who.postcode if who else None]))
        form = LetterForm(formdata=None, subject=subject, body=body, recipient=recipient,
                          delivery="email" if wants_email else "print")
        return render_template("cases/letter_compose.html", case=case, form=form, key=key, title=LETTERS[key], who=who,
                               representation=representation, format_labels=FORMAT_LABELS)
    form = LetterForm()
    if form.validate():
        status = "sent" if form.delivery.data == "email" else "printed"
        try:
            letter = record_letter(case, template=key, subject=form.subject.data, body=form.body.data,
                                   channel="email" if status == "sent" else "letter", recipient=form.recipient.data,
                                   status=status, actor=current_user)
        except CaseworkError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            db.session.commit()
            if status == "sent":
                _send_email(letter)
                flash(f"Email sent to {letter.recipient} and added to the timeline", "success")
                return redirect(url_for("cases.show", reference=case.reference))
            flash("Letter added to the timeline: print it and post it", "success")
            return redirect(url_for("letters.show", reference=case.reference, letter_id=letter.id))
    return render_template("cases/letter_compose.html", case=case, form=form, key=key, title=LETTERS[key], who=who,
                           representation=representation, format_labels=FORMAT_LABELS), 400


@bp.get("/<reference>/letters/<int:letter_id>")
@requires(Permission.VIEW_CASE)
def show(reference: str, letter_id: int):
    case = _case_or_404(reference)
    letter = db.session.get(Correspondence, letter_id)
    if letter is None or letter.case_id != case.id:
        abort(404)
    large = bool(case.person and case.person.preferred_format == "large_print")
    return render_template("cases/letter_show.html", case=case, letter=letter, large_print=large)
