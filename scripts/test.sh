#!/usr/bin/env bash
# Install what the tests need and run the whole suite (SQLite by default; DATABASE_URL for PostgreSQL).
#   ./scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
scripts/assets.sh
if [ -n "${DATABASE_URL:-}" ]; then
  echo "Test database: ${DATABASE_URL}"
else
  echo "Test database: SQLite (set DATABASE_URL=postgresql+psycopg://... for PostgreSQL)"
fi
exec .venv/bin/python -m pytest "$@"
