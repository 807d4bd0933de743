"""Replies about the things the catalogue names: models (all steps, one step, one letter), laws
(what the documents say, their year), abbreviations, and where any of them is in the notes."""

from __future__ import annotations

import re

import numpy as np

from ..knowledge.base import KnowledgeBase
from ..knowledge.embedding import Encoder
from ..knowledge.model import (
    Abbreviation,
    Catalogue,
    Guidance,
    Law,
    Mention,
    Misconception,
    NamedModel,
)
from . import followup, nlp
from .compose import and_list, bulleted, numbered
from .context import Context, misconception_key
from .reply import Reply
from .resolve import asked_letter

_ACRONYM = re.compile(r"\b[A-Z]{2,8}\b")
_MODEL_CUES = re.compile(r"\b(model|framework|method|acronym|technique)\b", re.I)
_LAWS_TIE = 0.8  # laws scoring this share of the best are named with it ("customer data")
# Words that name legislation in general ("which law ...", "what act ..."), not a particular law.
LAW_CUES = re.compile(r"\b(laws?|legislation|legal|acts?|regulations?|statutes?)\b", re.I)


def doc_id(catalogue: Catalogue, doc_name: str) -> str | None:
    """The short id of a document ('002'), as the context keeps it."""
    doc = catalogue.document(doc_name)
    return doc.doc_id if doc else None


def law_area(law: Law) -> str:
    """What an act is about, from its own name: 'Data Protection Act 2018' -> 'data protection'."""
    words = re.sub(r"\b(act|acts|regulations?|directive|of|the|\d{4})\b", " ", law.name.lower())
    return " ".join(words.split())


def question_subject(message: str) -> str:
    """What a question about a law is about, without its frame: 'which law protects disabled
    customers?' -> 'disabled customers' (stop words, law words and the main verb are dropped)."""
    words = [t.text for t in nlp.parse(message) if t.is_alpha and not t.is_stop
             and not LAW_CUES.fullmatch(t.text)
             and not (t.dep_ == "ROOT" and t.pos_ in ("VERB", "AUX"))]
    return " ".join(words) or message


def _centred(vectors: np.ndarray, mean: np.ndarray) -> np.ndarray:
    shifted = vectors - mean
    return shifted / np.maximum(np.linalg.norm(shifted, axis=-1, keepdims=True), 1e-9)


