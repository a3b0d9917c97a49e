#!/usr/bin/env bash
# Create or update .venv (pip install -e .[dev]) and run the test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/ensure_venv.sh
. scripts/ensure_venv.sh
ensure_venv dev
exec .venv/bin/python -m pytest "$@"
