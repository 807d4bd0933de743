"""Follow-ups resolved against the conversation's :class:`Context`: "what's step 3?", "the third
one", "why not?", "when was it passed?", "which topic covers it?", "and topic 2?", "tell me more".

:mod:`followup` reads a follow-up's form from its words; here the form meets the context.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..knowledge.model import Misconception, SectionKind
from . import followup, topics
from .advice import advice
from .answering import CONTENT
from .context import Context
from .followup import FollowUp, Form
from .guidance import GUIDANCE_CUES, section_asked
from .reply import Reply
from .resolve import find_abbreviations, find_laws, find_models, find_topics

if TYPE_CHECKING:
    from .tutor import Tutor

SUPPORT_MIN = 0.55  # how close a point from the other sections must be to back up a correction
_FOCUS_SECTION = {"tips": SectionKind.TIPS, "marking": SectionKind.MARKING}


def follow_up(tutor: Tutor, message: str, form: FollowUp, context: Context) -> Reply | None:
    """The reply to a follow-up, or None when ``message`` is not one after all (it names what it
    asks about, or the context holds nothing it could refer to)."""
    cat = tutor.kb.catalogue
    ex = tutor.explainer
    plain = followup.without_position(message)
    models = find_models(plain, cat)
    if form.form is Form.STEP:
        model = models[0] if models else ex.model(context.model)
        if model is None or (form.letter and models):
            return None  # "what does the T in SMART mean?" is a question in its own right
        return ex.step_reply(model, form.position, context, letter=form.letter)
    if form.form is Form.ORDINAL:
        return _ordinal(tutor, message, form, context)
    if form.form is Form.FIRST:
        named = find_laws(plain, cat)
        laws = named if len(named) >= 2 else [law for name in (context.previous, context.law)
                                              if (law := ex.law(name))]
        if len(laws) < 2 and (pair := [m for m in (models or [ex.model(context.previous),
                                                              ex.model(context.model)]) if m]):
            names = " or ".join(dict.fromkeys(m.name for m in pair))
            return Reply(f"Your course documents don't say when {names} came about, so I won't "
                         "guess which came first.", kind="model", context=context)
        return ex.which_first(laws, context)
    named_topics = find_topics(message, cat)
    if models or find_laws(message, cat) or find_abbreviations(message, cat):
        return None  # it names what it asks about: answered as a question in its own right
    if named_topics:
        if form.form not in (Form.MORE, Form.DETAIL):
            return None
        section = _FOCUS_SECTION.get(context.focus or "")
        if GUIDANCE_CUES.search(message) or section:
            section = section_asked(message, section or SectionKind.TIPS)
            return tutor.guide.for_topics(named_topics, section, "", context)
        return topics.overview(named_topics[0], cat, context)
    if form.form is Form.WHY:
        m = ex.misconception(context.misconception)
        return why_mistake(tutor, m, context) if m and context.focus == "misconception" else None
    if form.form is Form.WHICH:
        return which_to_use(tutor, context) if context.focus == "comparison" else None
    if form.form is Form.EXAMPLE:
        return example(tutor, context)
    if form.form is Form.INSTEAD:
        m = ex.misconception(context.misconception)
        return instead_of(tutor, m, context) if m and context.focus == "misconception" else None
    if form.form is Form.WHEN and (law := ex.law(context.law)):
        return ex.law_year(law, context)
    if form.form is Form.WHERE:
        return ex.where(context)
    if form.form is Form.MORE and context.topic and GUIDANCE_CUES.search(message):
        doc = cat.document(context.topic)
        section = section_asked(message, _FOCUS_SECTION.get(context.focus or "", SectionKind.TIPS))
        return tutor.guide.for_topics([doc], section, "", context) if doc else None
    if form.form is Form.DETAIL:
        return more(tutor, context)
    return None


def _ordinal(tutor: Tutor, message: str, form: FollowUp, context: Context) -> Reply | None:
    """"The third one": a step of the model in focus, else a topic of the list last shown."""
    cat = tutor.kb.catalogue
    about_topics = "topic" in message.lower() or context.focus == "topics"
    if not about_topics and context.focus == "model" and (model := tutor.explainer.model(context.model)):
        return tutor.explainer.step_reply(model, form.position, context)
    shown = context.topics or tuple(d.doc_id for d in cat.documents)
    i = followup.ordinal(form.position, shown)
    doc = cat.document(shown[i]) if i is not None else None
    if doc is None:
        return Reply(f"There are {len(shown)} topics, so there is no topic at that position. "
                     "Say 'what topics are there?' to see them.", kind="topics", context=context)
    section = _FOCUS_SECTION.get(context.focus or "")
    if section is not None:  # "same for the next one" after tips keeps giving tips
        return tutor.guide.for_topics([doc], section, "", context)
    return topics.overview(doc, cat, context)


def why_mistake(tutor: Tutor, m: Misconception, context: Context) -> Reply:
    """Why a misconception is a mistake: the course's words, the advice, a supporting point."""
    cat = tutor.kb.catalogue
    lines = [f"Why \u201c{m.belief}\u201d is a mistake, in your course's words: {m.text}",
             f"\nWhat to do instead: {advice(m.text)}"]
    sources = [cat.cite(m.source.doc, m.source.section)]
    support = tutor.kb.search(m.correction or m.text, k=1, sections=CONTENT)
    if support and support[0].similarity >= SUPPORT_MIN:
        lines.append(f"\nRelated point from your course: {support[0].passage.text}")
        sources.append(cat.cite(support[0].passage.doc, support[0].passage.section))
    return Reply("\n".join(lines), kind="explanation", sources=sources,
                 context=context.but(focus="misconception"))


