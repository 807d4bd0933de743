"""Every kind of malformed document gets one FILE:LINE message that says how to fix it."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions.knowledge.validate import load_corpus

from .helpers import NEW_DOC, copy_seeds

GOOD = NEW_DOC


def _problems(tmp_path: Path, name: str, content: bytes | str) -> list[str]:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return [str(p) for p in load_corpus([path]).problems]


CASES = {
    "empty": ("", 1, "empty"),
    "blank lines only": ("\n\n   \n", 1, "empty"),
    "no sections": ("Just some notes.\nMore notes about refunds.\n", 1, "no section headings"),
    "text outside any section": (
        "Preview line\nStray sentence before the sections.\n" + GOOD.split("\n", 1)[1],
        2, "text outside any section",
    ),
    "heading with no bullets": (
        GOOD.replace("- Award credit for explaining when escalation is appropriate.\n", ""),
        11, "has no bullets",
    ),
    "synopsis with no text": (
        GOOD.replace("This extra topic covers when and how to escalate a customer issue to a "
                     "supervisor.\n", ""),
        2, "has no text",
    ),
    "line that is not a bullet": (
        GOOD.replace("- Name the CARE", "Name the CARE"), 8, "not a bullet",
    ),
    "section twice": (GOOD + "Exam Tips & Revision Strategies\n- Again.\n", 13, "appears twice"),
    "unknown markdown heading": (
        "# T\n## Topic Synopsis\nText.\n## Random Heading\n- x\n", 4, "unknown section heading",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_malformed_document_gets_a_located_message(tmp_path: Path, case: str) -> None:
    content, line, words = CASES[case]
    name = "bad.md" if "markdown" in case else "bad.txt"
    problems = _problems(tmp_path, name, content)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{tmp_path / name}:{line}: ")
    assert words in problems[0]


def test_unreadable_encoding_is_reported_with_its_line(tmp_path: Path) -> None:
    content = GOOD.encode("utf-8").replace(b"supervisor", b"superv\xe9isor")
    problems = _problems(tmp_path, "latin.txt", content)
    assert len(problems) == 1
    assert ":3: unreadable text" in problems[0] and "UTF-8" in problems[0]


def test_duplicate_titles_are_reported(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    body = "## Topic Synopsis\nText.\n## Examiner Marking Points\n- Point.\n"
    (folder / "a.md").write_text("# Refunds\n" + body)
    (folder / "b.md").write_text("# refunds\n" + body)
    corpus = load_corpus([folder])
    assert [d.name for d in corpus.documents] == ["a.md"]
    assert len(corpus.problems) == 1
    assert "b.md:1: title 'refunds' is already used by" in str(corpus.problems[0])


def test_seeds_are_valid(tmp_path: Path) -> None:
    corpus = load_corpus([copy_seeds(tmp_path / "k")])
    assert corpus.ok
    assert len(corpus.documents) == 5


def test_a_bad_document_does_not_hide_the_good_ones(tmp_path: Path) -> None:
    folder = copy_seeds(tmp_path / "k")
    (folder / "zz_broken.txt").write_text("")
    corpus = load_corpus([folder])
    assert len(corpus.documents) == 5
    assert [p.path.endswith("zz_broken.txt") for p in corpus.problems] == [True]
