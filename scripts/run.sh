#!/usr/bin/env bash
# Set up and run Casework on an embedded SQLite database, with demo data and the scheduler.
#   ./scripts/run.sh            then open http://127.0.0.1:5000
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
scripts/assets.sh
.venv/bin/flask --app wsgi db upgrade
.venv/bin/flask --app wsgi casework demo --if-empty --cases "${CASEWORK_DEMO_CASES:-5000}"
echo "Casework is starting on http://127.0.0.1:5000 (demo users: see README.md; password casework-demo)"
CASEWORK_SCHEDULER=1 exec .venv/bin/flask --app wsgi run --host 127.0.0.1 --port "${PORT:-5000}"
