#!/bin/sh
# Install the Debian packages some tests need, if they are missing:
#   - Chromium, for the browser tests (tests/browser), and fonts-noto-cjk for real Chinese
#     glyphs in its pages and screenshots;
#   - Pango (libpango-1.0-0 libpangoft2-1.0-0) and fonts-noto-cjk, which WeasyPrint needs to
#     lay out the official documents (PDF) in Chinese: the platform itself needs these in
#     production too (README, deployment);
#   - Go and golang.org/x/mod (golang-go golang-golang-x-mod-dev), for the transparency-log
#     interop test (tests/functional/test_logs_interop.py), which verifies our logs with Go's
#     sumdb/tlog and sumdb/note.
#
# Idempotent, and never fails the build: when a package cannot be installed (not root, no
# passwordless sudo, no apt-get, no network) it says so and exits 0; the tests that need it
# then skip with the reason. `playwright install` cannot download browsers here, hence apt.
set -u

CHROMIUM=/usr/bin/chromium
# Where golang-golang-x-mod-dev puts the sources the interop test builds against (GOPATH mode).
XMOD=/usr/share/gocode/src/golang.org/x/mod/sumdb/tlog

have_chromium() { [ -x "$CHROMIUM" ]; }
have_go() { command -v go >/dev/null 2>&1; }
have_xmod() { [ -d "$XMOD" ]; }
# Real CJK glyphs in screenshots and browser tests (without them every Chinese character is a box).
have_cjk_fonts() { [ -d /usr/share/fonts/opentype/noto ] && ls /usr/share/fonts/opentype/noto 2>/dev/null | grep -qi cjk; }
# WeasyPrint's layout libraries (official documents, certgov.documents).
have_package() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# The Debian packages still missing, space-separated.
missing=""
have_chromium || missing="$missing chromium"
have_go || missing="$missing golang-go"
have_xmod || missing="$missing golang-golang-x-mod-dev"
have_cjk_fonts || missing="$missing fonts-noto-cjk"
have_package libpango-1.0-0 || missing="$missing libpango-1.0-0"
have_package libpangoft2-1.0-0 || missing="$missing libpangoft2-1.0-0"
# The browser's own controls (file inputs, date pickers) in Chinese for Chinese pages.
[ -f /usr/lib/chromium/locales/zh-CN.pak ] || missing="$missing chromium-l10n"

if [ -z "$missing" ]; then
    echo "install-browser: Chromium ($CHROMIUM), CJK fonts, Pango, Go and golang.org/x/mod already installed; nothing to do."
    exit 0
fi
missing=${missing# }

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: no apt-get on this machine; install $missing yourself (the browser and Go interop tests that need them will skip)."
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    as_root="sudo -n"
else
    echo "install-browser: not root and no passwordless sudo; run 'apt-get install $missing' as root (the tests that need them will skip)."
    exit 0
fi

log=$(mktemp)
# The last thing apt-get said (its last non-empty line), for the messages.
apt_said() {
    said=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1)
    echo "${said:-nothing}"
}
run_apt() {
    # $as_root is deliberately unquoted: empty, or "sudo -n".
    $as_root env DEBIAN_FRONTEND=noninteractive apt-get "$@" >>"$log" 2>&1
}

if ! run_apt update -qq; then
    echo "install-browser: apt-get update failed (the tests that need $missing will skip); apt-get said: $(apt_said)"
    rm -f "$log"
    exit 0
fi
# One apt step for everything missing; if that fails (say one package is unavailable), each
# package on its own, so that one failure does not cost the others.
# $missing is deliberately unquoted: one word per package.
# shellcheck disable=SC2086
if ! run_apt install -y -qq $missing; then
    for package in $missing; do
        run_apt install -y -qq "$package" || true
    done
fi

if have_chromium; then
    case " $missing " in
    *" chromium "*) echo "install-browser: installed Chromium at $CHROMIUM ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))." ;;
    esac
else
    echo "install-browser: could not install Chromium (browser tests will skip); apt-get said: $(apt_said)"
fi
if have_go && have_xmod; then
    case " $missing " in
    *" golang-"*) echo "install-browser: Go ($(go version 2>/dev/null || echo 'version unknown')) and golang.org/x/mod (/usr/share/gocode) are installed." ;;
    esac
else
    echo "install-browser: could not install golang-go golang-golang-x-mod-dev (the Go interop test will skip); apt-get said: $(apt_said)"
fi
if have_cjk_fonts && have_package libpango-1.0-0 && have_package libpangoft2-1.0-0; then
    case " $missing " in
    *" fonts-noto-cjk "* | *" libpango"*) echo "install-browser: Pango and the Noto CJK fonts are installed (official documents)." ;;
    esac
else
    echo "install-browser: could not install Pango or fonts-noto-cjk (official documents cannot be laid out; their tests skip); apt-get said: $(apt_said)"
fi
rm -f "$log"
exit 0
