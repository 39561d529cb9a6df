"""The deadline sweep: reminders, breach notices and the member-enquiry escalation chain.

Run every few minutes by the scheduler and, as of any time, by `flask casework sweep --at`.
For each running clock (one indexed query over `clocks`, by due date, in batches — never a
loop over all cases) it decides, as of that day:

* before the due date: a reminder to the case's officer N working days ahead, N from the
  clock's `remind_before` in the case's pinned policy (default 2 for deadlines; windows only
  when the policy asks); when several lead times have passed, only the nearest is sent;
* on the due date: a reminder that it is due today;
* on breach (the first working day after the due date): a notice to the officer and the team
  manager;
* member enquiries (POLICY.md §8, 001 §7.1): once overdue, escalation to the responsible senior
  officer (the service area's manager, else directors), and after a further
  CASEWORK_ENQUIRY_CHIEF_EXECUTIVE_DAYS working days a flag for the Chief Executive, sent to
  directors and administrators. Both are audit events on the case.

An unassigned case's reminders go to its service area's manager, else the Service Recovery
Team. Every notification has a unique key (clock, kind, due date) so each is decided once
however often the sweep runs, and in however many processes; e-mail is sent only after the
batch that decided it has committed (notifications.deliver_pending).
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select

from ..extensions import db
from ..models import Case, CaseKind, Clock
from ..notifications import DeliveryReport, NotificationDraft, create_notifications, deliver_pending
from ..operations.cases import record_event
from ..operations.calendar import fetch_calendar
from ..workdays import CalendarRangeError, london_date
from .policies import PolicyBook
from .recipients import Directory
from .settings import JobSettings, case_link

log = logging.getLogger("casework.jobs")

BATCH_SIZE = 500

# Which clocks of which procedures escalate when overdue (001 §7.1: an unanswered enquiry).
ESCALATING_CLOCKS = {"member_enquiry": ("enquiry.respond",)}

ESCALATED_EVENT = "escalated_to_senior_officer"
CHIEF_EXECUTIVE_EVENT = "flagged_for_chief_executive"

KIND_LABELS = {
    "deadline_reminder": ("reminder", "reminders"),
    "window_reminder": ("window closing reminder", "window closing reminders"),
    "deadline_due_today": ("due-today reminder", "due-today reminders"),
    "deadline_breached": ("breach notice", "breach notices"),
    "enquiry_escalated": ("escalation to a senior officer", "escalations to a senior officer"),
    "enquiry_chief_executive": ("Chief Executive flag", "Chief Executive flags"),
}

CASE_KIND_LABELS = {
    CaseKind.COMPLAINT: "complaint",
    CaseKind.COMMENT: "comment",
    CaseKind.COMPLIMENT: "compliment",
    CaseKind.SERVICE_REQUEST: "service request",
    CaseKind.MEMBER_ENQUIRY: "councillor enquiry",
    CaseKind.MP_ENQUIRY: "MP enquiry",
}


@dataclass
class SweepResult:
    as_of: date
    due_today: int
    breached: int
    decided: Counter = field(default_factory=Counter)
    recipients: int = 0
    escalated: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    errors: int = 0
    delivery: DeliveryReport | None = None

    def describe(self) -> str:
        lines = [f"Sweep as of {self.as_of.isoformat()}: {self.due_today} deadline(s) due today, {self.breached} breached."]
        if self.decided:
            parts = []
            for kind, (one, many) in KIND_LABELS.items():
                if self.decided[kind]:
                    parts.append(f"{self.decided[kind]} {one if self.decided[kind] == 1 else many}")
            lines.append(f"Decided {sum(self.decided.values())} new notification(s) for {self.recipients} recipient(s): {', '.join(parts)}.")
        else:
            lines.append("No new notifications (nothing due for a reminder, or already sent).")
        if self.escalated:
            lines.append("Escalated to a senior officer (001 §7.1): " + ", ".join(self.escalated))
        if self.flagged:
            lines.append("Flagged for the Chief Executive (001 §7.1): " + ", ".join(self.flagged))
        if self.errors:
            lines.append(f"{self.errors} batch(es) failed and were rolled back; the next sweep tries again (see the log).")
        if self.delivery is not None:
            lines.append(self.delivery.describe())
        return "\n".join(lines)


def _running():
    return (Clock.met_on.is_(None), Clock.stopped_on.is_(None), Clock.paused_since.is_(None))


def count_due_and_breached(today: date) -> tuple[int, int]:
    running = (*_running(), Clock.kind == "deadline")
    due_today = db.session.execute(select(func.count()).where(*running, Clock.due_on == today)).scalar_one()
    breached = db.session.execute(select(func.count()).where(*running, Clock.due_on < today)).scalar_one()
    return due_today, breached


def fetch_running_clocks(*, horizon: date, lower: date, after: tuple[date, int] | None, limit: int):
    """A batch of running, unpaused clocks of open cases due by `horizon`, soonest first.

    Clocks due before `lower` only when they escalate (member enquiries), however late.
    Served by ix_clocks_running_due (due_on WHERE met_on IS NULL AND stopped_on IS NULL).
    """
    escalating = [
        and_(Case.procedure == procedure, Clock.name.in_(names), Clock.kind == "deadline")
        for procedure, names in ESCALATING_CLOCKS.items()
    ]
    query = (
        select(
            Clock.id.label("clock_id"), Clock.name, Clock.kind, Clock.due_on,
            Case.id.label("case_id"), Case.reference, Case.kind.label("case_kind"), Case.procedure,
            Case.policy_version, Case.state, Case.assignee_id, Case.service_area_id, Case.raised_by_id,
        )
        .join(Case, Case.id == Clock.case_id)
        .where(*_running(), Case.is_open.is_(True), Clock.due_on <= horizon)
        .where(or_(Clock.due_on >= lower, *escalating))
        .order_by(Clock.due_on, Clock.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(or_(Clock.due_on > after[0], and_(Clock.due_on == after[0], Clock.id > after[1])))
    return db.session.execute(query).all()


class SweepPlanner:
    """Decides, for one clock as of one day, which notifications are due (pure given its inputs)."""

    def __init__(self, today: date, settings: JobSettings, directory: Directory, book: PolicyBook):
        self.today = today
        self.settings = settings
        self.directory = directory
        self.book = book

    def window(self) -> tuple[date, date]:
        """(lower, horizon) due dates worth looking at today, generously rounded."""
        calendar = fetch_calendar()
        leads = [self.settings.default_remind_before]
        for policy in self.book.all_in_use():
            for clock in policy.clocks.values():
                leads.extend(clock.remind_before)
        horizon = calendar.add_working_days(self.today, max(leads) + 1)
        lower = calendar.add_working_days(self.today, -(self.settings.catch_up_days + 2)) - timedelta(days=7)
        return lower, horizon

    def leads(self, row, definition) -> list[int]:
        if definition is not None and definition.remind_before:
            leads = definition.remind_before
        elif row.kind == "deadline":
            leads = (self.settings.default_remind_before,)
        else:
            leads = ()
        return sorted({n for n in leads if n > 0})

    def plan(self, row) -> list[NotificationDraft]:
        policy = self.book.get(row.procedure, row.policy_version)
        definition = self.book.clock_definition(policy, row.name)
        calendar = self.book.calendar(policy)
        today, due = self.today, row.due_on
        directory = self.directory
        context = {
            "reference": row.reference,
            "clock_title": definition.title if definition is not None else row.name,
            "clock_name": row.name,
            "clock_cite": definition.cite if definition is not None else None,
            "due_on": due,
            "for_date": today,
            "procedure_title": policy.title if policy is not None else row.procedure,
            "state_title": self.book.state_title(policy, row.state),
            "case_kind_label": CASE_KIND_LABELS.get(row.case_kind, row.case_kind.replace("_", " ")),
            "area_name": directory.area_name(row.service_area_id),
            "assignee_name": directory.name(row.assignee_id),
            "link": case_link(row.reference),
        }

        def draft(kind: str, recipients, **extra) -> NotificationDraft:
            return NotificationDraft(
                key=f"clock:{row.clock_id}:{extra.pop('key_kind', kind)}:{due.isoformat()}",
                kind=kind, recipients=recipients, context={**context, **extra}, for_date=today,
                case_id=row.case_id, clock_id=row.clock_id, due_on=due, link=context["link"],
                data={"clock": row.name, "reference": row.reference},
            )

        drafts: list[NotificationDraft] = []
        if due > today:
            eligible = [n for n in self.leads(row, definition) if calendar.add_working_days(due, -n) <= today]
            if eligible:
                lead = min(eligible)
                remind_on = calendar.add_working_days(due, -lead)
                if calendar.working_days_between(remind_on, today) <= self.settings.catch_up_days:
                    kind = "deadline_reminder" if row.kind == "deadline" else "window_reminder"
                    drafts.append(draft(
                        kind, directory.officer(row.assignee_id, row.service_area_id),
                        key_kind=f"reminder-{lead}", lead_days=lead,
                        days_left=calendar.working_days_between(today, due),
                    ))
            return drafts
        if row.kind != "deadline":
            return drafts
        if due == today:
            drafts.append(draft("deadline_due_today", directory.officer(row.assignee_id, row.service_area_id), key_kind="due"))
            return drafts
        breach_on = calendar.add_working_days(due, 1)
        if today < breach_on:
            return drafts  # overdue only from the next working day
        escalates = row.name in ESCALATING_CLOCKS.get(row.procedure, ())
        days_overdue = calendar.working_days_between(due, today)
        if calendar.working_days_between(breach_on, today) <= self.settings.catch_up_days:
            recipients = directory.officer(row.assignee_id, row.service_area_id)
            if not escalates:  # for enquiries the manager hears through the escalation
                recipients = recipients + directory.team_manager(row.service_area_id)
            drafts.append(draft("deadline_breached", recipients, key_kind="breach", days_overdue=days_overdue))
        if escalates:
            chief_executive_on = calendar.add_working_days(breach_on, self.settings.chief_executive_after_days)
            senior = directory.senior_officer(row.service_area_id)
            drafts.append(draft(
                "enquiry_escalated",
                senior + directory.councillor(row.raised_by_id, "You raised this enquiry: it has not been answered in time, so it has been escalated."),
                key_kind="escalation", days_overdue=days_overdue, breach_on=breach_on,
                chief_executive_on=chief_executive_on,
                senior_names=[directory.name(r.user_id) for r in senior],
            ))
            if today >= chief_executive_on:
                drafts.append(draft(
                    "enquiry_chief_executive",
                    directory.directors_and_admins("An enquiry from a councillor is still unanswered after escalation to a senior officer (001 §7.1)."),
                    key_kind="chief_executive", days_overdue=days_overdue, breach_on=breach_on,
                    after_days=self.settings.chief_executive_after_days,
                ))
        return drafts


def _record_escalation(draft: NotificationDraft, at: datetime, directory: Directory) -> None:
    case = db.session.get(Case, draft.case_id)
    notified = [directory.people[r.user_id].email for r in draft.recipients if r.user_id in directory.people]
    data = {
        "clock": draft.context["clock_name"],
        "due_on": draft.due_on,
        "notified": notified,
        "rule": "001 §7.1",
    }
    if draft.kind == "enquiry_escalated":
        data["chief_executive_on"] = draft.context["chief_executive_on"]
        record_event(case, ESCALATED_EVENT, None, data, at=at)
    else:
        data["working_days_after_escalation"] = draft.context["after_days"]
        record_event(case, CHIEF_EXECUTIVE_EVENT, None, data, at=at)


def run_sweep(at: datetime, *, deliver: bool = True, batch_size: int = BATCH_SIZE) -> SweepResult:
    """Decide (and commit, batch by batch) what is due as of `at`; then send what is pending."""
    today = london_date(at)
    settings = JobSettings.from_config()
    directory = Directory()
    book = PolicyBook()
    planner = SweepPlanner(today, settings, directory, book)
    result = SweepResult(today, *count_due_and_breached(today))
    lower, horizon = planner.window()
    db.session.commit()
    after = None
    while True:
        rows = fetch_running_clocks(horizon=horizon, lower=lower, after=after, limit=batch_size)
        if not rows:
            break
        after = (rows[-1].due_on, rows[-1].clock_id)
        try:
            drafts = []
            for row in rows:
                try:
                    drafts.extend(planner.plan(row))
                except CalendarRangeError as error:
                    log.warning("Clock %s of %s: %s", row.name, row.reference, error)
            won = create_notifications(drafts)
            for draft in won:
                if draft.kind in ("enquiry_escalated", "enquiry_chief_executive"):
                    _record_escalation(draft, at, directory)
            db.session.commit()
        except Exception:  # noqa: BLE001 - one bad batch must not stop the others
            db.session.rollback()
            result.errors += 1
            log.exception("Deadline sweep batch after %s failed; the next sweep retries it", after)
            continue
        for draft in won:
            result.decided[draft.kind] += 1
            result.recipients += len({r.user_id for r in draft.recipients})
            if draft.kind == "enquiry_escalated":
                result.escalated.append(draft.context["reference"])
            elif draft.kind == "enquiry_chief_executive":
                result.flagged.append(draft.context["reference"])
    if deliver:
        result.delivery = deliver_pending()
    return result
