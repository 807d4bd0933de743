"""The tutor's reply logic, independent of Rasa: every Rasa action is a thin call into this class."""

from __future__ import annotations

import re

import numpy as np

from ..knowledge.base import KnowledgeBase
from ..knowledge.index import Hit
from ..knowledge.model import (
    Abbreviation,
    Document,
    Guidance,
    Law,
    Mention,
    Misconception,
    NamedModel,
    SectionKind,
)
from . import compare, followup, topics
from .advice import advice, asks_about_mistakes
from .compose import answer_text, bulleted, numbered
from .context import Context
from .followup import FollowUp, Form
from .misconceptions import MisconceptionDetector
from .reply import Reply
from .resolve import asked_letter, find_abbreviations, find_laws, find_models, find_topics

_CONTENT = frozenset({SectionKind.CONCEPTS, SectionKind.TIPS, SectionKind.MARKING})
_WORD = re.compile(r"[a-z][a-z-]{2,}")
_LAWS_TIE = 0.05  # laws this close to the best match are named together ("customer data")
_LAW_CUES = re.compile(r"\b(laws?|legislation|legal|acts?|regulations?|statutes?)\b", re.I)
_MODEL_CUES = re.compile(r"\b(model|framework|method|acronym|technique)\b", re.I)
_ACRONYM = re.compile(r"\b[A-Z]{2,8}\b")
# Words that name the section a request is about, or a topic; within that section they say nothing.
_GUIDANCE_WORDS = re.compile(
    r"\b(examiners?|assessors?|markers?|marking|marks?|credit|look(?:ing)? for|want(?:s)? to see|"
    r"exam|exams|tips?|revision|revise|advice|points?|give me|any|some|what|do|does|the|for|in|on|"
    r"about|my|me|and|please|topics?|units?|modules?|this|that|it|one|two|three|four|five|six|"
    r"seven|eight|nine|ten|zero|\d+)\b", re.I)
_SUPPORT_MIN = 0.55
# Words that show a message really asks for exam guidance (NLU's intent is only a hint).
_GUIDANCE_CUES = re.compile(
    r"\b(tips?|exams?|examiners?|assess\w*|mark\w*|credit|revis\w*|advice|grade|pass|"
    r"look(?:ing)? for|want(?:s)? to see|prepare|role-?plays?)\b", re.I)
_MARKING_CUES = re.compile(r"\b(mark\w*|examiners?|credit|assessors? look|look(?:ing)? for)\b", re.I)
_QUESTION = re.compile(r"\?\s*$|^\s*(what|which|who|why|how|when|where|is|are|do|does|can|should|"
                       r"could|would|any)\b", re.I)
# Sections a plain answer quotes; mistakes are quoted, as advice, only to a question.
_ANSWERING = frozenset({SectionKind.SYNOPSIS, SectionKind.CONCEPTS, SectionKind.TIPS,
                        SectionKind.MARKING})
_WITH_MISTAKES = _ANSWERING | {SectionKind.MISCONCEPTIONS}
_MISTAKES = frozenset({SectionKind.MISCONCEPTIONS})


def _law_area(law: Law) -> str:
    """What an act is about, from its own name: 'Data Protection Act 2018' -> 'data protection'."""
    words = re.sub(r"\b(act|acts|regulations?|directive|of|the|\d{4})\b", " ", law.name.lower())
    return " ".join(words.split())


def misconception_key(m: Misconception) -> str:
    """How a misconception is named in the conversation's context: its file and line."""
    return f"{m.source.doc}:{m.source.line}"


