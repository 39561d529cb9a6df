"""Who may see which page and do what: the one place the web app decides it.

Every view in the staff web app is wrapped in `requires(PERMISSION)`; a route-list test fails
when a view has no permission (or is not listed as public). Which *policy action* a role may
take is the policy's business (`roles` on each action in policies/*.toml) and the engine
enforces it; this table only says who may reach the action pages at all. docs/roles.md is
checked against this table by a test.

Councillors see only their own pages (their enquiries; issue 5) and none of the staff pages
below: personal data is disclosed to them only under 001 §7.2–7.3
(casework/operations/disclosure.py).
"""
from __future__ import annotations

from enum import StrEnum
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from ..models import Role


class Permission(StrEnum):
    VIEW_QUEUES = "view_queues"
    VIEW_CASE = "view_case"
    LOG_CONTACT = "log_contact"
    TAKE_ACTION = "take_action"
    ASSIGN_ANYONE = "assign_anyone"
    ASSIGN_SELF = "assign_self"
    SEND_LETTER = "send_letter"
    SEARCH = "search"
    VIEW_PERSON = "view_person"
    VIEW_EQUALITY = "view_equality"
    VIEW_REPORTS = "view_reports"
    COUNCILLOR_PAGES = "councillor_pages"


_STAFF = frozenset({Role.ADMIN, Role.RESIDENT_EXPERIENCE, Role.SERVICE_RECOVERY, Role.INVESTIGATING_OFFICER, Role.DIRECTOR})
_FRONT_DOOR = frozenset({Role.ADMIN, Role.RESIDENT_EXPERIENCE, Role.SERVICE_RECOVERY})

# Permission -> the roles that have it, and what it lets them do (docs/roles.md is built from this).
RULES: dict[Permission, tuple[frozenset[str], str]] = {
    Permission.VIEW_QUEUES: (_STAFF, "See the case queues: mine, my team's, unassigned"),
    Permission.VIEW_CASE: (_STAFF, "See a case: summary, person, deadlines, timeline"),
    Permission.LOG_CONTACT: (_FRONT_DOOR, "Log a contact at the front door (complaint, comment, compliment, request, enquiry)"),
    Permission.TAKE_ACTION: (_STAFF, "Reach the action pages; which actions each role may take is set per action in the policy"),
    Permission.ASSIGN_ANYONE: (
        frozenset({Role.ADMIN, Role.RESIDENT_EXPERIENCE, Role.SERVICE_RECOVERY, Role.DIRECTOR}),
        "Assign or reassign a case to any member of staff",
    ),
    Permission.ASSIGN_SELF: (_STAFF, "Take a case (assign it to yourself)"),
    Permission.SEND_LETTER: (_STAFF, "Write, edit and send (or print) letters from the templates"),
    Permission.SEARCH: (_STAFF, "Search cases and people by reference, name, e-mail, phone, postcode"),
    Permission.VIEW_PERSON: (_STAFF, "See a person's page: contact details, preferences and all their cases"),
    Permission.VIEW_EQUALITY: (
        frozenset({Role.ADMIN}),
        "See a person's equality monitoring answers (everyone else sees only whether they were given; 004 §5.4)",
    ),
    Permission.VIEW_REPORTS: (
        frozenset({Role.ADMIN, Role.SERVICE_RECOVERY, Role.DIRECTOR}),
        "See the reports: dashboard, figures, annual report, exports, satisfaction samples, committee issues (POLICY.md §9)",
    ),
    Permission.COUNCILLOR_PAGES: (
        frozenset({Role.COUNCILLOR}),
        "A councillor's own pages: raise an enquiry, my enquiries, my constituents' cases, their progress and replies "
        "(personal data only under 001 §7.2–7.3); nothing else",
    ),
}

# Pages anyone may see, signed in or not (the route-list test allows only these without a permission).
PUBLIC_ENDPOINTS = frozenset({
    "static", "auth.login", "auth.logout", "main.index", "main.home", "main.accessibility", "policies.index", "policies.detail",
})


def roles_with(permission: Permission) -> frozenset[str]:
    return RULES[permission][0]


def can(user, permission: Permission) -> bool:
    """True when this signed-in, active user's role has the permission."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in roles_with(permission)


def requires(permission: Permission):
    """View decorator: sign-in first (redirect), then the permission (403 page)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        guarded = login_required(wrapper)
        guarded.required_permission = permission
        return guarded

    return decorator


def roles_table_markdown() -> str:
    """The table docs/roles.md must contain (a test compares them)."""
    roles = [r.value for r in Role]
    head = "| permission | what it allows | " + " | ".join(roles) + " |"
    rule = "|---|---|" + "---|" * len(roles)
    rows = [
        f"| `{p.value}` | {text} | " + " | ".join("yes" if r in allowed else "–" for r in roles) + " |"
        for p, (allowed, text) in RULES.items()
    ]
    return "\n".join([head, rule, *rows])


def policy_actions_markdown(policies) -> str:
    """Which role may take which action, per procedure, from the policy files (docs/roles.md)."""
    roles = [r.value for r in Role if r != Role.COUNCILLOR]
    out = []
    for policy in policies.values():
        out.append(f"### {policy.title} (`{policy.key}`)\n")
        out.append("| action | " + " | ".join(roles) + " |")
        out.append("|---|" + "---|" * len(roles))
        for action in policy.actions.values():
            out.append(f"| {action.title} (`{action.name}`) | " + " | ".join("yes" if r in action.roles else "–" for r in roles) + " |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
