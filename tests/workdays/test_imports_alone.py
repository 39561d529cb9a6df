"""casework.workdays must import without Flask or the database (STYLE.md)."""

import subprocess
import sys
from pathlib import Path



REPO_ROOT = Path(__file__).resolve().parents[2]

CHECK = (
    "import casework.workdays, sys; "
    "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'flask_sqlalchemy')); "
    "assert not bad, bad"
)

# Stand in for casework/__init__.py, which builds the Flask app, so that this
# checks what casework.workdays itself pulls in.
WITHOUT_PARENT = (
    "import sys, types; "
    "pkg = types.ModuleType('casework'); pkg.__path__ = ['casework']; sys.modules['casework'] = pkg; "
)


def run(code):
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )


def test_workdays_itself_imports_without_flask_or_the_database():
    result = run(WITHOUT_PARENT + CHECK)
    assert result.returncode == 0, result.stderr


def test_the_check_would_catch_flask():
    # Guard against a check that cannot fail.
    result = run(WITHOUT_PARENT + "import flask; " + CHECK)
    assert result.returncode != 0
    assert "flask" in result.stderr


def test_import_casework_workdays_loads_no_flask_or_database():
    result = run(CHECK)
    assert result.returncode == 0, result.stderr
