#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests (tests/test_web_widget.py).
# Playwright drives this system browser; `playwright install` (a download of its own) is never used.
exec "$(dirname "$0")/ensure_debian_package.sh" chromium chromium "the browser tests"
