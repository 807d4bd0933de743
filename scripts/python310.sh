#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 runs only on 3.10): pyenv, then uv, then PATH.
set -euo pipefail
if command -v pyenv >/dev/null 2>&1; then
  for py in "$(pyenv root)"/versions/3.10*/bin/python3.10; do
    [ -x "$py" ] && { echo "$py"; exit 0; }
  done
fi
if command -v uv >/dev/null 2>&1; then
  uv python install 3.10 >/dev/null 2>&1 || true
  py=$(uv python find 3.10 2>/dev/null || true)
  [ -n "$py" ] && { echo "$py"; exit 0; }
fi
for py in python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
  if "$py" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
    command -v "$py"; exit 0
  fi
done
echo "error: Rasa 3.6 needs Python 3.10; install it with pyenv ('pyenv install 3.10') or uv" >&2
exit 1