class Tutor:
    """Answers, explanations and corrections drawn from the knowledge base."""

    def __init__(
        self,
        kb: KnowledgeBase,
        min_score: float = 0.3,
        detector: MisconceptionDetector | None = None,
    ) -> None:
        self.kb = kb
        self.min_score = min_score
        self.detector = detector or MisconceptionDetector(kb)
        self._law_vectors: tuple[str, np.ndarray] | None = None

    # -- one entry point for free text ----------------------------------------------------------
    def respond(self, message: str, context: Context | None = None, intent: str = "") -> Reply:
        """Any free-text message, read against what the conversation is about: a comparison, a
        follow-up, a correction, else the answer to what it asks (``intent`` is NLU's hint)."""
        context = context or Context()
        if compare.asks_comparison(message) and (reply := self.comparison(message, context)):
            return reply
        form = followup.read(message)
        if form is not None and (reply := self._follow_up(message, form, context)) is not None:
            return reply
        message = self._resolve_pronoun(message, context)
        if (reply := self.correction(message, context)) is not None:
            return reply
        if intent == "ask_exam_tips" or (intent != "ask_marking_points" and _GUIDANCE_CUES.search(
                message) and re.search(r"\btips?\b", message, re.I)):
            return self.exam_tips(message, context)
        if intent == "ask_marking_points" or _MARKING_CUES.search(message):
            return self.marking_points(message, context)
        if intent == "ask_model":
            return self.explain_model(message, context)
        if intent == "ask_law":
            return self.explain_law(message, context)
        return self.answer(message, context)

    def reply(self, message: str) -> Reply:
        """Any free-text message with no conversation behind it."""
        return self.respond(message)

    # -- follow-ups -----------------------------------------------------------------------------
    def _follow_up(self, message: str, form: FollowUp, context: Context) -> Reply | None:
        """A follow-up resolved against ``context``; None when it is not one after all."""
        cat = self.kb.catalogue
        models = find_models(message, cat)
        if form.form is Form.STEP:
            model = models[0] if models else self._model(context.model)
            return self._step_reply(model, form.position, context) if model else None
        if form.form is Form.ORDINAL:
            if context.focus == "model" and (model := self._model(context.model)):
                return self._step_reply(model, form.position, context)
            i = followup.ordinal(form.position, context.topics)
            doc = cat.document(context.topics[i]) if i is not None else None
            return topics.overview(doc, cat, context) if doc else None
        named_topics = find_topics(message, cat)
        if models or find_laws(message, cat) or find_abbreviations(message, cat) or named_topics:
            if form.form is Form.MORE and named_topics:
                if context.focus in ("tips", "marking"):
                    section = SectionKind.TIPS if context.focus == "tips" else SectionKind.MARKING
                    return self._topic_guidance(named_topics, section, "", context)
                return topics.overview(named_topics[0], cat, context)
            return None  # it names what it asks about: answered as a question in its own right
        if form.form is Form.WHY:
            m = self._misconception(context.misconception)
            return self._why_mistake(m, context) if m and context.focus == "misconception" else None
        if form.form is Form.WHEN and (law := self._law(context.law)):
            return self._law_year(law, context)
        if form.form is Form.WHERE:
            return self._where(context)
        if form.form is Form.MORE and context.topic and _GUIDANCE_CUES.search(message):
            doc = cat.document(context.topic)
            section = SectionKind.MARKING if _MARKING_CUES.search(message) else SectionKind.TIPS
            return self._topic_guidance([doc], section, "", context) if doc else None
        return None

    def _resolve_pronoun(self, message: str, context: Context) -> str:
        """'what does it stand for?' -> 'what does HEAT stand for?' when the message names nothing."""
        subject = {"model": context.model, "law": context.law,
                   "abbreviation": context.abbreviation}.get(context.focus or "")
        if not subject or not followup.PRONOUN.search(message):
            return message
        cat = self.kb.catalogue
        if find_models(message, cat) or find_laws(message, cat) or find_abbreviations(message, cat):
            return message
        return followup.PRONOUN.sub(subject, message, count=1)

    def _model(self, name: str | None) -> NamedModel | None:
        return next((m for m in self.kb.catalogue.models if m.name == name), None)

    def _law(self, name: str | None) -> Law | None:
        return next((law for law in self.kb.catalogue.laws if law.name == name), None)

    def _misconception(self, key: str | None) -> Misconception | None:
        return next((m for m in self.kb.catalogue.misconceptions if misconception_key(m) == key), None)

    def _step_reply(self, model: NamedModel, position: int | None, context: Context) -> Reply:
        cat = self.kb.catalogue
        i = followup.ordinal(position, model.steps)
        head = (f"Step {i + 1} of **{model.name}** is **{model.steps[i]}**." if i is not None
                else f"{model.name} has {len(model.steps)} steps, so there is no step {position}.")
        return Reply(f"{head}\n\nAll {len(model.steps)} steps, in order:\n{numbered(model.steps)}",
                     kind="model", sources=[cat.cite(model.source.doc, model.source.section)],
                     context=context.but(model=model.name, focus="model",
                                         topic=self._doc_id(model.source.doc)))

    def _why_mistake(self, m: Misconception, context: Context) -> Reply:
        cat = self.kb.catalogue
        lines = [f"Why \u201c{m.belief}\u201d is a mistake, in your course's words: {m.text}",
                 f"\nWhat to do instead: {advice(m.text)}"]
        sources = [cat.cite(m.source.doc, m.source.section)]
        support = self.kb.search(m.correction or m.text, k=1, sections=_CONTENT)
        if support and support[0].similarity >= _SUPPORT_MIN:
            lines.append(f"\nRelated point from your course: {support[0].passage.text}")
            sources.append(cat.cite(support[0].passage.doc, support[0].passage.section))
        return Reply("\n".join(lines), kind="explanation", sources=sources,
                     context=context.but(focus="misconception"))

    def _law_year(self, law: Law, context: Context) -> Reply:
        if law.year is None:
            text = (f"Your course documents don't give a year for {law.name}, so I won't guess. "
                    f"They mention it in {self._topics_text(law.docs)}.")
        else:
            text = f"The **{law.name}** dates from **{law.year}**, the year in its name."
        return Reply(text, kind="law", context=context.but(focus="law"))

    def _where(self, context: Context) -> Reply | None:
        cat = self.kb.catalogue
        focus = context.focus
        if focus == "model" and (model := self._model(context.model)):
            places = [(model.name, model.source.doc, model.source.section)]
        elif focus == "law" and (law := self._law(context.law)):
            places = [(law.name, m.source.doc, m.source.section) for m in law.mentions]
        elif focus == "abbreviation" and (abbr := next(
                (a for a in cat.abbreviations if a.short == context.abbreviation), None)):
            places = [(abbr.short, abbr.source.doc, abbr.source.section)]
        elif focus == "misconception" and (m := self._misconception(context.misconception)):
            places = [(f"\u201c{m.belief}\u201d", m.source.doc, m.source.section)]
        else:
            return None
        cites = list(dict.fromkeys(cat.cite(doc, section) for _, doc, section in places))
        return Reply(f"{places[0][0]} is in your notes under:\n" + bulleted(cites), kind="where",
                     sources=cites, context=context)

    def _topics_text(self, docs: tuple[str, ...] | list[str]) -> str:
        return " and ".join(self.kb.catalogue.topic_of(d) for d in docs)

    def _doc_id(self, doc_name: str) -> str | None:
        doc = self.kb.catalogue.document(doc_name)
        return doc.doc_id if doc else None

    # -- comparisons ----------------------------------------------------------------------------
    def comparison(self, message: str, context: Context | None = None) -> Reply | None:
        """Two models or laws side by side; None when the message compares nothing named."""
        context = context or Context()
        cat = self.kb.catalogue
        found = compare.subjects(message, cat)
        if len(found) == 1 and followup.PRONOUN.search(message):
            earlier = self._model(context.model) if context.focus == "model" else None
            law = self._law(context.law) if context.focus == "law" else None
            if earlier or law:
                found.insert(0, compare.Subject(earlier.name if earlier else law.name,  # type: ignore[union-attr]
                                                model=earlier, law=law))
        known = [s for s in found if s.known]
        if not known:
            return None
        unknown = [s for s in found if not s.known]
        if len(known) >= 2:
            text, sources = compare.side_by_side(known[0], known[1], cat)
            return Reply(text, kind="comparison", sources=sources, context=context.but(focus="comparison"))
        if not unknown:
            return None  # one name and something unnamed ("HEAT and good service"): answered plainly
        single = (self._model_reply(known[0].model, "", context) if known[0].model
                  else self._law_reply([known[0].law], named=True, context=context))  # type: ignore[list-item]
        missing = ", ".join(s.name for s in unknown)
        return Reply(f"Your course documents don't mention {missing}, so I can't compare it with "
                     f"{known[0].name}. Here is what they say about {known[0].name}:\n\n{single.text}",
                     kind="comparison", sources=single.sources, context=single.context)

    # -- free questions -------------------------------------------------------------------------
    def answer(self, message: str, context: Context | None = None) -> Reply:
        """A free question: a named model, law or abbreviation first, then the best passages."""
        context = context or Context()
        cat = self.kb.catalogue
        if models := find_models(message, cat):
            return self._model_reply(models[0], message, context)
        if laws := find_laws(message, cat):
            return self._law_reply(laws, named=True, context=context)
        if abbreviations := find_abbreviations(message, cat):
            return self._abbreviation_reply(abbreviations[0], context)
        if _LAW_CUES.search(message):
            return self.explain_law(message, context)
        if unknown := self._unknown_model(message):
            return self._no_such_model(unknown)
        if docs := find_topics(message, cat):
            return topics.overview(docs[0], cat, context)
        question = bool(_QUESTION.search(message))
        if question and asks_about_mistakes(message):
            return self._mistakes_reply(message, context)
        hits = self.kb.search(message, k=5, sections=_WITH_MISTAKES if question else _ANSWERING)
        return self._passage_reply(message, hits, context)

    def _unknown_model(self, message: str) -> str | None:
        """An acronym asked about as a model that no document defines ("the CARE model")."""
        if not _MODEL_CUES.search(message):
            return None
        cat = self.kb.catalogue
        known = {m.name for m in cat.models} | {a.short for a in cat.abbreviations} | {
            law.name for law in cat.laws}
        return next((a for a in _ACRONYM.findall(message) if a not in known), None)

    def _no_such_model(self, name: str | None) -> Reply:
        cat = self.kb.catalogue
        if not cat.models:
            return Reply("Your course documents name no models yet.", kind="not_found")
        names = ", ".join(m.name for m in cat.models)
        what = f"a model called {name}" if name else "that model"
        example = next((m for m in cat.models if m.acronym), cat.models[0]).name
        return Reply(
            f"Your course documents don't mention {what}, so I won't guess. The models I know "
            f"are: {names}.\n\nAsk me about any of them, e.g. 'what does {example} stand for?'",
            kind="not_found",
        )

    def _relevant(self, message: str, hit: Hit) -> bool:
        if hit.similarity >= self.min_score:
            return True
        shared = set(_WORD.findall(message.lower())) & set(_WORD.findall(hit.passage.text.lower()))
        return hit.similarity >= self.min_score - 0.1 and len(shared) >= 1

    def _passage_reply(self, message: str, hits: list[Hit], context: Context) -> Reply:
        if not hits or not self._relevant(message, hits[0]):
            return self._not_found(message)
        cat = self.kb.catalogue
        text, used = answer_text([h for h in hits if self._relevant(message, h)], render=_rendered)
        sources = list(dict.fromkeys(cat.cite(h.passage.doc, h.passage.section) for h in used))
        return Reply(text, kind="answer", sources=sources,
                     context=context.but(topic=self._doc_id(used[0].passage.doc)))

    def _mistakes_reply(self, message: str, context: Context) -> Reply:
        """What to avoid, as advice from the misconceptions sections, with the closest other point."""
        cat = self.kb.catalogue
        mistakes = [h for h in self.kb.search(message, k=3, sections=_MISTAKES) if self._relevant(message, h)]
        if not mistakes:
            return self._passage_reply(message, self.kb.search(message, k=5, sections=_ANSWERING), context)
        best = mistakes[0].similarity
        chosen = [h for h in mistakes if h.similarity >= best - 0.08][:2]
        lines = ["Mistakes to avoid, from your course:", bulleted([advice(h.passage.text) for h in chosen])]
        used = list(chosen)
        related = self.kb.search(message, k=1, sections=_CONTENT)
        if related and self._relevant(message, related[0]) and related[0].similarity >= best - 0.1:
            lines.append(f"\nRelated point: {related[0].passage.text}")
            used.append(related[0])
        sources = list(dict.fromkeys(cat.cite(h.passage.doc, h.passage.section) for h in used))
        return Reply("\n".join(lines), kind="advice", sources=sources,
                     context=context.but(topic=self._doc_id(chosen[0].passage.doc)))

    def _not_found(self, message: str) -> Reply:
        cat = self.kb.catalogue
        models = ", ".join(m.name for m in cat.models[:6])
        return Reply(
            "I couldn't find anything about that in your course documents, so I won't guess.\n\n"
            "I can help with the topics in your course, for example:\n"
            + bulleted([
                f"the models ({models})" if models else "the models in your course",
                "the laws: " + ", ".join(law.name for law in cat.laws) if cat.laws
                else "the laws in your course",
                "exam tips and what examiners look for",
                "a quiz: say 'quiz me'",
            ])
            + "\n\nSay 'what topics are there?' to see everything.",
            kind="not_found",
        )

    # -- models ---------------------------------------------------------------------------------
    def explain_model(self, message: str, context: Context | None = None) -> Reply:
        """Every step of a named model, in order, and how the documents say to use it."""
        context = context or Context()
        cat = self.kb.catalogue
        models = find_models(message, cat)
        if not models and not _MODEL_CUES.search(message):
            return self.answer(message, context)  # NLU guessed a model question; the message names none
        if not models:
            unknown = self._unknown_model(message) or next(iter(_ACRONYM.findall(message)), None)
            models = [] if unknown else self._closest_models(message)
            if not models:
                return self._no_such_model(unknown)
        return self._model_reply(models[0], message, context)

    def _closest_models(self, message: str) -> list[NamedModel]:
        hits = self.kb.search(message, k=3)
        for hit in hits:
            for model in self.kb.catalogue.models:
                if model.source.doc == hit.passage.doc and model.name in hit.passage.text:
                    return [model] if hit.similarity >= self.min_score else []
        return []

    def _model_reply(self, model: NamedModel, message: str, context: Context) -> Reply:
        cat = self.kb.catalogue
        letter = asked_letter(message, model)
        lines = []
        if letter and model.acronym:
            step = model.steps[model.name.index(letter)]
            lines.append(f"In {model.name}, {letter} stands for **{step}**.\n")
            lines.append(f"All {len(model.steps)} steps, in order:")
        elif model.acronym:
            lines.append(f"**{model.name}** stands for, in order:")
        else:
            lines.append(f"The **'{model.name}'** framework has {len(model.steps)} steps, in order:")
        if model.acronym:
            lines.append("\n".join(f"{n}. {s[0]} — {s}" for n, s in enumerate(model.steps, 1)))
        else:
            lines.append(numbered(model.steps))
        lines.append(f"\nHow your course uses it: {model.context}")
        sources = [cat.cite(model.source.doc, model.source.section)]
        tip = self._guidance_mentioning(model.name, exclude=model.context)
        if tip is not None:
            lines.append(f"\nExam tip: {tip.text}")
            sources.append(cat.cite(tip.source.doc, tip.source.section))
        return Reply("\n".join(lines), kind="model", sources=list(dict.fromkeys(sources)),
                     context=context.but(model=model.name, focus="model",
                                         topic=self._doc_id(model.source.doc)))

    def _guidance_mentioning(self, name: str, exclude: str) -> Guidance | None:
        cat = self.kb.catalogue
        for item in [*cat.tips, *cat.marking_points]:
            if name in item.text and item.text not in exclude and exclude not in item.text:
                return item
        return None

    # -- legislation ----------------------------------------------------------------------------
    def explain_law(self, message: str, context: Context | None = None) -> Reply:
        """A named act, or the act that covers what the learner describes."""
        context = context or Context()
        cat = self.kb.catalogue
        if not cat.laws:
            return Reply("Your course documents don't name any legislation yet.", kind="not_found")
        laws = find_laws(message, cat)
        if not laws and not _LAW_CUES.search(message):
            return self.answer(message, context)  # NLU guessed a law question; the message names none
        return self._law_reply(laws or self._closest_laws(message), named=bool(laws), context=context)

    def _closest_laws(self, message: str) -> list[Law]:
        """The law whose area (its name's words: 'Equality', 'Data Protection') the passages
        closest to ``message`` talk about, e.g. discrimination -> the equality concept."""
        laws = self.kb.catalogue.laws
        hits = self.kb.search(message, k=10)
        names = self._law_name_vectors() @ self.kb.embed(message)
        areas = [_law_area(law) for law in laws]
        scores = [float(n) for n in names]
        for hit in hits:
            text = hit.passage.text.lower()
            named = [i for i, area in enumerate(areas) if area and area in text]
            for i in named:  # a passage that lists several laws tells them apart less
                scores[i] = max(scores[i], hit.similarity / len(named))
        best = max(scores)
        return [law for law, s in zip(laws, scores, strict=True) if s >= best - _LAWS_TIE]

    def _law_name_vectors(self) -> np.ndarray:
        """Embeddings of the laws' names, made once per index build."""
        build = self.kb.build_id
        if self._law_vectors is None or self._law_vectors[0] != build:
            names = [law.name for law in self.kb.catalogue.laws]
            self._law_vectors = (build, self.kb.encoder.encode(names))
        return self._law_vectors[1]

    def _law_reply(self, laws: list[Law], named: bool, context: Context | None = None) -> Reply:
        """What the documents say of ``laws``; led by which law it is when the learner named none
        (or the message named several)."""
        cat = self.kb.catalogue
        parts, sources = [], []
        for law in laws[:2]:
            first: dict[str, Mention] = {}
            for m in law.mentions:
                first.setdefault(m.text, m)  # a sentence named by two documents is quoted once
            mentions = list(first.values())[:3]
            parts.append(f"**{law.name}** — what your course documents say:")
            parts.append(bulleted([m.text for m in mentions]))
            sources.extend(cat.cite(m.source.doc, m.source.section) for m in mentions)
        lead = (
            f"That's covered by the {' and '.join(law.name for law in laws[:2])}.\n\n"
            if len(laws) > 1 or not named else ""
        )
        return Reply(lead + "\n".join(parts), kind="law", sources=list(dict.fromkeys(sources)),
                     context=(context or Context()).but(law=laws[0].name, focus="law"))

    # -- abbreviations --------------------------------------------------------------------------
    def _abbreviation_reply(self, abbreviation: Abbreviation, context: Context) -> Reply:
        cat = self.kb.catalogue
        item = next(
            (i for d in cat.documents for i in d.items
             if i.source == abbreviation.source), None,
        )
        text = f"**{abbreviation.short}** stands for **{abbreviation.long}**."
        if item is not None:
            text += f"\n\nIn your course: {item.text}"
        return Reply(text, kind="abbreviation",
                     sources=[cat.cite(abbreviation.source.doc, abbreviation.source.section)],
                     context=context.but(abbreviation=abbreviation.short, focus="abbreviation",
                                         topic=self._doc_id(abbreviation.source.doc)))

    # -- exam tips and marking points -----------------------------------------------------------
    def exam_tips(self, message: str, context: Context | None = None) -> Reply:
        return self._guidance(message, SectionKind.TIPS, context or Context())

    def marking_points(self, message: str, context: Context | None = None) -> Reply:
        return self._guidance(message, SectionKind.MARKING, context or Context())

    def _guidance(self, message: str, section: SectionKind, context: Context) -> Reply:
        docs = find_topics(message, self.kb.catalogue)
        if not _GUIDANCE_CUES.search(message) and not docs:
            return self.answer(message, context)  # NLU guessed guidance; the message asks something else
        subject = " ".join(_GUIDANCE_WORDS.sub(" ", message).split())
        if docs:
            return self._topic_guidance(docs, section, subject, context)
        hits = self.kb.search(subject or message, k=3, sections=frozenset({section}))
        if not hits:
            return self._not_found(message)
        return self._guidance_reply(self._as_guidance(hits), section, context)

    def _topic_guidance(self, docs: list[Document], section: SectionKind, subject: str,
                        context: Context) -> Reply:
        """A topic's tips or marking points: all of them, or the three closest to ``subject``."""
        titles = " ".join(d.title.lower() for d in docs)
        names = frozenset(d.name for d in docs)
        if [w for w in _WORD.findall(subject.lower()) if w not in titles]:
            items = self._as_guidance(self.kb.search(subject, k=3, sections=frozenset({section}),
                                                     docs=names))
        else:
            cat = self.kb.catalogue
            every = cat.tips if section is SectionKind.TIPS else cat.marking_points
            items = [g for g in every if g.source.doc in names]
        topic = docs[0].doc_id if len(docs) == 1 else context.topic
        return self._guidance_reply(items, section, context.but(topic=topic),
                                    where=" and ".join(d.topic for d in docs))

    def _as_guidance(self, hits: list[Hit]) -> list[Guidance]:
        """Search hits as the catalogue's tips or marking points (same text, same source)."""
        cat = self.kb.catalogue
        every = {(g.source.doc, g.source.line): g for g in [*cat.tips, *cat.marking_points]}
        return [every[key] for h in hits if (key := (h.passage.doc, h.passage.line)) in every]

    def _guidance_reply(self, items: list[Guidance], section: SectionKind, context: Context,
                        where: str = "") -> Reply:
        cat = self.kb.catalogue
        heading = "Exam tips" if section is SectionKind.TIPS else "What examiners look for"
        if where:
            heading += f" for {where}"
        if not items:
            return Reply(f"{heading}: your course documents have none.", kind=section.value,
                         context=context)
        sources = list(dict.fromkeys(cat.cite(g.source.doc, section) for g in items))
        focus = "tips" if section is SectionKind.TIPS else "marking"
        return Reply(f"{heading}:\n" + bulleted([g.text for g in items]),
                     kind=section.value, sources=sources, context=context.but(focus=focus))

    # -- overview -------------------------------------------------------------------------------
    def list_topics(self, context: Context | None = None) -> Reply:
        return topics.topic_list(self.kb.catalogue, context or Context())

    def capabilities(self) -> Reply:
        cat = self.kb.catalogue
        models = ", ".join(m.name for m in cat.models) or "none yet"
        laws = ", ".join(law.name for law in cat.laws) or "none yet"
        return Reply(
            "I'm your revision tutor. I can:\n"
            + bulleted([
                "answer questions from your course documents, naming where the answer comes from",
                f"explain the models: {models}",
                f"explain the legislation: {laws}",
                "compare two models or laws side by side",
                "give exam tips and say what examiners look for, for any topic",
                "spot common misconceptions and explain why they're wrong",
                "quiz you and keep track of your progress ('quiz me', 'how am I doing?')",
            ])
            + (f"\n\nTry: 'what does {cat.models[0].name} stand for?'" if cat.models else ""),
            kind="capabilities",
        )

    # -- misconceptions -------------------------------------------------------------------------
    def correction(self, message: str, context: Context | None = None) -> Reply | None:
        """A correction when ``message`` states or asks about a listed misconception, else None."""
        match = self.detector.check(message)
        if match is None:
            return None
        cat = self.kb.catalogue
        m = match.misconception
        lines = [
            f"That's a common misconception: \u201c{m.belief}\u201d.",
            f"\nYour course lists it as a mistake to avoid: {m.text}",
        ]
        sources = [cat.cite(m.source.doc, m.source.section)]
        support = self.kb.search(m.correction or m.text, k=1, sections=_CONTENT)
        if support and support[0].similarity >= _SUPPORT_MIN:
            lines.append(f"\nRelated point from your course: {support[0].passage.text}")
            sources.append(cat.cite(support[0].passage.doc, support[0].passage.section))
        lines.append("\nAsk 'why?' to hear more, or carry on.")
        return Reply("\n".join(lines), kind="correction", sources=sources,
                      context=(context or Context()).but(
                          misconception=misconception_key(m), focus="misconception",
                          topic=self._doc_id(m.source.doc)))


def _rendered(hit: Hit) -> str:
    """How a passage reads inside an answer: a mistake reads as advice."""
    if hit.passage.section is SectionKind.MISCONCEPTIONS:
        return advice(hit.passage.text)
    return hit.passage.text
