# shellcheck shell=bash
# Sourced by test.sh (and by the browser tests when Chromium is missing): make sure a headless Chromium is
# there for the browser tests and `veilleur report --pdf`. It uses Debian's own `chromium` package (never a
# browser build downloaded by a test tool): installed with apt-get when missing and running as root.
# Without root or apt-get it says why and returns 0; the tests that need Chromium then skip, saying so.
#
#   ensure_chromium    # no-op when $VEILLEUR_CHROMIUM or chromium is already there

ensure_chromium() {
    if [ -n "${VEILLEUR_CHROMIUM:-}" ] || command -v chromium >/dev/null 2>&1 ||
        command -v chromium-browser >/dev/null 2>&1; then
        return 0
    fi
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "note: Chromium is missing and cannot be installed here (needs root and apt-get):" \
            "browser and PDF tests will be skipped; install Debian's 'chromium' package to run them" >&2
        return 0
    fi
    echo "installing Debian's chromium package for the browser and PDF tests (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }; then
        echo "warning: apt-get could not install chromium: browser and PDF tests will be skipped" >&2
    fi
    return 0
}
