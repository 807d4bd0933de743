"""The Rasa project checked by the real ``rasa`` binary: data validation and test stories."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .servers import ROOT, ensure_model

RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(ROOT)}


def rasa(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(RASA), *args], cwd=ROOT, env=ENV, capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.slow
def test_rasa_data_validate() -> None:
    result = rasa("data", "validate", "--fail-on-warnings", "--domain", "bot/domain.yml",
                  "--data", "data", "--config", "bot/config.yml")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.slow
def test_rasa_test_stories_pass(tmp_path: Path) -> None:
    model = ensure_model() / "tutor.tar.gz"
    out = tmp_path / "results"
    result = rasa("test", "core", "--stories", "tests/test_stories.yml", "-m", str(model),
                  "--out", str(out), "--fail-on-prediction-errors")
    failed = out / "failed_test_stories.yml"
    report = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, report + result.stdout[-3000:] + result.stderr[-3000:]
    assert "story:" not in report, report


def _fake_rasa_venv(folder: Path) -> Path:
    """A venv whose ``rasa train`` only writes the model file (the real python reports the version)."""
    bin_dir = folder / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(ROOT / ".venv-rasa" / "bin" / "python")
    fake = bin_dir / "rasa"
    fake.write_text('#!/usr/bin/env bash\nwhile [[ $# -gt 0 ]]; do [[ $1 == --out ]] && out=$2; '
                    'shift; done\ntouch "$out/tutor.tar.gz"\n')
    fake.chmod(0o755)
    return folder


def test_training_is_skipped_when_bot_and_data_are_unchanged(tmp_path: Path) -> None:
    env = {**os.environ, "RASA_VENV": str(_fake_rasa_venv(tmp_path / "venv")),
           "MODELS_DIR": str(tmp_path / "models")}

    def train() -> str:
        result = subprocess.run([str(ROOT / "scripts" / "train_if_changed.sh")], cwd=ROOT,
                                env=env, capture_output=True, text=True, timeout=120, check=True)
        return result.stdout

    assert "training:" in train()
    assert (tmp_path / "models" / "tutor.tar.gz").exists()
    assert "model up to date" in train()
    (tmp_path / "models" / "tutor.fingerprint").write_text("something else changed\n")
    assert "training:" in train()


def test_action_responses_are_validated_by_a_compiled_validator_as_strictly_as_before() -> None:
    code = """
import jsonschema
import bot.channels  # installs the speed-up, as Rasa does when it loads the channels
from rasa.core.actions.action import RemoteAction
spec = RemoteAction.action_response_format_spec()
action = RemoteAction("action_answer", None)
good = {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": [{"text": "hi"}]}
bad = {"events": [{"event": "no_such_event"}], "responses": []}
jsonschema.validate(good, spec)
assert action._validate_action_result(good)
for check in (lambda: jsonschema.validate(bad, spec), lambda: action._validate_action_result(bad)):
    try:
        check()
    except jsonschema.ValidationError:
        pass
    else:
        raise SystemExit("a bad response was accepted")
print(RemoteAction._validate_action_result.__module__)
"""
    result = subprocess.run([str(ROOT / ".venv-rasa" / "bin" / "python"), "-c", code], cwd=ROOT,
                            env=ENV, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "bot.speedups.validation"
