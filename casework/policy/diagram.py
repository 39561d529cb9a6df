"""A picture of each policy, from the same data the engine runs (issue: "flow charts as to
how a complaint will be handled", 004 report §4.4).

Two pure outputs: Mermaid text (for documentation and anyone with a Mermaid renderer),
and a layered layout — nodes with x/y and edges with points — that a Jinja template can
draw as inline SVG with no JavaScript.
"""

from __future__ import annotations

from collections import deque

from .model import Policy
from .vocabulary import OPEN

__all__ = ["to_mermaid", "layout"]

NODE_WIDTH = 200
NODE_HEIGHT = 48
CLOCK_LINE = 16
GAP_X = 48
GAP_Y = 72
MARGIN = 24
ANY = "*"


def _clock_lines(policy: Policy) -> dict[str, list[str]]:
    """state -> the clocks that start on the way into it, e.g. "Stage 1 response: 10 wd"."""
    lines: dict[str, list[str]] = {name: [] for name in policy.states}
    for clock in policy.clocks.values():
        targets = set()
        for key in clock.started_by:
            if key == OPEN:
                targets.add(policy.initial_state.name)
            elif key in policy.actions:
                action = policy.actions[key]
                if action.to:
                    targets.add(action.to)
                else:
                    targets.update(s for s in action.from_states if s in policy.states)
        cap = f" (up to {clock.extension_cap})" if clock.extension_cap else ""
        for target in sorted(targets):
            lines[target].append(f"{clock.title}: {clock.days} wd{cap}")
    return lines


def _edges(policy: Policy) -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = {}
    for action in policy.actions.values():
        if not action.to:
            continue
        sources = [ANY] if action.from_any else [s for s in action.from_states if s != action.to]
        for source in sources:
            labels = edges.setdefault((source, action.to), [])
            if action.title not in labels:
                labels.append(action.title)
    return edges


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def to_mermaid(policy: Policy) -> str:
    """A Mermaid flowchart: states as boxes (rounded = initial, double = final) with the
    clocks that start on entry; arrows labelled with action titles."""
    clocks = _clock_lines(policy)
    lines = ["flowchart TD"]
    for state in policy.states.values():
        label = _mermaid_text(state.title)
        if clocks[state.name]:
            label += "<br/><small>" + "<br/>".join(_mermaid_text(c) for c in clocks[state.name]) + "</small>"
        if state.initial:
            lines.append(f'    {state.name}(["{label}"])')
        elif state.final:
            lines.append(f'    {state.name}[["{label}"]]')
        else:
            lines.append(f'    {state.name}["{label}"]')
    edges = _edges(policy)
    if any(source == ANY for source, _ in edges):
        lines.append('    any_open{{"Any open state"}}')
    for (source, target), labels in edges.items():
        src = "any_open" if source == ANY else source
        arrow = "-.->" if source == ANY else "-->"
        lines.append(f'    {src} {arrow}|"{_mermaid_text(", ".join(labels))}"| {target}')
    return "\n".join(lines) + "\n"


def layout(policy: Policy) -> dict:
    """Nodes placed in layers by distance from the initial state (final states reached
    only from "any open state" go in the bottom row), and edges as point lists.

    Returns {"width", "height", "nodes": [{"id", "title", "x", "y", "width", "height",
    "initial", "final", "stage", "clocks", "stays", "cite"}], "edges": [{"from", "to",
    "label", "points", "label_x", "label_y", "dashed"}]} — coordinates in px, origin top left.
    """
    edges = _edges(policy)
    graph: dict[str, list[str]] = {name: [] for name in policy.states}
    for source, target in edges:
        if source != ANY:
            graph[source].append(target)
    depth: dict[str, int] = {}
    initial = policy.initial_state.name
    queue = deque([(initial, 0)])
    while queue:
        state, d = queue.popleft()
        if state in depth:
            continue
        depth[state] = d
        for target in graph[state]:
            if target not in depth:
                queue.append((target, d + 1))
    if policy.switch_entry and policy.switch_entry not in depth:
        depth[policy.switch_entry] = 1
    bottom = max(depth.values(), default=0) + 1
    has_any = any(source == ANY for source, _ in edges)
    if has_any:
        bottom += 1
    for name in policy.states:
        depth.setdefault(name, bottom)
    layers: dict[int, list[str]] = {}
    for name in policy.states:  # file order within a layer
        layers.setdefault(depth[name], []).append(name)
    if has_any:
        layers.setdefault(bottom - 1, []).append(ANY)

    clocks = _clock_lines(policy)
    stays: dict[str, list[str]] = {name: [] for name in policy.states}
    for action in policy.actions.values():
        if action.to is None or action.to in action.from_states:
            for s in action.from_states:
                if s in stays and action.title not in stays[s]:
                    stays[s].append(action.title)

    widest = max(len(row) for row in layers.values())
    width = 2 * MARGIN + widest * NODE_WIDTH + (widest - 1) * GAP_X
    heights = {
        level: max(NODE_HEIGHT + CLOCK_LINE * len(clocks.get(n, [])) for n in row)
        for level, row in layers.items()
    }
    nodes = {}
    y = MARGIN
    for level in sorted(layers):
        row = layers[level]
        row_width = len(row) * NODE_WIDTH + (len(row) - 1) * GAP_X
        x = (width - row_width) // 2
        for name in row:
            if name == ANY:
                nodes[ANY] = {
                    "id": ANY, "title": "Any open state", "x": x, "y": y,
                    "width": NODE_WIDTH, "height": NODE_HEIGHT, "initial": False, "final": False,
                    "pseudo": True, "stage": None, "clocks": [], "stays": [], "cite": "",
                }
            else:
                state = policy.states[name]
                nodes[name] = {
                    "id": name, "title": state.title, "x": x, "y": y, "width": NODE_WIDTH,
                    "height": NODE_HEIGHT + CLOCK_LINE * len(clocks[name]),
                    "initial": state.initial, "final": state.final, "pseudo": False,
                    "stage": state.stage, "clocks": clocks[name], "stays": stays[name], "cite": state.cite,
                }
            x += NODE_WIDTH + GAP_X
        y += heights[level] + GAP_Y
    height = y - GAP_Y + MARGIN

    out_edges = []
    for (source, target), labels in edges.items():
        a, b = nodes[source], nodes[target]
        ax, bx = a["x"] + a["width"] // 2, b["x"] + b["width"] // 2
        if b["y"] > a["y"]:
            points = [[ax, a["y"] + a["height"]], [bx, b["y"]]]
        elif b["y"] < a["y"]:  # back edge: leave from the right, come in from the right
            side = max(a["x"] + a["width"], b["x"] + b["width"]) + GAP_X // 2
            points = [
                [a["x"] + a["width"], a["y"] + a["height"] // 2],
                [side, a["y"] + a["height"] // 2],
                [side, b["y"] + b["height"] // 2],
                [b["x"] + b["width"], b["y"] + b["height"] // 2],
            ]
        else:  # same row
            left, right = (a, b) if a["x"] < b["x"] else (b, a)
            points = [
                [left["x"] + left["width"], left["y"] + left["height"] // 2],
                [right["x"], right["y"] + right["height"] // 2],
            ]
            if left is b:
                points.reverse()
        mid = len(points) // 2
        (x1, y1), (x2, y2) = points[mid - 1], points[mid]
        out_edges.append({
            "from": source, "to": target, "label": ", ".join(labels), "points": points,
            "label_x": (x1 + x2) // 2, "label_y": (y1 + y2) // 2, "dashed": source == ANY,
        })
    return {"width": width, "height": height, "nodes": list(nodes.values()), "edges": out_edges}
