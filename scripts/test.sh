#!/usr/bin/env bash
# Create or update .venv (pip install -e .[dev]), make sure Chromium is there for the browser tests (apt-get
# as root), and run the test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/ensure_venv.sh
. scripts/ensure_venv.sh
ensure_venv dev
# the browser and PDF tests drive Debian's Chromium (installed here when missing and running as root)
# shellcheck source=scripts/ensure_chromium.sh
. scripts/ensure_chromium.sh
ensure_chromium
exec .venv/bin/python -m pytest "$@"
