"""Replies about the course's topics: the list, one topic's overview, and where a thing is."""

from __future__ import annotations

from ..knowledge.model import Catalogue, Document, SectionKind
from .compose import bulleted
from .context import Context
from .reply import Reply


def topic_list(catalogue: Catalogue, context: Context) -> Reply:
    """Every topic with its key concepts; the order is kept so "the third one" can follow."""
    if not catalogue.documents:
        return Reply("There are no topic documents yet.", kind="topics")
    lines = []
    for n, doc in enumerate(catalogue.documents, 1):
        terms = [i.term for i in doc.section(SectionKind.CONCEPTS) if i.term]
        lines.append(f"{n}. **{doc.topic}**: {', '.join(terms) if terms else doc.preview}")
    example = catalogue.documents[0].doc_id
    return Reply(
        f"Your course has {len(catalogue.documents)} topics:\n" + "\n".join(lines)
        + f"\n\nAsk me about any of them ('tell me about the first one'), or say 'quiz me on "
          f"topic {example}' or 'exam tips for topic {example}'.",
        kind="topics",
        context=context.but(topics=tuple(d.doc_id for d in catalogue.documents), focus="topics"),
    )


def overview(doc: Document, catalogue: Catalogue, context: Context) -> Reply:
    """What one topic holds: its synopsis, key concepts, and the models and laws it names."""
    lines = [f"**{doc.topic}**", doc.synopsis]
    concepts = [i.text for i in doc.section(SectionKind.CONCEPTS)]
    if concepts:
        lines.append("Key concepts:\n" + bulleted(concepts))
    models = [m.name for m in catalogue.models if m.source.doc == doc.name]
    laws = [law.name for law in catalogue.laws if doc.name in law.docs]
    named = [f"models: {', '.join(models)}"] if models else []
    named += [f"laws: {', '.join(laws)}"] if laws else []
    if named:
        lines.append("It names " + "; ".join(named) + ".")
    lines.append(f"Say 'exam tips for topic {doc.doc_id}', 'marking points for topic {doc.doc_id}' "
                 f"or 'quiz me on topic {doc.doc_id}'.")
    return Reply("\n\n".join(line for line in lines if line), kind="topic",
                 sources=[catalogue.cite(doc.name, SectionKind.CONCEPTS)],
                 context=context.but(topic=doc.doc_id, focus="topic"))
