"""Work queues: mine, my team's (service area), unassigned; soonest due first; RAG status; paging."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user

from ..operations.policies import current_policies
from ..queries.queues import DUE_FILTERS, QUEUES, QueueFilters, fetch_queue_page, fetch_service_areas
from .helpers import STAGE_TITLES, amber_until, today_london, week_end
from .permissions import Permission, requires

bp = Blueprint("queues", __name__)

QUEUE_TITLES = {
    "mine": "My cases",
    "team": "My team's cases",
    "unassigned": "Unassigned cases",
    "all": "All open cases",
}
DUE_TITLES = {"overdue": "Overdue", "today": "Due today", "week": "Due this week"}


def _int_arg(name: str, default: int | None = None, minimum: int = 1) -> int | None:
    value = request.args.get(name, "")
    if value.isdigit() and len(value) < 10 and int(value) >= minimum:
        return int(value)
    return default


def pagination(page, endpoint: str, **args) -> dict | None:
    """GOV.UK pagination params: previous/next and numbered pages with ellipses."""
    if page.pages <= 1:
        return None

    def href(n: int) -> str:
        return url_for(endpoint, **{**args, "page": n})

    numbers = sorted({1, page.pages, *range(max(1, page.page - 1), min(page.pages, page.page + 1) + 1)})
    items, last = [], 0
    for n in numbers:
        if n - last > 1:
            items.append({"ellipsis": True})
        items.append({"number": str(n), "href": href(n), "current": n == page.page})
        last = n
    params = {"items": items, "landmarkLabel": "Pages of results"}
    if page.page > 1:
        params["previous"] = {"href": href(page.page - 1)}
    if page.page < page.pages:
        params["next"] = {"href": href(page.page + 1)}
    return params


def _stages(policies) -> list[str]:
    """Every stage the procedures use, in the order a case moves through them."""
    found = {s.stage for p in policies.values() for s in p.states.values() if s.stage}
    order = list(STAGE_TITLES)
    return sorted(found, key=lambda s: (order.index(s) if s in order else len(order), s))


@bp.get("/cases")
@requires(Permission.VIEW_QUEUES)
def queue():
    queue_name = request.args.get("queue", "mine")
    if queue_name not in QUEUES:
        queue_name = "mine"
    due = request.args.get("due") or None
    if due not in DUE_FILTERS:
        due = None
    policies = current_policies()
    procedure = request.args.get("procedure") or None
    if procedure not in policies:
        procedure = None
    stages = _stages(policies)
    stage = request.args.get("stage") or None
    if stage not in stages:
        stage = None
    areas = fetch_service_areas()
    area_id = _int_arg("service_area")
    if area_id not in {a.id for a in areas}:
        area_id = None
    page_number = _int_arg("page", 1)
    filters = QueueFilters(queue=queue_name, due=due, procedure=procedure, stage=stage, service_area_id=area_id)
    no_team = queue_name == "team" and current_user.service_area_id is None
    today = today_london()
    per_page = current_app.config.get("CASEWORK_PAGE_SIZE", 50)
    page = fetch_queue_page(current_user, filters, page_number, per_page, today, week_end(today))
    args = {k: v for k, v in {"queue": queue_name, "due": due, "procedure": procedure, "stage": stage,
                              "service_area": area_id}.items() if v}
    return render_template(
        "cases/queue.html",
        page=page,
        queue=queue_name,
        queue_titles=QUEUE_TITLES,
        due_titles=DUE_TITLES,
        filters=filters,
        policies=policies,
        stages=stages,
        areas=areas,
        today=today,
        amber_last=amber_until(today),
        no_team=no_team,
        pagination=pagination(page, "queues.queue", **args),
        args=args,
    )
