#!/usr/bin/env bash
# The remote-store tests start a real Virtuoso 7 (Debian's virtuoso-opensource); install it
# when missing. Only the server binary and isql are used: each test session runs its own
# database from a temporary directory, so the package's system service is never needed.
set -euo pipefail
if command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install Virtuoso 7 (Debian: virtuoso-opensource) for the remote-store tests" >&2
    exit 2
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
# The package asks for a DBA password through debconf and starts a system service: neither
# is wanted here (the tests run their own server), so answer non-interactively.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    virtuoso-opensource >/dev/null
