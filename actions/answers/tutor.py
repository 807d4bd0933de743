"""The tutor's reply logic, independent of Rasa: every Rasa action is a thin call into this class."""

from __future__ import annotations

import re

import numpy as np

from ..knowledge.base import KnowledgeBase
from ..knowledge.index import Hit
from ..knowledge.model import Abbreviation, Guidance, Law, Mention, NamedModel, SectionKind
from .compose import answer_text, bulleted, numbered
from .misconceptions import MisconceptionDetector
from .reply import Reply
from .resolve import asked_letter, find_abbreviations, find_laws, find_models

_CONTENT = frozenset({SectionKind.CONCEPTS, SectionKind.TIPS, SectionKind.MARKING})
_WORD = re.compile(r"[a-z][a-z-]{2,}")
_LAWS_TIE = 0.05  # laws this close to the best match are named together ("customer data")
_LAW_CUES = re.compile(r"\b(laws?|legislation|legal|acts?|regulations?|statutes?)\b", re.I)
_MODEL_CUES = re.compile(r"\b(model|framework|method|acronym|technique)\b", re.I)
_ACRONYM = re.compile(r"\b[A-Z]{2,8}\b")
# Words that name the section a request is about; within that section they say nothing.
_GUIDANCE_WORDS = re.compile(
    r"\b(examiners?|assessors?|markers?|marking|marks?|credit|look(?:ing)? for|want(?:s)? to see|"
    r"exam|exams|tips?|revision|revise|advice|points?|give me|any|some|what|do|does|the|for|in|on|"
    r"about|my|me)\b", re.I)
_SUPPORT_MIN = 0.55
# Words that show a message really asks for exam guidance (NLU's intent is only a hint).
_GUIDANCE_CUES = re.compile(
    r"\b(tips?|exams?|examiners?|assess\w*|mark\w*|credit|revis\w*|advice|grade|pass|"
    r"look(?:ing)? for|want(?:s)? to see|prepare|role-?plays?)\b", re.I)
# Sections a plain answer quotes: mistakes are quoted only when correcting one.
_ANSWERING = frozenset({SectionKind.SYNOPSIS, SectionKind.CONCEPTS, SectionKind.TIPS,
                        SectionKind.MARKING})


