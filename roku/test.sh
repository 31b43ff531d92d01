#!/usr/bin/env bash
# Every check of the reference Roku channel: installs the pinned npm packages
# from package-lock.json, compiles and lints the BrightScript with the
# BrighterScript compiler and bslint, builds the side-load zip, and runs the
# feed logic in the brs interpreter against the saved feeds. Exits non-zero on
# any failure.  Usage: roku/test.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

echo "== npm install (roku/)"
if [[ -f package-lock.json ]]; then
    npm ci --no-audit --no-fund --loglevel=error
else
    npm install --no-audit --no-fund --loglevel=error
fi

echo "== BrighterScript compiler + bslint rules (channel, then tests)"
npx --no-install bsc --project bsconfig.json --log-level error
npx --no-install bsc --project bsconfig.tests.json --log-level error

echo "== bslint (channel, then tests)"
npx --no-install bslint --project bsconfig.json
npx --no-install bslint --project bsconfig.tests.json

echo "== package"
./package.sh

echo "== brs interpreter tests"
node --test tests/
