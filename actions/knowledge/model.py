"""Plain data types shared by every stage: parsed documents and the catalogue drawn from them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

T = TypeVar("T")


class SectionKind(StrEnum):
    """The five sections a topic document is made of."""

    SYNOPSIS = "synopsis"
    CONCEPTS = "concepts"
    TIPS = "tips"
    MISCONCEPTIONS = "misconceptions"
    MARKING = "marking"

    @property
    def label(self) -> str:
        """A learner-facing name for the section."""
        return SECTION_LABELS[self]


SECTION_LABELS: dict[SectionKind, str] = {
    SectionKind.SYNOPSIS: "Topic Synopsis",
    SectionKind.CONCEPTS: "Key Concepts & Core Principles",
    SectionKind.TIPS: "Exam Tips & Revision Strategies",
    SectionKind.MISCONCEPTIONS: "Common Misconceptions & Mistakes to Avoid",
    SectionKind.MARKING: "Examiner Marking Points",
}


@dataclass(frozen=True)
class Source:
    """Where an item came from: file name, section and 1-based line number."""

    doc: str
    section: SectionKind
    line: int


@dataclass(frozen=True)
class Item:
    """One bullet (or the synopsis paragraph) of a document."""

    text: str
    source: Source
    term: str | None = None  # "Name" of a "Name: definition" concept
    definition: str | None = None

    @property
    def kind(self) -> SectionKind:
        return self.source.section


@dataclass
class Document:
    """A parsed topic document."""

    name: str  # file name, e.g. 002_466da7c878b3f0f3.txt
    title: str  # Markdown "# Title"; else "Topic NNN" when parsed, a derived title in the catalogue
    preview: str
    items: list[Item] = field(default_factory=list)
    sha256: str = ""

    @property
    def doc_id(self) -> str:
        """Short id: the file name's prefix before the first underscore, e.g. ``002``."""
        stem = self.name.rsplit(".", 1)[0]
        return stem.split("_", 1)[0]

    @property
    def number(self) -> str | None:
        """The topic number learners use ('002'), when the file name starts with one."""
        return self.doc_id if self.doc_id.isdigit() else None

    @property
    def topic(self) -> str:
        """How the tutor names this document to a learner: 'Topic 002: Service plans and ...'."""
        title = self.title.strip()
        if self.number is None:
            return title or self.doc_id
        label = f"Topic {self.number}"
        return label if title.casefold() in ("", label.casefold()) else f"{label}: {title}"

    def section(self, kind: SectionKind) -> list[Item]:
        return [item for item in self.items if item.kind is kind]

    @property
    def synopsis(self) -> str:
        found = self.section(SectionKind.SYNOPSIS)
        return found[0].text if found else ""


@dataclass(frozen=True)
class NamedModel:
    """A named model or framework with its ordered steps, e.g. HEAT."""

    name: str
    steps: tuple[str, ...]
    source: Source
    context: str  # the sentence the model is defined in
    acronym: bool  # True when the name's letters are the steps' initials


@dataclass(frozen=True)
class Mention:
    """A sentence that mentions a law, with its source."""

    text: str
    source: Source


@dataclass(frozen=True)
class Law:
    """An act or regulation named in the documents."""

    name: str  # e.g. "Data Protection Act 2018" or "GDPR"
    year: int | None
    mentions: tuple[Mention, ...]

    @property
    def docs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.source.doc for m in self.mentions))


@dataclass(frozen=True)
class Abbreviation:
    """An abbreviation and its expansion, e.g. FCR -> First Contact Resolution."""

    short: str
    long: str
    source: Source


@dataclass(frozen=True)
class Claim:
    """One proposition inside a misconception, with the stance the mistaken learner takes.

    ``negated`` is True when the mistake is *not* doing or believing the proposition
    (``Failing to log interactions`` -> proposition "log interactions", negated).
    """

    text: str
    negated: bool


@dataclass(frozen=True)
class Misconception:
    """A bullet of a misconceptions section, with the belief in plain words and its correction."""

    text: str
    belief: str
    correction: str
    claims: tuple[Claim, ...]
    source: Source


@dataclass(frozen=True)
class Guidance:
    """An exam tip or an examiner marking point."""

    text: str
    source: Source


@dataclass
class Catalogue:
    """Everything the tutor knows by name, drawn from the documents."""

    documents: list[Document] = field(default_factory=list)
    models: list[NamedModel] = field(default_factory=list)
    laws: list[Law] = field(default_factory=list)
    abbreviations: list[Abbreviation] = field(default_factory=list)
    misconceptions: list[Misconception] = field(default_factory=list)
    tips: list[Guidance] = field(default_factory=list)
    marking_points: list[Guidance] = field(default_factory=list)
    _derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def cached(self, key: str, make: Callable[[], T]) -> T:
        """``make()``, computed once per catalogue (a catalogue is built once per index build)."""
        if key not in self._derived:
            self._derived[key] = make()
        return self._derived[key]

    def document(self, name: str) -> Document | None:
        """Find a document by file name or short id."""
        for doc in self.documents:
            if name in (doc.name, doc.doc_id):
                return doc
        return None

    def topic_of(self, doc_name: str) -> str:
        doc = self.document(doc_name)
        return doc.topic if doc else doc_name

    def cite(self, doc_name: str, section: SectionKind) -> str:
        """How every reply and question names a source:
        'Topic 002: Service plans and team leadership — Key Concepts & Core Principles'."""
        return f"{self.topic_of(doc_name)} — {section.label}"
