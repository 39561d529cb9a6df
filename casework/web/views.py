"""The home page: what the signed-in user needs to do next."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..models import Role
from ..queries.cases import CaseFilters, fetch_paginated_cases
from ..queries.queues import fetch_queue_summaries
from ..workdays import london_date, utc_now
from .helpers import week_end
from .permissions import Permission, can

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for("main.home"))


@bp.get("/home")
@login_required
def home():
    if current_user.role == Role.COUNCILLOR:
        return redirect(url_for("councillors.home"))  # their own pages (issue 5)
    today = london_date(utc_now())
    filters = CaseFilters(is_open=True)
    if current_user.role not in (Role.ADMIN, Role.DIRECTOR, Role.COUNCILLOR):
        filters.assignee_id = current_user.id
    cases, has_more = fetch_paginated_cases(current_user, filters, 1, 20, today)
    summaries = fetch_queue_summaries(current_user, today, week_end(today)) if can(current_user, Permission.VIEW_QUEUES) else []
    return render_template("home.html", cases=cases, has_more=has_more, today=today, summaries=summaries)


@bp.get("/accessibility")
def accessibility():
    """The accessibility statement the Public Sector Bodies Accessibility Regulations 2018 require."""
    return render_template("accessibility.html")
