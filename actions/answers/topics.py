"""Replies about the course's topics: the list, one topic's overview, its guidance, and more on a
model, law or abbreviation from the topics that hold it. Topics are named by number and title."""

from __future__ import annotations

from ..knowledge.base import KnowledgeBase
from ..knowledge.model import Abbreviation, Catalogue, Document, Law, NamedModel, SectionKind
from .advice import advice
from .compose import bulleted
from .context import Context
from .reply import Reply

_MORE_POINTS = 3


def topic_list(catalogue: Catalogue, context: Context) -> Reply:
    """Every topic with its key concepts; the order is kept so "the third one" can follow."""
    if not catalogue.documents:
        return Reply("There are no topic documents yet.", kind="topics")
    lines = []
    for doc in catalogue.documents:
        terms = [i.term for i in doc.section(SectionKind.CONCEPTS) if i.term]
        lines.append(f"**{doc.topic}**: {', '.join(terms) if terms else doc.preview}")
    example = _example(catalogue.documents[0])
    return Reply(
        f"Your course has {len(catalogue.documents)} topics:\n" + bulleted(lines)
        + f"\n\nAsk me about any of them ('tell me about the first one'), or say 'quiz me on "
          f"{example}' or 'exam tips for {example}'.",
        kind="topics",
        context=context.but(topics=tuple(d.doc_id for d in catalogue.documents), focus="topics"),
    )


def _example(doc: Document) -> str:
    """How a learner can name a topic: 'topic 2', else its title."""
    return f"topic {int(doc.number)}" if doc.number is not None else doc.title


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
    example = _example(doc)
    lines.append(f"Say 'tell me more', 'exam tips for {example}', 'marking points for {example}' "
                 f"or 'quiz me on {example}'.")
    return Reply("\n\n".join(line for line in lines if line), kind="topic",
                 sources=[catalogue.cite(doc.name, SectionKind.CONCEPTS)],
                 context=context.but(topic=doc.doc_id, focus="topic"))


def guidance_overview(doc: Document, catalogue: Catalogue, context: Context) -> Reply:
    """More on a topic: its exam tips and what examiners look for."""
    tips = [g.text for g in catalogue.tips if g.source.doc == doc.name]
    marks = [g.text for g in catalogue.marking_points if g.source.doc == doc.name]
    lines = [f"More on **{doc.topic}**:"]
    if tips:
        lines.append("Exam tips:\n" + bulleted(tips))
    if marks:
        lines.append("What examiners look for:\n" + bulleted(marks))
    sources = [catalogue.cite(doc.name, s) for s, found in
               ((SectionKind.TIPS, tips), (SectionKind.MARKING, marks)) if found]
    return Reply("\n\n".join(lines), kind="topic", sources=sources,
                 context=context.but(topic=doc.doc_id, focus="topic"))


def related(kb: KnowledgeBase, subject: NamedModel | Law | Abbreviation, context: Context) -> Reply:
    """More on a model, law or abbreviation: the points of its topics closest to where it is
    defined, and every exam tip or marking point that names it."""
    cat = kb.catalogue
    if isinstance(subject, Law):
        name, seeds, docs = subject.name, [m.text for m in subject.mentions], subject.docs
    else:
        name = subject.name if isinstance(subject, NamedModel) else subject.short
        own = next((i.text for d in cat.documents for i in d.items if i.source == subject.source), "")
        seeds, docs = [own or name], (subject.source.doc,)
    shown = set(seeds)
    points = [(g.text, g.source.doc, g.source.section)
              for g in [*cat.tips, *cat.marking_points] if name in g.text and g.text not in shown]
    for hit in kb.search(seeds[0], k=_MORE_POINTS + len(seeds), docs=frozenset(docs),
                         sections=frozenset({SectionKind.CONCEPTS, SectionKind.TIPS,
                                             SectionKind.MARKING})):
        p = hit.passage
        if p.text not in shown and all(p.text != text for text, _, _ in points):
            points.append((p.text, p.doc, p.section))
    points = points[:_MORE_POINTS]
    where = " and ".join(cat.topic_of(d) for d in docs)
    text = f"More on **{name}** from {where}:\n" + bulleted([text for text, _, _ in points])
    sources = list(dict.fromkeys(cat.cite(doc, section) for _, doc, section in points))
    return Reply(text, kind="more", sources=sources, context=context)


def mistakes(doc: Document, catalogue: Catalogue, context: Context) -> Reply:
    """The mistakes one topic lists, each phrased as advice ("what should I avoid in topic 1?")."""
    items = [i.text for i in doc.section(SectionKind.MISCONCEPTIONS)]
    if not items:
        return Reply(f"**{doc.topic}** lists no common mistakes.", kind="advice",
                     context=context.but(topic=doc.doc_id, focus="topic"))
    return Reply(f"Mistakes to avoid in **{doc.topic}**:\n" + bulleted([advice(t) for t in items]),
                 kind="advice", sources=[catalogue.cite(doc.name, SectionKind.MISCONCEPTIONS)],
                 context=context.but(topic=doc.doc_id, focus="topic"))
