"""Documents become passages: the units that are indexed and quoted back to learners."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .model import Document, SectionKind


@dataclass(frozen=True)
class Passage:
    """One indexed unit: a bullet or the synopsis, with where it came from."""

    id: str  # "<file>:<line>"
    doc: str
    section: SectionKind
    line: int
    text: str
    term: str | None = None

    @property
    def search_text(self) -> str:
        """What is embedded and matched: the section's name gives the passage its role."""
        return f"{self.section.label}: {self.text}"

    @property
    def key(self) -> str:
        """Content hash: the embedding cache is keyed by what is embedded, never by name."""
        return content_key(self.search_text)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "doc": self.doc,
            "section": self.section.value,
            "line": self.line,
            "text": self.text,
            "term": self.term,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Passage:
        return cls(
            id=str(data["id"]),
            doc=str(data["doc"]),
            section=SectionKind(str(data["section"])),
            line=int(data["line"]),  # type: ignore[arg-type]
            text=str(data["text"]),
            term=data.get("term") or None,  # type: ignore[arg-type]
        )


def content_key(text: str) -> str:
    """The cache key of an embedded text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def passages_of(doc: Document) -> list[Passage]:
    """Every item of ``doc`` as a passage, in document order."""
    return [
        Passage(
            id=f"{doc.name}:{item.source.line}",
            doc=doc.name,
            section=item.kind,
            line=item.source.line,
            text=item.text,
            term=item.term,
        )
        for item in doc.items
    ]
