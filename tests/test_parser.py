"""The parser reads every seed document and the Markdown variant of the format."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions.knowledge.model import SectionKind
from actions.knowledge.parser import document_paths, parse_file, parse_text

from .helpers import KNOWLEDGE

SEEDS = document_paths(KNOWLEDGE)


def test_all_five_seeds_are_present() -> None:
    assert len(SEEDS) >= 5


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_every_seed_parses_cleanly_with_all_sections(path: Path) -> None:
    result = parse_file(path)
    assert result.ok, result.problems
    doc = result.document
    assert doc is not None
    assert doc.name == path.name
    for kind in SectionKind:
        assert doc.section(kind), f"{path.name} has no {kind}"
    # every item knows its file, section and line, and the line really holds its text
    lines = path.read_text(encoding="utf-8").splitlines()
    for item in doc.items:
        assert item.source.doc == path.name
        assert item.text[:40] in lines[item.source.line - 1]


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_bullets_match_the_file(path: Path) -> None:
    doc = parse_file(path).document
    assert doc is not None
    bullets = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.startswith("- ")]
    assert len([i for i in doc.items if i.kind is not SectionKind.SYNOPSIS]) == len(bullets)


def test_concepts_are_split_into_term_and_definition() -> None:
    doc = parse_file(SEEDS[0]).document
    assert doc is not None
    concepts = doc.section(SectionKind.CONCEPTS)
    assert all(c.term and c.definition for c in concepts)
    first = concepts[0]
    assert first.text == f"{first.term}: {first.definition}"


def test_preview_line_is_not_an_item() -> None:
    doc = parse_file(SEEDS[0]).document
    assert doc is not None
    first_line = SEEDS[0].read_text(encoding="utf-8").splitlines()[0]
    assert doc.preview == first_line.strip()
    assert all(item.source.line > 1 for item in doc.items)


MARKDOWN = """\
# Handling Refunds

## Topic Synopsis
Refunds must follow policy and the law.

## Key Concepts & Core Principles
- Refund policy: The written rules for returns,
  continued on an indented line.
- Proof of purchase: A receipt or bank statement.

## Exam Tips & Revision Strategies
- Quote the policy.

## Common Misconceptions & Mistakes to Avoid
- Assuming that every refund needs a receipt, which turns away lawful claims.

## Examiner Marking Points
- Award credit for naming the policy.
"""


def test_markdown_documents_are_read_with_their_title() -> None:
    result = parse_text(MARKDOWN, "refunds.md")
    assert result.ok, result.problems
    doc = result.document
    assert doc is not None
    assert doc.title == "Handling Refunds"
    assert doc.synopsis == "Refunds must follow policy and the law."
    concept = doc.section(SectionKind.CONCEPTS)[0]
    assert concept.text.endswith("continued on an indented line.")
    assert concept.source.line == 7
    assert doc.section(SectionKind.MARKING)[0].source.line == 18


def test_plain_documents_are_titled_by_their_number() -> None:
    doc = parse_file(SEEDS[2]).document
    assert doc is not None
    assert doc.doc_id == SEEDS[2].name.split("_")[0]
    assert doc.title == f"Topic {doc.doc_id}"
