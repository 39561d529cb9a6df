"""The picture of each policy comes from the same data the engine runs."""

import pytest

from casework.policy import layout, to_mermaid


@pytest.mark.parametrize(
    "key",
    ["adults", "childrens", "corporate", "corporate_code2026", "feedback", "lgsco", "member_enquiry", "mp_enquiry", "service_request"],
)
def test_every_state_and_transition_is_drawn(policies, key):
    policy = policies[key]
    text = to_mermaid(policy)
    assert text.startswith("flowchart TD\n")
    for name in policy.states:
        assert f"    {name}" in text
    picture = layout(policy)
    ids = {n["id"] for n in picture["nodes"]}
    assert set(policy.states) <= ids
    for node in picture["nodes"]:
        assert 0 <= node["x"] and node["x"] + node["width"] <= picture["width"]
        assert 0 <= node["y"] and node["y"] + node["height"] <= picture["height"]
    for edge in picture["edges"]:
        assert edge["from"] in ids and edge["to"] in ids and len(edge["points"]) >= 2
    targets = {(e["from"], e["to"]) for e in picture["edges"]}
    for action in policy.actions.values():
        if action.to and not action.from_any:
            for source in action.from_states:
                if source != action.to:
                    assert (source, action.to) in targets


def test_clocks_are_shown_on_the_state_they_start_in(policies):
    picture = layout(policies["childrens"])
    stage2 = next(n for n in picture["nodes"] if n["id"] == "stage2")
    assert stage2["clocks"] == ["Stage 2 acknowledgement: 3 wd", "Stage 2 response: 25 wd (up to 65)"]
    initial = next(n for n in picture["nodes"] if n["initial"])
    assert initial["id"] == "informal" and initial["y"] == min(n["y"] for n in picture["nodes"])
    assert "Withdraw the complaint" in to_mermaid(policies["childrens"])


def test_mermaid_text_is_escaped(policies):
    text = to_mermaid(policies["lgsco"])
    assert '"' not in text.replace('["', "").replace('"]', "").replace('(["', "").replace('"])', "").replace('[["', "").replace('"]]', "").replace('|"', "").replace('"|', "").replace('{{"', "").replace('"}}', "")
