#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests (tests/test_web_widget.py).
# Idempotent: does nothing when /usr/bin/chromium exists. Needs root (or sudo) the first time.
# Playwright drives this system browser; `playwright install` (a download of its own) is never used.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [[ "$(id -u)" != 0 ]]; then SUDO="sudo"; fi
echo "installing Debian's chromium for the browser tests"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
command -v chromium
