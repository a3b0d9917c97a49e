# shellcheck shell=bash
# Sourced by run_sample.sh and test.sh: create or update .venv at the repository root and install the
# project into it (editable). Needs Python >= 3.11 and network access to PyPI, nothing else.
#
#   ensure_venv        # pip install -e .
#   ensure_venv dev    # pip install -e .[dev]  (pytest, hypothesis, ruff, mypy)
#
# The install is skipped when pyproject.toml has not changed since the last one (a stamp in .venv).
# PYTHON=/path/to/python3.x picks the interpreter (default: the newest python3.1x found, else python3).

_VEILLEUR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${_VEILLEUR_ROOT}/.venv"

_find_python() {
    local candidate
    for candidate in ${PYTHON:-} python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    echo "error: Python >= 3.11 not found (set PYTHON=/path/to/python3.11)" >&2
    return 1
}

# Debian and Ubuntu ship Python without ensurepip unless python3-venv is installed: fetch pip's wheel
# from PyPI (checking its sha256) and let the wheel install itself.
_bootstrap_pip() {
    echo "ensurepip is not available: installing pip into .venv from PyPI" >&2
    "$VENV/bin/python" - <<'PY'
import hashlib, json, os, subprocess, sys, tempfile, urllib.parse, urllib.request

index = "https://pypi.org/pypi/pip/json"
with urllib.request.urlopen(index, timeout=60) as response:
    meta = json.load(response)
    base = response.geturl()
wheel = next(u for u in meta["urls"] if u["packagetype"] == "bdist_wheel")
with urllib.request.urlopen(urllib.parse.urljoin(base, wheel["url"]), timeout=120) as response:
    data = response.read()
if hashlib.sha256(data).hexdigest() != wheel["digests"]["sha256"]:
    sys.exit("error: the pip wheel downloaded from PyPI does not match its sha256")
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, wheel["filename"])
    with open(path, "wb") as handle:
        handle.write(data)
    subprocess.run([sys.executable, os.path.join(path, "pip"), "install", "--quiet", "--no-index", path],
                   check=True)
PY
}

ensure_venv() {
    local extras="${1:-}" python stamp_file want have spec
    python="$(_find_python)" || return 1
    if [ ! -x "$VENV/bin/python" ]; then
        echo "creating $VENV with $python" >&2
        if ! "$python" -m venv "$VENV" 2>/dev/null; then
            rm -rf "$VENV"
            "$python" -m venv --without-pip "$VENV"
        fi
    fi
    if ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
        _bootstrap_pip
    fi
    stamp_file="$VENV/.veilleur-install"
    want="$( (cat "$_VEILLEUR_ROOT/pyproject.toml"; "$VENV/bin/python" -V) | sha256sum | cut -d' ' -f1)"
    have="$(cat "$stamp_file" 2>/dev/null || true)"
    # an install with [dev] also satisfies a plain one
    if [ "$have" = "$want dev" ] || [ "$have" = "$want $extras" ]; then
        return 0
    fi
    spec="."
    [ -n "$extras" ] && spec=".[$extras]"
    echo "installing Veilleur into .venv (pip install -e '$spec'; the first time downloads spaCy and the French model)" >&2
    (cd "$_VEILLEUR_ROOT" && "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec")
    echo "$want $extras" >"$stamp_file"
}
