"""casework.policy must import without Flask or the database (STYLE.md: policy/ is pure)."""

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

CHECK = (
    "import casework.policy, casework.policy.engine, casework.policy.loader, casework.policy.diagram, sys; "
    "casework.policy.load_policies('policies'); "
    "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'flask_sqlalchemy', 'werkzeug')); "
    "assert not bad, bad; "
    "print('ok')"
)

# casework/__init__.py builds the Flask app; stand in for it so that this checks what
# casework.policy itself pulls in (its only casework import is the pure workdays package).
WITHOUT_PARENT = (
    "import sys, types; "
    "pkg = types.ModuleType('casework'); pkg.__path__ = ['casework']; sys.modules['casework'] = pkg; "
)


def run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )


def test_casework_policy_imports_and_loads_without_flask_or_the_database():
    result = run(WITHOUT_PARENT + CHECK)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_the_check_would_catch_flask():
    result = run(WITHOUT_PARENT + "import flask; " + CHECK)
    assert result.returncode != 0 and "flask" in result.stderr


def test_the_policy_modules_name_no_web_or_database_package():
    source = "\n".join(p.read_text(encoding="utf-8") for p in (REPO_ROOT / "casework" / "policy").glob("*.py"))
    for banned in ("import flask", "from flask", "sqlalchemy", "from ..models", "from ..extensions"):
        assert banned not in source
