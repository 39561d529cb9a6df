"""Who may see which page: one table (casework/web/permissions.py), enforced on the server."""
from __future__ import annotations

from pathlib import Path

import pytest

from casework.models import Role
from casework.operations.policies import current_policies
from casework.web.permissions import (
    PUBLIC_ENDPOINTS,
    RULES,
    Permission,
    can,
    policy_actions_markdown,
    roles_table_markdown,
)
from tests.factories import make_user
from tests.web.helpers import make_case, sign_in

ROOT = Path(__file__).resolve().parents[2]
# Blueprints other people own and guard themselves (the notifications pages and development outbox; the API).
OTHER_OWNERS = {"outbox", "notifications", "api"}


def test_every_page_declares_a_permission_or_is_public(app):
    missing = []
    for rule in app.url_map.iter_rules():
        endpoint = rule.endpoint
        if endpoint.split(".")[0] in OTHER_OWNERS or endpoint in PUBLIC_ENDPOINTS:
            continue
        view = app.view_functions[endpoint]
        if not isinstance(getattr(view, "required_permission", None), Permission):
            missing.append(f"{endpoint} ({rule.rule})")
    assert not missing, "Pages with no permission in casework/web/permissions.py: " + ", ".join(missing)


def test_docs_roles_md_matches_the_permissions_and_the_policies(app):
    text = (ROOT / "docs" / "roles.md").read_text()
    assert roles_table_markdown() in text, "docs/roles.md is out of date: run scripts/roles_doc.py"
    assert policy_actions_markdown(current_policies()) in text, "docs/roles.md is out of date: run scripts/roles_doc.py"


def test_councillors_have_no_staff_permission():
    staff = {p: roles for p, (roles, _) in RULES.items() if p != Permission.COUNCILLOR_PAGES}
    assert all(Role.COUNCILLOR not in roles for roles in staff.values())
    assert RULES[Permission.COUNCILLOR_PAGES][0] == {Role.COUNCILLOR}  # their own pages only (issue 5)


def _pages(case):
    return {
        Permission.VIEW_QUEUES: "/cases",
        Permission.VIEW_CASE: f"/cases/{case.reference}",
        Permission.LOG_CONTACT: "/contacts/new/find",
        Permission.SEARCH: "/search?q=bins",
        Permission.VIEW_PERSON: f"/people/{case.person_id}",
        Permission.SEND_LETTER: f"/cases/{case.reference}/letters/new",
    }


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_exactly_the_pages_its_permissions_allow(client, role):
    user = make_user(role)
    case = make_case()
    sign_in(client, user)
    for permission, url in _pages(case).items():
        response = client.get(url)
        expected = 200 if can(user, permission) else 403
        if role == Role.COUNCILLOR and url == f"/cases/{case.reference}":
            # a councillor following a case link goes to their own page for it, where the
            # disclosure rule applies: this case is not theirs, so it is not found there
            assert response.status_code == 302 and response.headers["Location"].endswith(f"/councillor/cases/{case.reference}")
            response = client.get(response.headers["Location"])
            expected = 404
        assert response.status_code == expected, (role, permission, url, response.status_code)
    if role == Role.COUNCILLOR:
        assert "You cannot see this page" in client.get("/cases").get_data(as_text=True)


def test_signed_out_users_are_sent_to_sign_in(client):
    case = make_case()
    for url in ("/cases", f"/cases/{case.reference}", "/contacts/new/", "/search", f"/people/{case.person_id}",
                f"/cases/{case.reference}/actions/start_stage1"):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], url


def test_posts_are_guarded_too(client):
    """A councillor posting to an action or assignment changes nothing (403)."""
    case = make_case()
    sign_in(client, make_user(Role.COUNCILLOR))
    assert client.post(f"/cases/{case.reference}/actions/start_stage1", data={"reason": "not_resolved"}).status_code == 403
    assert client.post(f"/cases/{case.reference}/assign", data={"take": "1"}).status_code == 403
    assert client.post("/contacts/new/check").status_code == 403


def test_an_officer_may_take_a_case_but_not_assign_it_to_others(client):
    officer = make_user(Role.INVESTIGATING_OFFICER)
    other = make_user(Role.INVESTIGATING_OFFICER)
    case = make_case()
    sign_in(client, officer)
    assert client.post(f"/cases/{case.reference}/assign", data={"assignee": str(other.id)}).status_code == 403
    assert client.post(f"/cases/{case.reference}/assign", data={"take": "1"}).status_code == 302
    assert case.assignee_id == officer.id