def _law_area(law: Law) -> str:
    """What an act is about, from its own name: 'Data Protection Act 2018' -> 'data protection'."""
    words = re.sub(r"\b(act|acts|regulations?|directive|of|the|\d{4})\b", " ", law.name.lower())
    return " ".join(words.split())


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

    # -- free questions -------------------------------------------------------------------------
    def reply(self, message: str) -> Reply:
        """Any free-text message: a correction if it states a misconception, else an answer."""
        return self.correction(message) or self.answer(message)

    def answer(self, message: str) -> Reply:
        """A free question: a named model, law or abbreviation first, then the best passages."""
        cat = self.kb.catalogue
        if models := find_models(message, cat):
            return self._model_reply(models[0], message)
        if laws := find_laws(message, cat):
            return self._law_reply(laws, named=True)
        if abbreviations := find_abbreviations(message, cat):
            return self._abbreviation_reply(abbreviations[0])
        if _LAW_CUES.search(message):
            return self.explain_law(message)
        if unknown := self._unknown_model(message):
            return self._no_such_model(unknown)
        return self._passage_reply(message, self.kb.search(message, k=5, sections=_ANSWERING))

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

    def _passage_reply(self, message: str, hits: list[Hit]) -> Reply:
        if not hits or not self._relevant(message, hits[0]):
            return self._not_found(message)
        cat = self.kb.catalogue
        text, used = answer_text([h for h in hits if self._relevant(message, h)])
        sources = list(dict.fromkeys(cat.cite(h.passage.doc, h.passage.section) for h in used))
        return Reply(text, kind="answer", sources=sources)

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
    def explain_model(self, message: str) -> Reply:
        """Every step of a named model, in order, and how the documents say to use it."""
        cat = self.kb.catalogue
        models = find_models(message, cat)
        if not models and not _MODEL_CUES.search(message):
            return self.answer(message)  # NLU guessed a model question; the message names none
        if not models:
            unknown = self._unknown_model(message) or next(iter(_ACRONYM.findall(message)), None)
            models = [] if unknown else self._closest_models(message)
            if not models:
                return self._no_such_model(unknown)
        return self._model_reply(models[0], message)

    def _closest_models(self, message: str) -> list[NamedModel]:
        hits = self.kb.search(message, k=3)
        for hit in hits:
            for model in self.kb.catalogue.models:
                if model.source.doc == hit.passage.doc and model.name in hit.passage.text:
                    return [model] if hit.similarity >= self.min_score else []
        return []

    def _model_reply(self, model: NamedModel, message: str) -> Reply:
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
        return Reply("\n".join(lines), kind="model", sources=list(dict.fromkeys(sources)))

    def _guidance_mentioning(self, name: str, exclude: str) -> Guidance | None:
        cat = self.kb.catalogue
        for item in [*cat.tips, *cat.marking_points]:
            if name in item.text and item.text not in exclude and exclude not in item.text:
                return item
        return None

    # -- legislation ----------------------------------------------------------------------------
    def explain_law(self, message: str) -> Reply:
        """A named act, or the act that covers what the learner describes."""
        cat = self.kb.catalogue
        if not cat.laws:
            return Reply("Your course documents don't name any legislation yet.", kind="not_found")
        laws = find_laws(message, cat)
        if not laws and not _LAW_CUES.search(message):
            return self.answer(message)  # NLU guessed a law question; the message names none
        return self._law_reply(laws or self._closest_laws(message), named=bool(laws))

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

    def _law_reply(self, laws: list[Law], named: bool) -> Reply:
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
        return Reply(lead + "\n".join(parts), kind="law", sources=list(dict.fromkeys(sources)))

    # -- abbreviations --------------------------------------------------------------------------
    def _abbreviation_reply(self, abbreviation: Abbreviation) -> Reply:
        cat = self.kb.catalogue
        item = next(
            (i for d in cat.documents for i in d.items
             if i.source == abbreviation.source), None,
        )
        text = f"**{abbreviation.short}** stands for **{abbreviation.long}**."
        if item is not None:
            text += f"\n\nIn your course: {item.text}"
        return Reply(text, kind="abbreviation",
                     sources=[cat.cite(abbreviation.source.doc, abbreviation.source.section)])

    # -- exam tips and marking points -----------------------------------------------------------
    def exam_tips(self, message: str) -> Reply:
        return self._guidance(message, SectionKind.TIPS, "Exam tips")

    def marking_points(self, message: str) -> Reply:
        return self._guidance(message, SectionKind.MARKING, "What examiners look for")

    def _guidance(self, message: str, section: SectionKind, heading: str) -> Reply:
        if not _GUIDANCE_CUES.search(message):
            return self.answer(message)  # NLU guessed guidance; the message asks something else
        cat = self.kb.catalogue
        topic = " ".join(_GUIDANCE_WORDS.sub(" ", message).split())
        hits = self.kb.search(topic or message, k=3, sections=frozenset({section}))
        if not hits:
            return self._not_found(message)
        sources = list(dict.fromkeys(cat.cite(h.passage.doc, h.passage.section) for h in hits))
        return Reply(f"{heading}:\n" + bulleted([h.passage.text for h in hits]),
                     kind=section.value, sources=sources)

    # -- overview -------------------------------------------------------------------------------
    def list_topics(self) -> Reply:
        cat = self.kb.catalogue
        if not cat.documents:
            return Reply("There are no topic documents yet.", kind="topics")
        lines = []
        for doc in cat.documents:
            terms = [i.term for i in doc.section(SectionKind.CONCEPTS) if i.term]
            lines.append(f"**{doc.topic}**: {', '.join(terms) if terms else doc.preview}")
        return Reply(
            f"Your course has {len(cat.documents)} topics:\n" + bulleted(lines)
            + "\n\nAsk me about any of them, or say 'quiz me on' one.",
            kind="topics",
        )

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
                "give exam tips and say what examiners look for",
                "spot common misconceptions and explain why they're wrong",
                "quiz you and keep track of your progress ('quiz me', 'how am I doing?')",
            ])
            + (f"\n\nTry: 'what does {cat.models[0].name} stand for?'" if cat.models else ""),
            kind="capabilities",
        )

    # -- misconceptions -------------------------------------------------------------------------
    def correction(self, message: str) -> Reply | None:
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
        return Reply("\n".join(lines), kind="correction", sources=sources)
