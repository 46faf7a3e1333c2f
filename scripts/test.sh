#!/usr/bin/env bash
# Install everything the tests need (the project, its test extras, Debian's Chromium for the
# browser tests, Debian's Virtuoso for the remote-store tests), then run lint, type checks and
# the whole test suite. Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
ensure_venv test
scripts/install-browser.sh
scripts/install-virtuoso.sh
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy
.venv/bin/pytest "$@"
