# Shared by serve.sh and test.sh: create .venv with Python >= 3.11 and install the project.
ensure_venv() {
    local extras="$1"
    local python="${PYTHON:-}"
    if [ -z "$python" ]; then
        for candidate in python3.11 python3.12 python3.13 python3; do
            if command -v "$candidate" >/dev/null 2>&1; then python="$candidate"; break; fi
        done
    fi
    if [ ! -x .venv/bin/python ]; then
        "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
            echo "PeaceKG needs Python >= 3.11 (found $("$python" --version))" >&2; exit 2; }
        "$python" -m venv .venv
        .venv/bin/python -m pip install --quiet --upgrade pip
    fi
    # A stamp keeps repeated runs fast: reinstall only when pyproject.toml or the pinned
    # versions (constraints.txt) changed.
    local stamp=".venv/.peacekg-installed${extras:+-$extras}"
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
        .venv/bin/python -m pip install --quiet -c constraints.txt -e ".${extras:+[$extras]}"
        touch "$stamp"
    fi
}