class Explainer:
    """Models, laws and abbreviations explained from the catalogue."""

    def __init__(self, kb: KnowledgeBase, min_score: float) -> None:
        self.kb = kb
        self.min_score = min_score
        self._law_context: tuple[str, _LawContext] | None = None

    @property
    def cat(self) -> Catalogue:
        return self.kb.catalogue

    def model(self, name: str | None) -> NamedModel | None:
        return next((m for m in self.cat.models if m.name == name), None)

    def law(self, name: str | None) -> Law | None:
        return next((law for law in self.cat.laws if law.name == name), None)

    def abbreviation(self, short: str | None) -> Abbreviation | None:
        return next((a for a in self.cat.abbreviations if a.short == short), None)

    # -- models ---------------------------------------------------------------------------------
    def model_reply(self, model: NamedModel, message: str, context: Context) -> Reply:
        """Every step in order (or the letter asked), how the course uses it, an exam tip."""
        cat = self.cat
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
        lines.append(f"\nHow your course uses it ({cat.topic_of(model.source.doc)}): {model.context}")
        sources = [cat.cite(model.source.doc, model.source.section)]
        tip = self.guidance_mentioning(model.name, exclude=model.context)
        if tip is not None:
            lines.append(f"\nExam tip: {tip.text}")
            sources.append(cat.cite(tip.source.doc, tip.source.section))
        return Reply("\n".join(lines), kind="model", sources=list(dict.fromkeys(sources)),
                     context=context.but(model=model.name, focus="model",
                                         topic=doc_id(cat, model.source.doc)))

    def step_reply(self, model: NamedModel, position: int | None, context: Context,
                   letter: str | None = None) -> Reply:
        """One step of a model by its position ("step 3", "the last step") or by its letter in
        the model's name ("the R"), with all of them."""
        cat = self.cat
        if letter:
            initials = "".join(step[:1] for step in model.steps).upper()
            at = initials.find(letter.upper())
            position = at + 1 if at >= 0 else None
        i = followup.ordinal(position, model.steps)
        if i is not None:
            head = f"Step {i + 1} of **{model.name}** is **{model.steps[i]}**."
            if letter:
                head = f"The {letter.upper()} in **{model.name}** is **{model.steps[i]}** (step {i + 1})."
        elif letter:
            head = f"No step of {model.name} starts with {letter.upper()}."
        else:
            head = f"{model.name} has {len(model.steps)} steps, so there is no step {position}."
        return Reply(f"{head}\n\nAll {len(model.steps)} steps, in order:\n{numbered(model.steps)}",
                     kind="model", sources=[cat.cite(model.source.doc, model.source.section)],
                     context=context.but(model=model.name, focus="model",
                                         topic=doc_id(cat, model.source.doc)))

    def guidance_mentioning(self, name: str, exclude: str = "") -> Guidance | None:
        """The first exam tip or marking point that names ``name`` (not the sentence ``exclude``)."""
        for item in [*self.cat.tips, *self.cat.marking_points]:
            if name in item.text and (not exclude or (item.text not in exclude
                                                      and exclude not in item.text)):
                return item
        return None

    def unknown_model(self, message: str) -> str | None:
        """An acronym asked about as a model that no document defines ("the CARE model")."""
        if not _MODEL_CUES.search(message):
            return None
        cat = self.cat
        known = {m.name for m in cat.models} | {a.short for a in cat.abbreviations} | {
            law.name for law in cat.laws}
        return next((a for a in _ACRONYM.findall(message) if a not in known), None)

    def no_such_model(self, name: str | None) -> Reply:
        cat = self.cat
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

    def closest_models(self, message: str) -> list[NamedModel]:
        """The model defined in the passage closest to ``message``, when it is close enough."""
        for hit in self.kb.search(message, k=3):
            for model in self.cat.models:
                if model.source.doc == hit.passage.doc and model.name in hit.passage.text:
                    return [model] if hit.similarity >= self.min_score else []
        return []

    # -- laws -----------------------------------------------------------------------------------
    def closest_laws(self, message: str) -> list[Law]:
        """The law(s) whose own context in the documents is closest to what ``message`` asks
        about: each law's name and the sentences naming it (or its area, 'equality'), a sentence
        naming n laws counting 1/n. Both sides have the documents' mean embedding removed, so
        what every sentence shares ('customers') does not decide it."""
        ctx = self._law_contexts()
        question = _centred(self.kb.embed(question_subject(message)), ctx.mean)
        scores = np.full(len(self.cat.laws), -1.0)
        np.maximum.at(scores, ctx.owners, ctx.weights * (ctx.vectors @ question))
        order = np.argsort(-scores, kind="stable")
        best = scores[order[0]]  # the closest is always named; others near it when it is close
        return [self.cat.laws[i] for i in order
                if i == order[0] or (best > 0 and scores[i] >= _LAWS_TIE * best)]

    def _law_contexts(self) -> _LawContext:
        """Each law's name and the sentences naming it, embedded once per index build."""
        build = self.kb.build_id
        if self._law_context is None or self._law_context[0] != build:
            self._law_context = (build, _LawContext.of(self.cat, self.kb.encoder))
        return self._law_context[1]

    def law_reply(self, laws: list[Law], named: bool, context: Context) -> Reply:
        """What the documents say of ``laws``; led by which law it is when the learner named none
        (or the message named several)."""
        cat = self.cat
        parts, sources = [], []
        for law in laws[:2]:
            mentions = self._mentions(law)[:3]
            parts.append(f"**{law.name}** — what your course documents say:")
            parts.append(bulleted([m.text for m in mentions]))
            sources.extend(cat.cite(m.source.doc, m.source.section) for m in mentions)
        lead = (f"That's covered by the {' and '.join(law.name for law in laws[:2])}.\n\n"
                if len(laws) > 1 or not named else "")
        return Reply(lead + "\n".join(parts), kind="law", sources=list(dict.fromkeys(sources)),
                     context=context.but(law=laws[0].name, focus="law"))

    @staticmethod
    def _mentions(law: Law) -> list[Mention]:
        first: dict[str, Mention] = {}
        for m in law.mentions:
            first.setdefault(m.text, m)  # a sentence named by two documents is quoted once
        return list(first.values())

    def law_year(self, law: Law, context: Context) -> Reply:
        if law.year is None:
            text = (f"Your course documents don't give a year for {law.name}, so I won't guess. "
                    f"They mention it in {and_list([self.cat.topic_of(d) for d in law.docs])}.")
        else:
            text = f"The **{law.name}** dates from **{law.year}**, the year in its name."
        return Reply(text, kind="law", context=context.but(law=law.name, focus="law"))

    def which_first(self, laws: list[Law], context: Context) -> Reply | None:
        """Which of two laws came first, by the years in their names; None unless two differ."""
        laws = list(dict.fromkeys(laws))[:2]
        if len(laws) < 2:
            return None
        undated = [law.name for law in laws if law.year is None]
        if undated:
            text = (f"Your course documents don't give a year for {and_list(undated)}, so I can't "
                    f"say which came first.")
        else:
            old, new = sorted(laws, key=lambda law: law.year or 0)
            if old.year == new.year:
                text = f"The **{old.name}** and the **{new.name}** are both from **{old.year}**."
            else:
                text = (f"The **{old.name}** came first (**{old.year}**); the **{new.name}** "
                        f"followed in **{new.year}**, {new.year - old.year} years later "  # type: ignore[operator]
                        "(the years in their names).")
        return Reply(text, kind="law", context=context.but(law=laws[-1].name, previous=laws[0].name,
                                                            focus="law"))

    # -- abbreviations --------------------------------------------------------------------------
    def abbreviation_reply(self, abbreviation: Abbreviation, context: Context) -> Reply:
        cat = self.cat
        item = next((i for d in cat.documents for i in d.items if i.source == abbreviation.source),
                    None)
        text = f"**{abbreviation.short}** stands for **{abbreviation.long}**."
        if item is not None:
            text += f"\n\nIn your course ({cat.topic_of(item.source.doc)}): {item.text}"
        return Reply(text, kind="abbreviation",
                     sources=[cat.cite(abbreviation.source.doc, abbreviation.source.section)],
                     context=context.but(abbreviation=abbreviation.short, focus="abbreviation",
                                         topic=doc_id(cat, abbreviation.source.doc)))

    # -- where ----------------------------------------------------------------------------------
    def misconception(self, key: str | None) -> Misconception | None:
        return next((m for m in self.cat.misconceptions if misconception_key(m) == key), None)

    def where(self, context: Context) -> Reply | None:
        """Which topics and sections hold what the conversation is about."""
        cat = self.cat
        focus = context.focus
        if focus == "model" and (model := self.model(context.model)):
            places = [(model.name, model.source.doc, model.source.section)]
        elif focus == "law" and (law := self.law(context.law)):
            places = [(law.name, m.source.doc, m.source.section) for m in law.mentions]
        elif focus == "abbreviation" and (abbr := self.abbreviation(context.abbreviation)):
            places = [(abbr.short, abbr.source.doc, abbr.source.section)]
        elif focus == "misconception" and (m := self.misconception(context.misconception)):
            places = [(f"\u201c{m.belief}\u201d", m.source.doc, m.source.section)]
        elif context.topic and (doc := cat.document(context.topic)):
            return Reply(f"That is in **{doc.topic}**.", kind="where", context=context)
        else:
            return None
        cites = list(dict.fromkeys(cat.cite(doc, section) for _, doc, section in places))
        return Reply(f"{places[0][0]} is in your notes under:\n" + bulleted(cites), kind="where",
                     sources=cites, context=context)


