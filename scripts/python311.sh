#!/usr/bin/env bash
# Print the path of a Python 3.11 interpreter for the action server and knowledge engine.
set -euo pipefail
if command -v pyenv >/dev/null 2>&1; then
  for py in "$(pyenv root)"/versions/3.11*/bin/python3.11; do
    [ -x "$py" ] && { echo "$py"; exit 0; }
  done
fi
for py in python3.11 python3; do
  if "$py" -c 'import sys; assert sys.version_info[:2] == (3, 11)' >/dev/null 2>&1; then
    command -v "$py"; exit 0
  fi
done
if command -v uv >/dev/null 2>&1; then
  uv python install 3.11 >/dev/null 2>&1 || true
  py=$(uv python find 3.11 2>/dev/null || true)
  [ -n "$py" ] && { echo "$py"; exit 0; }
fi
echo "error: the action server needs Python 3.11; install it with pyenv or uv" >&2
exit 1
