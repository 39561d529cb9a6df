"""A page per policy: its state machine drawn as a flowchart from the same data the engine runs
(004 report §4.4: "flow charts as to how a complaint will be handled"). Public: residents may
see how their complaint will be handled."""
from __future__ import annotations

from flask import Blueprint, abort, render_template

from ..operations.policies import current_policies
from ..policy import layout, to_mermaid

bp = Blueprint("policies", __name__, url_prefix="/policies")


@bp.get("/")
def index():
    return render_template("policies/index.html", policies=list(current_policies().values()))


@bp.get("/<key>")
def detail(key: str):
    policy = current_policies().get(key)
    if policy is None:
        abort(404)
    return render_template("policies/detail.html", policy=policy, diagram=layout(policy), mermaid=to_mermaid(policy))
