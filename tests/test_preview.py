"""``tutor preview`` on the real seed documents with MiniLM: what a document would add, and warnings
(nothing quizzable, a name defined differently elsewhere, key concepts drifting from the synopsis)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actions.knowledge.catalogue import build_catalogue
from actions.knowledge.cli import app
from actions.knowledge.embedding import default_encoder
from actions.knowledge.parser import parse_file
from actions.knowledge.validate import load_corpus
from actions.report.preview import DRIFT_SIMILARITY, drift, preview

from .helpers import KNOWLEDGE, copy_seeds

pytestmark = pytest.mark.slow
SEEDS = {p.name[:3]: p for p in sorted(KNOWLEDGE.glob("00*.txt"))}


@pytest.mark.parametrize(("seed", "drifts"), [("000", True), ("001", True), ("002", False), ("003", False),
                                              ("004", False)])
def test_key_concepts_drifting_from_the_synopsis_are_flagged_in_the_seeds(seed: str, drifts: bool) -> None:
    doc = parse_file(SEEDS[seed]).document
    assert doc is not None
    rows, flagged = drift(doc, default_encoder())
    assert flagged is drifts and len(rows) == 5
    below = [r for r in rows if r["similarity"] < DRIFT_SIMILARITY]
    assert (len(below) == 5) if drifts else (len(below) <= 1)  # a clear margin either way


def test_a_seed_previews_its_catalogue_questions_and_drift_warning() -> None:
    result = preview(SEEDS["001"], KNOWLEDGE, default_encoder())
    data = result.to_dict()
    assert [m["name"] for m in data["extracted"]["models"]] == ["SMART"]
    assert data["extracted"]["models"][0]["steps"] == ["Specific", "Measurable", "Achievable", "Relevant",
                                                       "Time-bound"]
    inspected = build_catalogue(load_corpus([KNOWLEDGE]).documents).misconceptions
    mine = [m for m in inspected if m.source.doc == SEEDS["001"].name]
    assert len(data["extracted"]["misconceptions"]) == len(mine)
    assert data["extracted"]["misconceptions"] and data["new_questions"] > 5
    assert any("SMART" in q["prompt"] or q["answer"] == "SMART" for q in data["sample_questions"])
    assert any(w.startswith("key concepts drift") for w in data["warnings"])
    clean = preview(SEEDS["004"], KNOWLEDGE, default_encoder()).to_dict()
    assert not any("drift" in w for w in clean["warnings"]) and clean["drift"]["flagged"] is False


def test_a_copy_adds_nothing_quizzable_and_a_model_redefined_is_warned(tmp_path: Path) -> None:
    knowledge = copy_seeds(tmp_path / "knowledge")
    copy = tmp_path / "005_copy.txt"
    copy.write_text(SEEDS["004"].read_text())
    warnings = preview(copy, knowledge, default_encoder()).warnings
    assert any(w.startswith("adds nothing quizzable") for w in warnings)

    heat = tmp_path / "006_heat.txt"
    heat.write_text(SEEDS["002"].read_text().replace("(Hear, Empathise, Apologise, Take action)",
                                                    "(Halt, Explain, Act, Thank)"))
    found = preview(heat, knowledge, default_encoder()).warnings
    assert any("'HEAT' is defined differently in 002_" in w and "Halt, Explain, Act, Thank here" in w
               for w in found)


def test_the_preview_command(tmp_path: Path) -> None:
    runner = CliRunner()
    shown = runner.invoke(app, ["preview", str(SEEDS["000"])])
    assert shown.exit_code == 0, shown.output
    assert "Acknowledge, Respond, Follow-up" in shown.output and "0.27  Self-assessment" in shown.output
    assert "key concepts drift" in shown.output
    data = json.loads(runner.invoke(app, ["preview", "--json", str(SEEDS["003"])]).output)
    assert {m["name"] for m in data["extracted"]["models"]} >= {"LATER", "STAR"}
    broken = tmp_path / "broken.txt"
    broken.write_text("no sections at all\n")
    failed = runner.invoke(app, ["preview", str(broken)])
    assert failed.exit_code == 1 and "broken.txt:" in failed.output
