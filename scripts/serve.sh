#!/usr/bin/env bash
# Install PeaceKG into .venv (first run only), build the graph if its sources changed,
# and serve it at http://127.0.0.1:8000/. Extra arguments go to `peacekg serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
ensure_venv ""
exec .venv/bin/peacekg serve "$@"
