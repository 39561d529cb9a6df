#!/usr/bin/env bash
# Install GOV.UK Frontend from npm and copy its built files to casework/static/govuk (served at /assets).
set -euo pipefail
cd "$(dirname "$0")/.."
target=casework/static/govuk
if [ ! -f node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css ]; then
  npm install --no-audit --no-fund --loglevel=error
fi
dist=node_modules/govuk-frontend/dist/govuk
mkdir -p "$target"
cp "$dist/govuk-frontend.min.css" "$dist/govuk-frontend.min.js" "$target/"
# The CSS asks for /assets/fonts and /assets/images: serve them there too.
rm -rf casework/static/fonts casework/static/images casework/static/manifest.json
cp -r "$dist/assets/fonts" "$dist/assets/images" casework/static/
cp "$dist/assets/manifest.json" casework/static/ 2>/dev/null || true
echo "GOV.UK Frontend $(node -p "require('./node_modules/govuk-frontend/package.json').version") copied to $target"
