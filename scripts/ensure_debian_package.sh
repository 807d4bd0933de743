#!/usr/bin/env bash
# Install Debian's PACKAGE when COMMAND is not on the PATH: ensure_debian_package.sh COMMAND PACKAGE WHY
# Idempotent: does nothing when COMMAND is there. Needs root (or sudo) the first time. Only the
# binary is wanted: a package's own service is never started (policy-rc.d answers 101 meanwhile),
# since the project runs each program itself, on its own ports, with its own config.
set -euo pipefail
COMMAND="$1" PACKAGE="$2" WHY="${3:-}"
if command -v "$COMMAND" >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [[ "$(id -u)" != 0 ]]; then SUDO="sudo"; fi
echo "installing Debian's $PACKAGE${WHY:+ for $WHY}"
$SUDO apt-get update -qq
POLICY=/usr/sbin/policy-rc.d
if [[ ! -e $POLICY ]]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee $POLICY >/dev/null
  $SUDO chmod +x $POLICY
  trap '$SUDO rm -f $POLICY' EXIT
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$PACKAGE" >/dev/null
command -v "$COMMAND"
