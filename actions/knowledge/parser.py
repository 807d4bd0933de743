"""Parse topic documents (plain text or Markdown) into :class:`Document` objects, reporting problems.

The plain-text format is a preview line, then section headings on lines of their own, each followed
by ``- `` bullets (the synopsis is a paragraph). Markdown documents use ``# Title`` and ``## Section``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .model import SECTION_LABELS, Document, Item, SectionKind, Source

DOC_SUFFIXES = (".txt", ".md", ".markdown")

# Words that identify a section heading, checked in this order.
_HEADING_KEYWORDS: tuple[tuple[SectionKind, tuple[str, ...]], ...] = (
    (SectionKind.SYNOPSIS, ("synopsis", "overview", "summary")),
    (SectionKind.MISCONCEPTIONS, ("misconception", "mistake")),
    (SectionKind.MARKING, ("marking", "examiner")),
    (SectionKind.TIPS, ("tip", "revision")),
    (SectionKind.CONCEPTS, ("concept", "principle")),
)
_BULLET = re.compile(r"^\s*[-*•]\s+(?P<text>.*\S)\s*$")
_MD_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
_TERM = re.compile(r"^(?P<term>[^:]{2,80}?):\s+(?P<definition>\S.*)$")
_MAX_HEADING_CHARS = 70


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document, located to a line."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class ParseResult:
    document: Document | None
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return self.document is not None and not self.problems


def section_kind(heading: str) -> SectionKind | None:
    """Map a heading's text to a section kind by its key words, or None."""
    words = heading.lower()
    for kind, keys in _HEADING_KEYWORDS:
        if any(key in words for key in keys):
            return kind
    return None


def _heading_of(line: str, markdown: bool) -> tuple[int, str] | None:
    """Return (level, text) when ``line`` is a heading: Markdown ``#``, or a bare section name."""
    match = _MD_HEADING.match(line)
    if match:
        return len(match["hashes"]), match["text"].strip()
    if markdown:
        return None
    text = line.strip()
    if (
        text
        and len(text) <= _MAX_HEADING_CHARS
        and not _BULLET.match(line)
        and not text.endswith((".", ",", ";"))
        and section_kind(text) is not None
    ):
        return 2, text.rstrip(":")
    return None


def _split_term(text: str) -> tuple[str | None, str | None]:
    match = _TERM.match(text)
    if not match or len(match["term"].split()) > 8:
        return None, None
    return match["term"].strip(), match["definition"].strip()


def decode(raw: bytes, path: str) -> tuple[str | None, Problem | None]:
    """Decode UTF-8 (with or without BOM); report where decoding fails."""
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        return None, Problem(
            path,
            line,
            f"unreadable text: byte 0x{raw[err.start]:02x} at offset {err.start} is not UTF-8; "
            "save the file with UTF-8 encoding",
        )


