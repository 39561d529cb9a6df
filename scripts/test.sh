#!/usr/bin/env bash
# Install what the tests need and run the whole suite (SQLite by default; DATABASE_URL for PostgreSQL).
#   ./scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
scripts/assets.sh
# Browser tests drive Debian's chromium (never a downloaded browser; see ../shared/TOOLCHAIN.md).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    echo "No /usr/bin/chromium and no root to install it: run 'sudo apt-get install chromium' for the browser tests" >&2
    exit 1
  fi
fi
if [ -n "${DATABASE_URL:-}" ]; then
  echo "Test database: ${DATABASE_URL}"
else
  echo "Test database: SQLite (set DATABASE_URL=postgresql+psycopg://... for PostgreSQL)"
fi
exec .venv/bin/python -m pytest "$@"