class _LawContext:
    """Centred embeddings of every law's name and of the sentences that name it."""

    def __init__(self, owners: list[int], weights: list[float], vectors: np.ndarray,
                 mean: np.ndarray) -> None:
        self.owners = np.array(owners, dtype=int)
        self.weights = np.array(weights, dtype=np.float32)
        self.vectors = _centred(vectors, mean)
        self.mean = mean

    @classmethod
    def of(cls, cat: Catalogue, encoder: Encoder) -> _LawContext:
        laws = cat.laws
        texts = [item.text for doc in cat.documents for item in doc.items]
        patterns = [re.compile(rf"\b(?:{re.escape(law.name)}|{re.escape(law_area(law) or law.name)})\b",
                               re.I) for law in laws]
        owners, weights, sentences = list(range(len(laws))), [1.0] * len(laws), []
        for text in dict.fromkeys(texts):
            named = [i for i, p in enumerate(patterns) if p.search(text)]
            if not named:
                continue
            owners += named
            weights += [1 / len(named)] * len(named)
            sentences += [text] * len(named)
        vectors = encoder.encode([law.name for law in laws] + texts)
        by_text = dict(zip(texts, vectors[len(laws):], strict=True))
        rows = np.vstack([vectors[:len(laws)], *([by_text[t]] for t in sentences)])
        return cls(owners, weights, rows, vectors[len(laws):].mean(axis=0))