def instead_of(tutor: Tutor, m: Misconception, context: Context) -> Reply:
    """What to do instead of a mistake: the advice first, then the course's words."""
    cat = tutor.kb.catalogue
    text = (f"Instead of \u201c{m.belief}\u201d: {advice(m.text)}\n\n"
            f"Your course lists the mistake as: {m.text}")
    return Reply(text, kind="explanation", sources=[cat.cite(m.source.doc, m.source.section)],
                 context=context.but(focus="misconception"))


def which_to_use(tutor: Tutor, context: Context) -> Reply | None:
    """Which of the two models just compared to use: the documents rank neither, so the reply
    says so and gives where the course uses each (None for laws: "which law applies?" is a
    question in its own right)."""
    cat, ex = tutor.kb.catalogue, tutor.explainer
    pair = [m for m in dict.fromkeys((ex.model(context.previous), ex.model(context.model))) if m]
    if len(pair) < 2:
        return None
    lines = [f"Your course doesn't rank {pair[0].name} and {pair[1].name} or say when to choose "
             "one over the other. Where it uses each:"]
    lines += [f"- **{m.name}** ({cat.topic_of(m.source.doc)}): {m.context}" for m in pair]
    return Reply("\n".join(lines), kind="comparison", context=context,
                 sources=[cat.cite(m.source.doc, m.source.section) for m in pair])


_EXAMPLE_CUE = re.compile(r"\b(?:e\.g\.|for example|for instance|such as)", re.I)


def example(tutor: Tutor, context: Context) -> Reply | None:
    """An example of what the conversation is about, as the documents give one; when they give
    none, that is said, with how they use it (never an invented example)."""
    cat, ex = tutor.kb.catalogue, tutor.explainer
    if context.focus == "misconception" and (m := ex.misconception(context.misconception)):
        if not _EXAMPLE_CUE.search(m.text):
            return None
        return Reply(f"Your course's example: {m.text}\n\nWhat to do instead: {advice(m.text)}",
                     kind="explanation", sources=[cat.cite(m.source.doc, m.source.section)],
                     context=context)
    model = ex.model(context.model) if context.focus == "model" else None
    law = ex.law(context.law) if context.focus == "law" else None
    if model is None and law is None:
        return None
    name = model.name if model is not None else law.name  # type: ignore[union-attr]
    body = (ex.model_reply(model, "", context) if model is not None
            else ex.law_reply([law], named=True, context=context))  # type: ignore[list-item]
    given = [item for doc in cat.documents for item in doc.items
             if name.lower() in item.text.lower() and _EXAMPLE_CUE.search(item.text)
             and item.text not in body.text]
    if given:
        lead = f"Your course's example for {name}: {given[0].text}"
        sources = [cat.cite(given[0].source.doc, given[0].source.section), *body.sources]
    else:
        lead = f"Your course documents don't give a worked example of {name}; this is how they use it."
        sources = body.sources
    return Reply(f"{lead}\n\n{body.text}", kind=body.kind, sources=list(dict.fromkeys(sources)),
                 context=body.context)


def more(tutor: Tutor, context: Context) -> Reply | None:
    """"Tell me more" about what the conversation is about."""
    cat = tutor.kb.catalogue
    ex = tutor.explainer
    focus = context.focus
    if focus == "misconception" and (m := ex.misconception(context.misconception)):
        return why_mistake(tutor, m, context)
    if focus in _FOCUS_SECTION and context.topic and (doc := cat.document(context.topic)):
        other = SectionKind.MARKING if focus == "tips" else SectionKind.TIPS
        return tutor.guide.for_topics([doc], other, "", context)
    if focus == "topic" and context.topic and (doc := cat.document(context.topic)):
        return topics.guidance_overview(doc, cat, context)
    subject = {"model": ex.model(context.model), "law": ex.law(context.law),
               "abbreviation": ex.abbreviation(context.abbreviation)}.get(focus or "")
    if subject is not None:
        return topics.related(tutor.kb, subject, context)
    if context.topic and (doc := cat.document(context.topic)):
        return topics.overview(doc, cat, context)
    return None
