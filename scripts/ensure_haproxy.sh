#!/usr/bin/env bash
# Make sure Debian's HAProxy is installed for `make cluster` (scripts/cluster.py) and its test.
# Only the binary is used: scripts/cluster.py runs it in the foreground with its own config.
exec "$(dirname "$0")/ensure_debian_package.sh" haproxy haproxy "make cluster"
