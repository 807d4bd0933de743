"""The ``tutor`` command, run in-process on the real model and real documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actions.knowledge.cli import app

from .helpers import NEW_DOC, copy_seeds

runner = CliRunner()


@pytest.fixture(scope="module")
def dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("cli")
    knowledge = copy_seeds(base / "knowledge")
    index = base / "index"
    result = runner.invoke(app, ["index", "--knowledge", str(knowledge), "--index-dir", str(index)])
    assert result.exit_code == 0, result.output
    assert result.output.count("added: ") == 5
    assert "index rebuilt: 5 documents" in result.output
    return knowledge, index


def _args(dirs: tuple[Path, Path]) -> list[str]:
    return ["--knowledge", str(dirs[0]), "--index-dir", str(dirs[1])]


def test_validate_valid_and_invalid(tmp_path: Path, dirs: tuple[Path, Path]) -> None:
    ok = runner.invoke(app, ["validate", str(dirs[0])])
    assert ok.exit_code == 0 and "5 document(s) valid" in ok.output
    bad = tmp_path / "bad.txt"
    bad.write_text("")
    result = runner.invoke(app, ["validate", str(dirs[0]), str(bad)])
    assert result.exit_code == 1
    assert result.output.strip() == f"{bad}:1: " + result.output.strip().split(":1: ", 1)[1]
    assert "empty" in result.output


@pytest.mark.slow
def test_index_is_incremental_and_reports_changes(dirs: tuple[Path, Path]) -> None:
    same = runner.invoke(app, ["index", *_args(dirs)])
    assert same.exit_code == 0 and "index up to date: 5 documents unchanged" in same.output
    new = dirs[0] / "005_escalation.txt"
    new.write_text(NEW_DOC, encoding="utf-8")
    try:
        added = runner.invoke(app, ["index", *_args(dirs)])
        assert "added: 005_escalation.txt" in added.output
        assert "6 passages embedded, 99 reused" in added.output
    finally:
        new.unlink()
        removed = runner.invoke(app, ["index", *_args(dirs)])
        assert "removed: 005_escalation.txt" in removed.output


def test_index_refuses_broken_documents_and_keeps_the_old_index(dirs: tuple[Path, Path]) -> None:
    broken = dirs[0] / "009_broken.txt"
    broken.write_text("Preview\nTopic Synopsis\n", encoding="utf-8")
    try:
        result = runner.invoke(app, ["index", *_args(dirs)])
        assert result.exit_code == 1
        assert "009_broken.txt:2: heading 'Topic Synopsis' has no text" in result.output
        assert "index not changed" in result.output
    finally:
        broken.unlink()
    hits = runner.invoke(app, ["search", "HEAT", "--json", *_args(dirs)])
    assert hits.exit_code == 0 and json.loads(hits.output)


@pytest.mark.slow
def test_search_json_ranks_the_heat_passage_first(dirs: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["search", "What does HEAT stand for?", "-k", "3", "--json",
                                 *_args(dirs)])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert len(hits) == 3
    assert set(hits[0]) >= {"doc", "section", "text", "score"}
    assert "'HEAT' model" in " ".join(h["text"] for h in hits[:2])
    assert hits[0]["score"] >= hits[1]["score"] >= hits[2]["score"]


@pytest.mark.slow
def test_search_reads_queries_from_stdin_one_json_line_each(dirs: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["search", "-", "-k", "2", *_args(dirs)],
                           input="what is the STAR method\n\nwhat does FCR mean\n")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.strip().splitlines()]
    assert [line["query"] for line in lines] == ["what is the STAR method", "what does FCR mean"]
    assert "STAR method" in lines[0]["results"][0]["text"]
    assert any("First Contact Resolution" in r["text"] for r in lines[1]["results"])


def test_search_rejects_an_empty_query(dirs: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["search", "   ", *_args(dirs)])
    assert result.exit_code == 2 and "empty" in result.output


def test_inspect_json_lists_the_catalogue_with_counts(dirs: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["inspect", "--json", "--knowledge", str(dirs[0])])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"documents", "models", "legislation", "abbreviations", "misconceptions"} <= set(data)
    assert {m["name"] for m in data["models"]} >= {"HEAT", "LATER", "LAST", "STAR", "SMART"}
    assert all({"name", "steps", "doc"} <= set(m) for m in data["models"])
    assert all({"short", "long"} <= set(a) for a in data["abbreviations"])
    assert all({"text", "belief", "doc"} <= set(m) for m in data["misconceptions"])
    by_doc = {d["name"][:3]: d["counts"] for d in data["documents"]}
    assert by_doc["003"]["models"] == 2 and by_doc["004"]["misconceptions"] == 4
    assert sum(c["misconceptions"] for c in by_doc.values()) == len(data["misconceptions"])


def test_inspect_text_output_is_readable(dirs: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["inspect", "--knowledge", str(dirs[0])])
    assert result.exit_code == 0
    assert "HEAT: Hear, Empathise, Apologise, Take action" in result.output
    assert "Legislation:" in result.output and "GDPR" in result.output
