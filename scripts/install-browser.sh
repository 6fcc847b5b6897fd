#!/bin/sh
# Install Debian's Chromium for the browser tests (tests/browser), if it is missing.
#
# Idempotent, and never fails the build: when Chromium cannot be installed (not root, no
# passwordless sudo, no apt-get, no network) it says so and exits 0; the browser tests then
# skip with the reason. `playwright install` cannot download browsers here, hence apt.
set -u

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    echo "install-browser: Chromium already installed at $CHROMIUM; nothing to do."
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: no apt-get on this machine; install Chromium at $CHROMIUM yourself (browser tests will skip)."
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    as_root="sudo -n"
else
    echo "install-browser: not root and no passwordless sudo; run 'apt-get install chromium' as root (browser tests will skip)."
    exit 0
fi

log=$(mktemp)
# $as_root is deliberately unquoted: empty, or "sudo -n".
if $as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1 \
    && $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >>"$log" 2>&1 \
    && [ -x "$CHROMIUM" ]; then
    echo "install-browser: installed Chromium at $CHROMIUM ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))."
else
    echo "install-browser: could not install Chromium (browser tests will skip); apt-get said: $(tail -n 1 "$log")"
fi
rm -f "$log"
exit 0
