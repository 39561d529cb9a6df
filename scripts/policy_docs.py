"""Regenerate the list of procedures in docs/policies.md from policies/*.toml.

    .venv/bin/python scripts/policy_docs.py
"""
from __future__ import annotations

from pathlib import Path

from casework.policy import load_policies

ROOT = Path(__file__).resolve().parent.parent
MARK = "<!-- generated below by scripts/policy_docs.py -->"


def render() -> str:
    out = []
    for key, p in load_policies(ROOT / "policies").items():
        out.append(f"### `{key}` — {p.title} (version {p.version})\n")
        out.append(f"Source: {p.cite}. Reference prefix `{p.reference_prefix}`; kinds: {', '.join(p.kinds)}.\n")
        states = ", ".join(
            f"`{s.name}`" + (" (start)" if s.initial else " (end)" if s.final else "") for s in p.states.values()
        )
        out.append(f"States: {states}.\n")
        if p.clocks:
            out.append("| clock | working days | up to | started by | met by | source |\n|---|---:|---:|---|---|---|")
            for c in p.clocks.values():
                out.append(
                    f"| `{c.name}` ({c.kind}) | {c.days} | {c.extension_cap or '–'} | {', '.join(c.started_by)} "
                    f"| {', '.join(c.met_by) or '–'} | {c.cite} |"
                )
        else:
            out.append("No clocks.")
        out.append("")
    return "\n".join(out)


def main() -> None:
    path = ROOT / "docs" / "policies.md"
    head = path.read_text().split(MARK)[0]
    path.write_text(head + MARK + "\n\n" + render())


if __name__ == "__main__":
    main()
