"""``tutor preview FILE``: what a document would add before it is added.

It shows what the catalogue extracts from the document, sample quiz questions it would bring, and
warnings: it adds nothing quizzable; it defines a name another document defines differently; its
key concepts drift from its own synopsis.

Drift is measured with MiniLM: the cosine similarity of each key concept ("Name: definition") to
the document's synopsis. A concept below :data:`DRIFT_SIMILARITY` is off the synopsis's subject;
a document is flagged when at least half of its key concepts are. Calibration on the five seed
documents (docs/tutors.md has the table): the concepts of 000 (job search under a customer-care
synopsis) score 0.25-0.32 and those of 001 (study skills) 0.06-0.26, while 002-004 score
0.26-0.61 with at most one of five below 0.35. 0.35 sits in the gap between the two groups' means
(0.29 and 0.43); requiring half the concepts keeps one loosely worded concept from flagging a
document that is otherwise on its subject.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..knowledge.catalogue import build_catalogue
from ..knowledge.model import Catalogue, Document, SectionKind
from ..knowledge.parser import Problem, parse_file
from ..knowledge.validate import load_corpus
from ..quiz.questions import Question, generate

DRIFT_SIMILARITY = 0.35
DRIFT_SHARE = 0.5
SAME_DEFINITION = 0.8  # two definitions of one term at least this similar say the same thing
SAMPLES = 5


@dataclass
class Preview:
    """Everything ``tutor preview`` prints."""

    document: Document | None
    problems: list[Problem] = field(default_factory=list)
    extracted: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    questions: list[Question] = field(default_factory=list)
    new_questions: int = 0
    drift: list[dict[str, Any]] = field(default_factory=list)
    drifting: bool = False
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "document": self.document.name if self.document else None,
            "problems": [str(p) for p in self.problems],
            "extracted": self.extracted,
            "new_questions": self.new_questions,
            "sample_questions": [{"kind": q.kind.value, "prompt": q.prompt, "answer": q.answer_text,
                                  "options": list(q.options)} for q in self.questions],
            "drift": {"threshold": DRIFT_SIMILARITY, "flagged": self.drifting, "concepts": self.drift},
            "warnings": self.warnings,
        }


def preview(path: Path, knowledge_dir: Path, encoder) -> Preview:
    """Preview ``path`` against the documents in ``knowledge_dir`` (itself left out if it is there)."""
    parsed = parse_file(Path(path))
    if parsed.document is None or parsed.problems:
        return Preview(parsed.document, list(parsed.problems))
    doc = parsed.document
    others = [d for d in load_corpus([Path(knowledge_dir)]).documents if d.name != doc.name]
    before, after, own = build_catalogue(others), build_catalogue([*others, doc]), build_catalogue([doc])
    result = Preview(doc, extracted=_extracted(own, doc.name))
    known = {q.id for q in generate(before)}
    fresh = [q for q in generate(after) if q.id not in known]
    result.new_questions = len(fresh)
    result.questions = _samples(fresh)
    if not fresh:
        result.warnings.append("adds nothing quizzable: no model with steps, law, abbreviation or "
                               "misconception the quiz does not already ask about")
    result.warnings += _conflicts(doc, others, before, own, encoder)
    result.drift, result.drifting = drift(doc, encoder)
    if result.drifting:
        off = [d for d in result.drift if d["similarity"] < DRIFT_SIMILARITY]
        result.warnings.append(
            f"key concepts drift from the synopsis: {len(off)} of {len(result.drift)} are less than "
            f"{DRIFT_SIMILARITY} similar to it ({', '.join(d['term'] or d['text'][:30] for d in off)}); "
            "check the synopsis and the concepts describe the same subject")
    return result


def drift(doc: Document, encoder) -> tuple[list[dict[str, Any]], bool]:
    """Each key concept's similarity to the document's synopsis, and whether the document drifts."""
    concepts = doc.section(SectionKind.CONCEPTS)
    if not concepts or not doc.synopsis:
        return [], False
    vectors = encoder.encode([doc.synopsis] + [c.text for c in concepts])
    sims = vectors[1:] @ vectors[0]
    rows = [{"term": c.term, "text": c.text, "line": c.source.line, "similarity": round(float(s), 3)}
            for c, s in zip(concepts, sims, strict=True)]
    below = sum(1 for r in rows if r["similarity"] < DRIFT_SIMILARITY)
    return rows, below >= DRIFT_SHARE * len(rows)


def _extracted(cat: Catalogue, name: str) -> dict[str, list[dict[str, Any]]]:
    return {
        "models": [{"name": m.name, "steps": list(m.steps), "line": m.source.line}
                   for m in cat.models if m.source.doc == name],
        "legislation": [{"name": law.name, "year": law.year} for law in cat.laws if name in law.docs],
        "abbreviations": [{"short": a.short, "long": a.long}
                          for a in cat.abbreviations if a.source.doc == name],
        "misconceptions": [{"belief": m.belief, "correction": m.correction, "line": m.source.line}
                           for m in cat.misconceptions if m.source.doc == name],
    }


def _samples(questions: list[Question]) -> list[Question]:
    """Up to :data:`SAMPLES` questions, one of each kind first."""
    picked: dict[str, Question] = {}
    for q in questions:
        picked.setdefault(q.kind.value, q)
    rest = [q for q in questions if q not in picked.values()]
    return (list(picked.values()) + rest)[:SAMPLES]


def _conflicts(doc: Document, others: list[Document], before: Catalogue, own: Catalogue,
               encoder) -> list[str]:
    """Models, abbreviations and key concept terms of ``doc`` (its own catalogue) that another
    document defines otherwise."""
    found = []
    theirs = {m.name.casefold(): m for m in before.models}
    for m in own.models:
        other = theirs.get(m.name.casefold())
        if m.source.doc == doc.name and other and [s.casefold() for s in other.steps] != [
                s.casefold() for s in m.steps]:
            found.append(f"'{m.name}' is defined differently in {other.source.doc}: "
                         f"{', '.join(other.steps)} there, {', '.join(m.steps)} here")
    short = {a.short: a for a in before.abbreviations}
    for a in own.abbreviations:
        other = short.get(a.short)
        if a.source.doc == doc.name and other and other.long.casefold() != a.long.casefold():
            found.append(f"'{a.short}' stands for '{other.long}' in {other.source.doc}, '{a.long}' here")
    terms = {}
    for d in others:
        for item in d.section(SectionKind.CONCEPTS):
            if item.term:
                terms.setdefault(item.term.casefold(), (d.name, item))
    pairs = [(item, terms[item.term.casefold()]) for item in doc.section(SectionKind.CONCEPTS)
             if item.term and item.term.casefold() in terms]
    if pairs:
        vectors = encoder.encode([text for item, (_, theirs_item) in pairs
                                  for text in (item.definition or item.text, theirs_item.definition or
                                               theirs_item.text)])
        for n, (item, (where, theirs_item)) in enumerate(pairs):
            similarity = float(vectors[2 * n] @ vectors[2 * n + 1])
            if similarity < SAME_DEFINITION:
                found.append(f"'{item.term}' is defined differently in {where} "
                             f"(similarity {similarity:.2f}): '{theirs_item.definition}'")
    return found
