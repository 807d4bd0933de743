#!/usr/bin/env bash
# Make sure Debian's HAProxy is installed for `make cluster` (scripts/cluster.py) and its test.
# Idempotent: does nothing when `haproxy` is on the PATH. Needs root (or sudo) the first time.
# Only the binary is used: scripts/cluster.py runs it in the foreground with its own config, so the
# package's own service (if the system starts it) is stopped and disabled here.
set -euo pipefail
if command -v haproxy >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [[ "$(id -u)" != 0 ]]; then SUDO="sudo"; fi
echo "installing Debian's haproxy for make cluster"
$SUDO apt-get update -qq
# policy-rc.d exit 101: the package's postinst must not start its own haproxy on :80
POLICY=/usr/sbin/policy-rc.d
if [[ ! -e $POLICY ]]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee $POLICY >/dev/null
  $SUDO chmod +x $POLICY
  trap '$SUDO rm -f $POLICY' EXIT
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq haproxy >/dev/null
command -v haproxy