def parse_text(text: str, name: str, path: str | None = None) -> ParseResult:
    """Parse a document's text. ``name`` is its file name, ``path`` how problems refer to it."""
    where = path or name
    problems: list[Problem] = []
    markdown = name.lower().endswith((".md", ".markdown"))
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        return ParseResult(
            None,
            [Problem(where, 1, "the document is empty; write a 'Topic Synopsis' paragraph and "
                     "bulleted sections such as 'Key Concepts & Core Principles'")],
        )

    title: str | None = None
    preview: str | None = None
    current: SectionKind | None = None
    heading_line = 0
    seen: dict[SectionKind, int] = {}
    counts: dict[SectionKind, int] = {}
    items: list[Item] = []
    synopsis_lines: list[tuple[int, str]] = []
    skipping = False

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        heading = _heading_of(line, markdown)
        if heading and heading[0] == 1 and current is None and title is None:
            title = heading[1]
            continue
        if heading:
            kind = section_kind(heading[1])
            if kind is None:
                problems.append(Problem(
                    where, number,
                    f"unknown section heading '{heading[1]}'; use one of: "
                    + ", ".join(f"'{label}'" for label in SECTION_LABELS.values()),
                ))
                _close_section(current, heading_line, counts, problems, where)
                current, skipping = None, True  # its lines belong to the reported heading
                continue
            if kind in seen:
                problems.append(Problem(
                    where, number,
                    f"section '{kind.label}' appears twice (first at line {seen[kind]}); "
                    "merge the two into one section",
                ))
            _close_section(current, heading_line, counts, problems, where)
            current, heading_line, skipping = kind, number, False
            seen.setdefault(kind, number)
            counts.setdefault(kind, 0)
            continue
        if skipping:
            continue
        if current is None:
            if preview is None and not seen:
                preview = line.strip()
                continue
            problems.append(Problem(
                where, number,
                "text outside any section; put it under a heading such as 'Key Concepts & Core "
                "Principles' or remove it",
            ))
            continue
        bullet = _BULLET.match(line)
        if current is SectionKind.SYNOPSIS:
            synopsis_lines.append((number, bullet["text"] if bullet else line.strip()))
            counts[current] += 1
            continue
        if bullet:
            text = bullet["text"].strip()
            term, definition = _split_term(text) if current is SectionKind.CONCEPTS else (None, None)
            items.append(Item(text, Source(name, current, number), term, definition))
            counts[current] += 1
        elif line[:1].isspace() and items and items[-1].kind is current:
            items[-1] = _continue_item(items[-1], line.strip())
        else:
            counts[current] += 1  # reported once here, not again as an empty section
            problems.append(Problem(
                where, number,
                f"line in '{current.label}' is not a bullet; start it with '- ' "
                "(or indent it to continue the bullet above)",
            ))
    _close_section(current, heading_line, counts, problems, where)

    if not seen:
        problems = [p for p in problems if "unknown section heading" in p.message]
        problems.append(Problem(
            where, 1,
            "no section headings found; expected headings such as 'Topic Synopsis' and "
            "'Key Concepts & Core Principles' on lines of their own",
        ))
        return ParseResult(None, problems)

    if synopsis_lines:
        first_line = synopsis_lines[0][0]
        paragraph = " ".join(text for _, text in synopsis_lines)
        items.insert(0, Item(paragraph, Source(name, SectionKind.SYNOPSIS, first_line)))
    items.sort(key=lambda item: item.source.line)
    doc = Document(
        name=name,
        title=title or "",
        preview=preview or (synopsis_lines[0][1][:150] if synopsis_lines else ""),
        items=items,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    if not doc.title:
        doc.title = f"Topic {doc.doc_id}"
    return ParseResult(doc, problems)


def _continue_item(item: Item, more: str) -> Item:
    text = f"{item.text} {more}"
    term, definition = (
        _split_term(text) if item.kind is SectionKind.CONCEPTS else (None, None)
    )
    return Item(text, item.source, term, definition)


def _close_section(
    kind: SectionKind | None,
    line: int,
    counts: dict[SectionKind, int],
    problems: list[Problem],
    where: str,
) -> None:
    if kind is not None and counts.get(kind, 0) == 0:
        what = "text" if kind is SectionKind.SYNOPSIS else "bullets"
        problems.append(Problem(
            where, line,
            f"heading '{kind.label}' has no {what} under it; add "
            + ("a paragraph" if kind is SectionKind.SYNOPSIS else "'- ' bullets")
            + " or remove the heading",
        ))


def parse_file(path: Path, display: str | None = None) -> ParseResult:
    """Read and parse one document file."""
    where = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        return ParseResult(None, [Problem(where, 1, f"cannot read the file: {err.strerror}")])
    text, problem = decode(raw, where)
    if problem:
        return ParseResult(None, [problem])
    assert text is not None
    return parse_text(text, path.name, where)


def document_paths(folder: Path) -> list[Path]:
    """The topic documents in ``folder``, sorted by name (hidden files ignored)."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in DOC_SUFFIXES and not p.name.startswith((".", "_"))
    )
