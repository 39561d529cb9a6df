"""The few things reporting records: satisfaction samples and answers, committee issues, and the
Ombudsman's annual letter figures. Use cases in the operations style: validate, change, flush;
the request or command commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import BigInteger, cast, exists, func, insert, literal, not_, select, update

from ..extensions import db
from ..models import Case, CommitteeIssue, Event, OmbudsmanLetter, SatisfactionSurvey, User
from ..models.reports import COMMITTEE_ISSUE_STATUSES, SurveyEquality
from ..operations.errors import InvalidField
from ..workdays import utc_now
from .period import Period

C = Case.__table__
E = Event.__table__
SV = SatisfactionSurvey.__table__

# Closed complaints with an answer: the ones a satisfaction form makes sense for (004 §16.1).
SURVEYABLE_STATES = ("closed", "resolved_informally")
_PRIME = 4294967291  # the largest prime below 2**32
_MULTIPLIER = 2654435761  # Knuth's multiplicative hash constant


def _eligible(period: Period):
    """Closed complaints in the period, not Ombudsman cases (004 §16.2), not yet sampled."""
    return [
        C.c.kind == "complaint",
        C.c.procedure != "lgsco",
        C.c.is_open.is_(False),
        C.c.state.in_(SURVEYABLE_STATES),
        C.c.closed_at >= period.utc_start,
        C.c.closed_at < period.utc_end,
        not_(exists().where(SV.c.case_id == C.c.id)),
        not_(exists().where(E.c.case_id == C.c.id, E.c.action == "refer_to_lgsco")),
    ]


def count_eligible_for_survey(period: Period) -> int:
    return db.session.execute(select(func.count()).select_from(C).where(*_eligible(period))).scalar_one()


@dataclass
class SampleResult:
    sample: str
    eligible: int
    sampled: int


def sample_for_survey(period: Period, *, size: int | None = None, percent: float | None = None, seed: int = 1,
                      actor: User | None = None, label: str | None = None) -> SampleResult:
    """Mark a pseudo-random sample of the period's closed complaints for a satisfaction form.

    The order is a fixed permutation of case ids chosen by `seed` ((id × 2654435761 + seed)
    mod 4294967291), so a sample can be drawn again and checked; one INSERT … SELECT.
    """
    if (size is None) == (percent is None):
        raise InvalidField("Give either the number of complaints to sample or a percentage", "size")
    eligible = count_eligible_for_survey(period)
    if percent is not None:
        if not 0 < percent <= 100:
            raise InvalidField("The percentage must be more than 0 and no more than 100", "percent")
        size = round(eligible * percent / 100)
    if size is None or size < 0:
        raise InvalidField("The sample size cannot be negative", "size")
    label = (label or f"{period.label} (seed {seed})").strip()[:80]
    if db.session.execute(select(func.count()).select_from(SV).where(SV.c.sample == label)).scalar_one():
        raise InvalidField(f"There is already a sample called “{label}”: choose another name", "label")
    order = (cast(C.c.id, BigInteger) * literal(_MULTIPLIER, BigInteger) + literal(seed, BigInteger)) % literal(_PRIME, BigInteger)
    chosen = (
        select(C.c.id, literal(label), literal(utc_now(), SV.c.sampled_at.type),
               literal(actor.id if actor is not None else None, SV.c.sampled_by_id.type))
        .where(*_eligible(period))
        .order_by(order, C.c.id)
        .limit(size)
    )
    db.session.execute(insert(SV).from_select(["case_id", "sample", "sampled_at", "sampled_by_id"], chosen))
    db.session.flush()
    # Counted, not taken from the cursor: drivers differ on INSERT … SELECT row counts.
    sampled = db.session.execute(select(func.count()).select_from(SV).where(SV.c.sample == label)).scalar_one()
    return SampleResult(sample=label, eligible=eligible, sampled=sampled)


def mark_sample_sent(sample: str, sent_on: date) -> int:
    """Record that the forms of a sample went out (those not sent already)."""
    result = db.session.execute(
        update(SV).where(SV.c.sample == sample, SV.c.sent_on.is_(None)).values(sent_on=sent_on)
    )
    return result.rowcount


SURVEY_ANSWER_FIELDS = ("accessible", "easy_to_use", "handling", "remedy", "overall")


PREFER_NOT_TO_SAY = ("prefer_not_to_say", "Prefer not to say")

# The equality monitoring questions on the satisfaction form (004 §16.2): the same questions and
# answers as the front door's (casework/web/forms.py EqualityForm; a test keeps them the same),
# so the two sets of answers can be read side by side. (column, question, ((value, words), ...)).
EQUALITY_QUESTIONS = (
    ("age_band", "Age", (
        *((v, v) for v in ("Under 18", "18 to 24", "25 to 34", "35 to 44", "45 to 54", "55 to 64", "65 to 74", "75 or over")),
        PREFER_NOT_TO_SAY)),
    ("sex", "Sex", (("female", "Female"), ("male", "Male"), PREFER_NOT_TO_SAY)),
    ("gender_identity", "Is your gender the same as the sex you were registered at birth?",
     (("yes", "Yes"), ("no", "No"), PREFER_NOT_TO_SAY)),
    ("ethnicity", "Ethnic group", (
        *((v, v) for v in ("Asian or Asian British", "Black, Black British, Caribbean or African",
                           "Mixed or multiple ethnic groups", "White", "Other ethnic group")),
        PREFER_NOT_TO_SAY)),
    ("disability", "Do you consider yourself to have a disability or long-term health condition?",
     (("yes", "Yes"), ("no", "No"), PREFER_NOT_TO_SAY)),
    ("religion", "Religion or belief", (
        *((v, v) for v in ("No religion", "Buddhist", "Christian", "Hindu", "Jewish", "Muslim", "Sikh", "Any other religion")),
        PREFER_NOT_TO_SAY)),
    ("sexual_orientation", "Sexual orientation", (
        ("straight", "Straight or heterosexual"), ("gay_lesbian", "Gay or lesbian"), ("bisexual", "Bisexual"),
        ("other", "Other"), PREFER_NOT_TO_SAY)),
)
# What the resident did with the equality section: answered some or all of it, said they prefer not
# to, or left it out ("" — nothing is stored).
EQUALITY_SECTION_CHOICES = (
    ("answered", "They answered some or all of the equality questions"),
    ("declined", "They ticked that they prefer not to answer them"),
    ("", "They left the equality questions out"),
)
EQUALITY_ANSWER_WORDS = {value: words for _, _, choices in EQUALITY_QUESTIONS for value, words in choices}


def _record_survey_equality(survey: SatisfactionSurvey, answers: dict) -> None:
    """The form's voluntary equality section (004 §16.2): answers checked against the questions'
    choices and kept apart from the scores; left out = no row."""
    section = (answers.get("eq_section") or "").strip()
    if section not in {value for value, _ in EQUALITY_SECTION_CHOICES}:
        raise InvalidField("Select what the resident did with the equality questions", "eq_section")
    values = {}
    for column, question, choices in EQUALITY_QUESTIONS:
        raw = (answers.get(f"eq_{column}") or "").strip()
        if raw and raw not in {value for value, _ in choices}:
            raise InvalidField(f"Choose one of the answers to “{question}”", f"eq_{column}")
        values[column] = raw or None
    if section == "answered" and not any(values.values()):
        raise InvalidField("Select at least one equality answer, or say they left the equality questions out", "eq_section")
    row = db.session.get(SurveyEquality, survey.id) if survey.id is not None else None
    if section == "":
        if row is not None:
            db.session.delete(row)
        return
    if row is None:
        row = SurveyEquality(survey_id=survey.id)
        db.session.add(row)
    row.declined = section == "declined"
    for column, value in values.items():
        setattr(row, column, None if row.declined else value)
    row.recorded_at = utc_now()


def fetch_survey_equality(survey: SatisfactionSurvey) -> SurveyEquality | None:
    return db.session.get(SurveyEquality, survey.id)


def record_survey_answers(survey: SatisfactionSurvey, answers: dict, *, returned_on: date, actor: User | None) -> SatisfactionSurvey:
    """Record a returned form: scores 1–5 (blank = not answered), comments, and the voluntary
    equality monitoring section (004 §16.2; left out unless `eq_section` says otherwise)."""
    if returned_on > utc_now().date():
        raise InvalidField("The date the form came back cannot be in the future", "returned_on")
    for name in SURVEY_ANSWER_FIELDS:
        value = answers.get(name)
        if value in (None, ""):
            setattr(survey, name, None)
            continue
        try:
            score = int(value)
        except (TypeError, ValueError):
            raise InvalidField("Choose a score from 1 to 5", name) from None
        if not 1 <= score <= 5:
            raise InvalidField("Choose a score from 1 to 5", name)
        setattr(survey, name, score)
    survey.comments = (answers.get("comments") or "").strip() or None
    _record_survey_equality(survey, answers)
    if survey.sent_on is None:
        survey.sent_on = returned_on
    if returned_on < survey.sent_on:
        raise InvalidField("The form cannot have come back before it was sent", "returned_on")
    survey.returned_on = returned_on
    survey.recorded_by_id = actor.id if actor is not None else None
    survey.recorded_at = utc_now()
    db.session.flush()
    return survey


def fetch_samples() -> list:
    """Each sample with its counts (sampled, sent, returned)."""
    return db.session.execute(
        select(
            SV.c.sample,
            func.min(SV.c.sampled_at).label("sampled_at"),
            func.count().label("sampled"),
            func.count(SV.c.sent_on).label("sent"),
            func.count(SV.c.returned_on).label("returned"),
        ).group_by(SV.c.sample).order_by(func.min(SV.c.sampled_at).desc())
    ).all()


def fetch_sample_surveys(sample: str, page: int = 1, per_page: int = 50):
    query = (
        select(SatisfactionSurvey, Case.reference, Case.summary)
        .join(Case, Case.id == SatisfactionSurvey.case_id)
        .where(SatisfactionSurvey.sample == sample)
        .order_by(SatisfactionSurvey.returned_on.is_not(None), Case.reference)
    )
    total = db.session.execute(select(func.count()).select_from(SV).where(SV.c.sample == sample)).scalar_one()
    rows = db.session.execute(query.offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total


# --- committee outstanding issues -----------------------------------------------------------

def save_committee_issue(values: dict, issue: CommitteeIssue | None = None) -> CommitteeIssue:
    """Add or update an item a committee asked officers to come back with (000; 002)."""
    committee = (values.get("committee") or "").strip()
    subject = (values.get("subject") or "").strip()
    if not committee:
        raise InvalidField("Enter the committee", "committee")
    if not subject:
        raise InvalidField("Enter what the committee asked about", "subject")
    if len(subject) > 300:
        raise InvalidField("The subject must be 300 characters or fewer", "subject")
    raised_on = values.get("raised_on")
    if not isinstance(raised_on, date):
        raise InvalidField("Enter the date of the meeting that asked", "raised_on")
    due = values.get("due_meeting")
    if due is not None and due < raised_on:
        raise InvalidField("The meeting it is due at must be after the meeting that asked", "due_meeting")
    status = values.get("status") or "outstanding"
    if status not in COMMITTEE_ISSUE_STATUSES:
        raise InvalidField("Choose a status", "status")
    if issue is None:
        issue = CommitteeIssue()
        db.session.add(issue)
    issue.committee = committee[:160]
    issue.subject = subject
    issue.raised_on = raised_on
    issue.due_meeting = due
    issue.requested = (values.get("requested") or "").strip() or None
    issue.lead_officer = (values.get("lead_officer") or "").strip()[:160] or None
    issue.notes = (values.get("notes") or "").strip() or None
    issue.status = status
    issue.updated_at = utc_now()
    db.session.flush()
    return issue


def fetch_committee_issues(include_closed: bool = False) -> list[CommitteeIssue]:
    query = select(CommitteeIssue)
    if not include_closed:
        query = query.where(CommitteeIssue.status.in_(("outstanding", "on_agenda")))
    return list(db.session.execute(
        query.order_by(CommitteeIssue.due_meeting.is_(None), CommitteeIssue.due_meeting, CommitteeIssue.id)
    ).scalars())


# --- the Ombudsman's annual letter ----------------------------------------------------------

LETTER_FIELDS = {
    "complaints_received": "int",
    "decisions": "int",
    "upheld": "int",
    "upheld_rate": "rate",
    "compliance_rate": "rate",
    "satisfactory_remedy_rate": "rate",
    "upheld_per_100k": "number",
}


def save_ombudsman_letter(year: int, values: dict) -> OmbudsmanLetter:
    """Record the figures the Ombudsman published for the council for a year (April–March)."""
    if not 2000 <= year <= 2100:
        raise InvalidField("Enter a year such as 2025 (for 2025/26)", "year")
    letter = db.session.get(OmbudsmanLetter, year) or OmbudsmanLetter(year=year)
    for name, kind in LETTER_FIELDS.items():
        raw = values.get(name)
        if raw in (None, ""):
            setattr(letter, name, None)
            continue
        try:
            number = Decimal(str(raw).strip().rstrip("%"))
        except InvalidOperation:
            raise InvalidField("Enter a number", name) from None
        if number < 0 or (kind == "rate" and number > 100):
            raise InvalidField("Enter a number from 0 to 100" if kind == "rate" else "Enter a number of 0 or more", name)
        if kind == "int":
            if number != number.to_integral_value():
                raise InvalidField("Enter a whole number", name)
            setattr(letter, name, int(number))
        else:
            setattr(letter, name, number.quantize(Decimal("0.1")))
    letter.notes = (values.get("notes") or "").strip() or None
    letter.recorded_at = utc_now()
    db.session.add(letter)
    db.session.flush()
    return letter


def fetch_ombudsman_letter(year: int) -> OmbudsmanLetter | None:
    return db.session.get(OmbudsmanLetter, year)


def population() -> int | None:
    """Residents, for upheld decisions per 100,000 (report setting "population")."""
    from ..models import ReportSetting

    row = db.session.get(ReportSetting, "population")
    try:
        return int(row.value) if row else None
    except ValueError:
        return None


def set_population(value: int | None) -> None:
    from ..models import ReportSetting

    row = db.session.get(ReportSetting, "population")
    if value is None:
        if row is not None:
            db.session.delete(row)
        return
    if value <= 0:
        raise InvalidField("The population must be a positive number", "population")
    if row is None:
        db.session.add(ReportSetting(key="population", value=str(value)))
    else:
        row.value = str(value)
    db.session.flush()

