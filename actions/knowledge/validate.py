"""Read a set of topic documents, checking each one and the set as a whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .model import Document
from .parser import Problem, document_paths, parse_file


@dataclass
class Corpus:
    """The documents that parsed cleanly, and every problem found."""

    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _display(path: Path) -> str:
    """Paths under the working folder are shown relative to it, others in full."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def expand(paths: list[Path]) -> list[Path]:
    """Files as given, folders as the documents inside them."""
    found: list[Path] = []
    for path in paths:
        found.extend(document_paths(path) if path.is_dir() else [path])
    return found


def load_corpus(paths: list[Path]) -> Corpus:
    """Parse every document under ``paths``; a document with a problem is left out."""
    corpus = Corpus()
    titles: dict[str, str] = {}
    for path in expand(paths):
        shown = _display(path)
        if not path.exists():
            corpus.problems.append(Problem(shown, 1, "no such file or folder"))
            continue
        result = parse_file(path, shown)
        corpus.problems.extend(result.problems)
        doc = result.document
        if doc is None or result.problems:
            continue
        key = doc.title.casefold()
        if key in titles:
            corpus.problems.append(Problem(
                shown, 1,
                f"title '{doc.title}' is already used by {titles[key]}; give each document "
                "its own title (or its own number prefix)",
            ))
            continue
        titles[key] = shown
        corpus.documents.append(doc)
    return corpus
