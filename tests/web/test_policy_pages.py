"""A flowchart page per policy, drawn from the same data the engine runs (004 report §4.4)."""
from __future__ import annotations

import re

import pytest

from casework.operations.policies import current_policies

KEYS = ["corporate", "childrens", "adults", "lgsco", "member_enquiry", "mp_enquiry", "feedback",
        "service_request", "corporate_code2026"]


def test_index_lists_every_policy(client):
    html = client.get("/policies/").get_data(as_text=True)
    for key in KEYS:
        assert f'href="/policies/{key}"' in html


@pytest.mark.parametrize("key", KEYS)
def test_each_policy_page_draws_its_states_and_lists_its_clocks(client, key):
    policy = current_policies()[key]
    response = client.get(f"/policies/{key}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    start = html.index('<svg id="policy-diagram"')
    svg = html[start:html.index("</svg>", start)]
    assert len(re.findall(r"<rect ", svg)) >= len(policy.states)
    for state in policy.states.values():
        assert state.name in html and state.cite in html
    for clock in policy.clocks.values():
        assert clock.name in html
        row = html[html.index(f">{clock.name}<"):]
        assert f">{clock.days}<" in row[:400]
    assert 'role="img"' in svg and "<title" in svg


def test_unknown_policy_page_is_404(client):
    assert client.get("/policies/nope").status_code == 404
