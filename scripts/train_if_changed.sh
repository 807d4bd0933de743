#!/usr/bin/env bash
# Train the Rasa model only when its inputs changed since the last training; otherwise reuse it.
# Inputs: bot/config.yml, bot/domain.yml, everything under data/, and the Rasa version. (The rest
# of bot/ -- channels, endpoints, credentials -- is read at run time and needs no retraining.)
# The fingerprint of the inputs is kept next to the model as $MODELS_DIR/tutor.fingerprint.
set -euo pipefail
cd "$(dirname "$0")/.."

RASA_VENV="${RASA_VENV:-.venv-rasa}"
RASA="$RASA_VENV/bin/rasa"
MODELS_DIR="${MODELS_DIR:-models}"
MODEL="$MODELS_DIR/tutor.tar.gz"
STAMP="$MODELS_DIR/tutor.fingerprint"
export RASA_TELEMETRY_ENABLED=false

fingerprint() {
  {
    "$RASA_VENV/bin/python" -c 'import importlib.metadata as m; print("rasa", m.version("rasa"))' 
    find bot/config.yml bot/domain.yml data -type f -name '*.yml' -print0 | LC_ALL=C sort -z \
      | xargs -0 sha256sum
  } | sha256sum | cut -d' ' -f1
}

# One training at a time per models folder: a second caller waits, then finds the model current.
mkdir -p "$MODELS_DIR"
exec 9>"$MODELS_DIR/.train.lock"
flock 9

want="$(fingerprint)"
if [[ -f "$MODEL" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
  echo "model up to date: reusing $MODEL (bot/ and data/ unchanged)"
  exit 0
fi

echo "training: bot/ or data/ changed since the last training (or no model yet)"
mkdir -p "$MODELS_DIR"
start=$SECONDS
"$RASA" train --domain bot/domain.yml --config bot/config.yml --data data \
  --out "$MODELS_DIR" --fixed-model-name tutor --quiet
echo "$want" > "$STAMP"
echo "trained $MODEL in $((SECONDS - start))s"
