#!/usr/bin/env python
"""Regenerate the generated tables in docs/roles.md (permissions and policy actions by role)."""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from casework.policy import load_policies  # noqa: E402
from casework.web.permissions import policy_actions_markdown, roles_table_markdown  # noqa: E402


def main() -> None:
    path = ROOT / "docs" / "roles.md"
    text = path.read_text()
    text = re.sub(r"(<!-- permissions table:[^\n]*-->\n).*?(<!-- end permissions table -->)",
                  lambda m: m.group(1) + roles_table_markdown() + "\n" + m.group(2), text, flags=re.S)
    text = re.sub(r"(<!-- policy actions:[^\n]*-->\n).*?(<!-- end policy actions -->)",
                  lambda m: m.group(1) + policy_actions_markdown(load_policies(ROOT / "policies")) + m.group(2), text, flags=re.S)
    path.write_text(text)


if __name__ == "__main__":
    main()
