"""The tutor's reply logic, independent of Rasa: every Rasa action is a thin call into this class.

:class:`Tutor` is the facade: :meth:`Tutor.respond` reads any message against the conversation's
:class:`Context` and hands it to the module that answers it: comparisons (:mod:`compare`),
follow-ups (:mod:`conversation`), corrections (:mod:`misconceptions`), exam guidance
(:mod:`guidance`), models, laws and abbreviations (:mod:`explain`), topics (:mod:`topics`) and
free questions (:mod:`answering`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..knowledge.base import KnowledgeBase
from ..knowledge.model import Misconception, SectionKind
from . import compare, followup, topics
from .advice import advice, asks_about_mistakes
from .answering import ANSWERING, CONTENT, MISTAKES, Ranker, compose, is_question
from .compose import bulleted
from .context import Context, misconception_key
from .conversation import SUPPORT_MIN, follow_up
from .explain import LAW_CUES, Explainer, doc_id
from .guidance import Guide
from .misconceptions import MisconceptionDetector
from .reply import Reply
from .resolve import find_abbreviations, find_laws, find_models, find_topics, topic_numbers

__all__ = ["Context", "Reply", "Tutor", "misconception_key"]

_CONTENT = CONTENT
_SUPPORT_MIN = SUPPORT_MIN
# A law question that only points back ("which law is that?", "what act covers this?").
_POINTS_BACK = re.compile(
    r"^\W*(?:so\W+|and\W+|ok\W+)?(?:which|what)\s+(?:law|act|legislation|regulation)s?\s+"
    r"(?:is|are|was|covers?|applies|apply|says?|deals? with)?\s*(?:that|this|it|those|these)"
    r"(?:\s+(?:then|one|under|about|from))?\W*$", re.I)
_MODEL_CUES = re.compile(r"\b(model|framework|method|acronym|technique)\b", re.I)
_ACRONYM = re.compile(r"\b[A-Z]{2,8}\b")
_TIPS = re.compile(r"\b(tips?|revision tips?|revision strateg\w*)\b", re.I)
_MARKING = re.compile(r"\b(marking|marks?|mark scheme|examiners?|assessors?|credit)\b", re.I)
_LIST_TOPICS = re.compile(
    r"\b(?:what|which|list|show|see|all|name)\b(?:\s+[\w']+){0,3}\s+topics\b|"
    r"\btopics\b\s+(?:are there|do you|does|can|have you)", re.I)
_WITH_MISTAKES = ANSWERING | MISTAKES


# The subject in focus is one model, law or topic: "it", "that", not "they" ("when they come up").
_IT = re.compile(r"\b(?:it|that|this|its)\b", re.I)
_THAT_TOPIC = re.compile(r"\b(?:that|this|the same) topic\b", re.I)
_THAT_ONE = re.compile(r"\b(?:that|this|the same) (?:one|topic|model|law)\b", re.I)


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
        self.explainer = Explainer(kb, min_score)
        self.guide = Guide(kb)
        self.ranker = Ranker(kb)

    def warm(self) -> None:
        """Do the once-per-build work now (index load, passage clauses' vectors) rather than on
        the first question: call it when a server starts."""
        self.ranker.rank("warm up", ANSWERING)

    # -- one entry point for free text ----------------------------------------------------------
    def respond(self, message: str, context: Context | None = None, intent: str = "") -> Reply:
        """Any free-text message, read against what the conversation is about: a comparison, a
        follow-up, a correction, else the answer to what it asks (``intent`` is NLU's hint;
        the message's own words decide when they say more). ``Reply.context`` is the new context."""
        context = context or Context()
        reply = self._respond(message, context, intent)
        return replace(reply, context=context.after(reply.context))

    def _respond(self, message: str, context: Context, intent: str) -> Reply:
        if (intent == "compare" or compare.asks_comparison(message)) and (
                reply := self.comparison(message, context)):
            return reply
        form = followup.read(message)
        if form is not None and (reply := follow_up(self, message, form, context)) is not None:
            return reply
        message = self.resolve_pronoun(message, context)
        asks_guidance = self._asks_guidance(message, intent)
        if not asks_guidance and (reply := self.correction(message, context)) is not None:
            return reply
        if intent == "list_topics" or self._asks_topic_list(message):
            return self.list_topics(context)
        if intent == "capabilities":
            return self.capabilities()
        if self._asks_mistakes_only(message):
            return self.answer(message, context)  # "what should I avoid in topic 1?": not tips
        if intent == "ask_exam_tips" or (intent != "ask_marking_points" and _TIPS.search(message)):
            return self.exam_tips(message, context)
        if intent == "ask_marking_points" or _MARKING.search(message):
            return self.marking_points(message, context)
        if intent == "ask_model":
            return self.explain_model(message, context)
        if intent == "ask_law":
            return self.explain_law(message, context)
        return self.answer(message, context)

    def reply(self, message: str) -> Reply:
        """Any free-text message with no conversation behind it."""
        return self.respond(message)

    def _asks_guidance(self, message: str, intent: str) -> bool:
        """A request for exam tips or marking points ("marking points for topic 0"): it asserts
        nothing, so it is not checked for misconceptions."""
        cued = bool(_TIPS.search(message) or _MARKING.search(message))
        if intent in ("ask_exam_tips", "ask_marking_points") and (
                cued or is_question(message) or len(message.split()) <= 6):
            return True  # NLU's guess, believed unless the words state something at length
        if not cued:
            return False
        return (is_question(message) or len(message.split()) <= 6
                or bool(topic_numbers(message) or find_topics(message, self.kb.catalogue)))

    @staticmethod
    def _asks_mistakes_only(message: str) -> bool:
        """A question about what to avoid that does not ask for tips or marking points."""
        return (is_question(message) and asks_about_mistakes(message)
                and not _TIPS.search(message) and not _MARKING.search(message))

    def _asks_topic_list(self, message: str) -> bool:
        cat = self.kb.catalogue
        return bool(_LIST_TOPICS.search(message)) and not (
            topic_numbers(message) or find_topics(message, cat) or find_models(message, cat)
            or find_laws(message, cat) or find_abbreviations(message, cat))

    def resolve_pronoun(self, message: str, context: Context) -> str:
        """'what does it stand for?' -> 'what does HEAT stand for?', 'quiz me on that one' (after
        topic 2) -> 'quiz me on topic 2', when the message names nothing."""
        subject = {"model": context.model, "law": context.law,
                   "abbreviation": context.abbreviation}.get(context.focus or "")
        if context.topic and (_THAT_TOPIC.search(message) or (
                subject is None and context.focus in ("topic", "tips", "marking"))):
            doc = self.kb.catalogue.document(context.topic)
            subject = f"topic {int(doc.number)}" if doc is not None and doc.number else None
        if not subject or not _IT.search(message):
            return message
        if not is_question(message) and len(message.split()) > 6:
            return message  # a statement's "it" is its own ("it's fine to skip logging a call")
        cat = self.kb.catalogue
        if (find_models(message, cat) or find_laws(message, cat) or find_abbreviations(message, cat)
                or topic_numbers(message)):
            return message
        if _THAT_ONE.search(message):
            return _THAT_ONE.sub(subject, message, count=1)
        return _IT.sub(subject, message, count=1)

    def _doc_id(self, doc_name: str) -> str | None:
        return doc_id(self.kb.catalogue, doc_name)

    # -- comparisons ----------------------------------------------------------------------------
    def comparison(self, message: str, context: Context | None = None) -> Reply | None:
        """Two models or laws side by side; None when the message compares nothing named."""
        context = context or Context()
        cat = self.kb.catalogue
        ex = self.explainer
        found = compare.subjects(message, cat)

        def side(name: str | None) -> compare.Subject | None:  # a model or law kept by name
            return compare.subject_for(ex.model(name), ex.law(name))

        if not found and compare.BOTH.search(message) and context.previous and context.subject:
            # "how do they differ?": the two things spoken of last
            found = [s for name in (context.previous, context.subject) if (s := side(name))]
        if len(found) == 1 and followup.PRONOUN.search(message):
            earlier = side(context.subject)
            if earlier is not None and earlier.name != found[0].name:
                found.insert(0, earlier)
        known = [s for s in found if s.known]
        if not known:
            return None
        unknown = [s for s in found if not s.known]
        if len(known) >= 2:
            text, sources = compare.side_by_side(known[0], known[1], cat)
            first, second = known[0], known[1]
            return Reply(text, kind="comparison", sources=sources, context=context.but(
                focus="comparison", previous=first.name,
                law=second.law.name if second.law else context.law,
                model=second.model.name if second.model else context.model))
        if not unknown:
            return None  # one name and something unnamed ("HEAT and good service"): answered plainly
        one = known[0]
        single = (ex.model_reply(one.model, "", context) if one.model is not None
                  else ex.law_reply([one.law], named=True, context=context))  # type: ignore[list-item]
        missing = " or ".join(s.name for s in unknown)
        return Reply(f"Your course documents don't mention {missing}, so I can't compare it with "
                     f"{one.name}. Here is what they say about {one.name}:\n\n{single.text}",
                     kind="comparison", sources=single.sources, context=single.context)

    # -- free questions -------------------------------------------------------------------------
    def answer(self, message: str, context: Context | None = None) -> Reply:
        """A free question: a named model, law, abbreviation or topic first, then the passages
        that answer it (mistakes as advice when it asks what to avoid)."""
        context = context or Context()
        cat = self.kb.catalogue
        ex = self.explainer
        if models := find_models(message, cat):
            return ex.model_reply(models[0], message, context)
        if laws := find_laws(message, cat):
            if len(laws) == 1 and followup.asks_when(message) and is_question(message):
                # "when was the CRA passed?"
                return ex.law_year(laws[0], context)
            return ex.law_reply(laws, named=True, context=context)
        if abbreviations := find_abbreviations(message, cat):
            return ex.abbreviation_reply(abbreviations[0], context)
        question = is_question(message)
        mistakes = question and asks_about_mistakes(message)
        if LAW_CUES.search(message) and not mistakes:
            return self.explain_law(message, context)
        if unknown := ex.unknown_model(message):
            return ex.no_such_model(unknown)
        if docs := find_topics(message, cat):
            if mistakes:
                return topics.mistakes(docs[0], cat, context)
            return topics.overview(docs[0], cat, context)
        if numbers := topic_numbers(message):
            return self._no_such_topic(numbers[0], context)
        ranked = self.ranker.rank(message, _WITH_MISTAKES if question else ANSWERING)
        found = compose(message, ranked, self.min_score)
        if found is None:
            if not question and (reply := self.advice_on(message, context)) is not None:
                return reply
            return self._not_found(message)
        sources = list(dict.fromkeys(cat.cite(p.doc, p.section) for p in found.used))
        first = found.used[0]
        after = context.but(topic=self._doc_id(first.doc), focus="answer")
        if found.advice:
            after = after.but(misconception=first.id, focus="misconception")
        return Reply(found.text, kind="advice" if found.advice else "answer", sources=sources,
                     context=after)

    def _no_such_topic(self, number: int, context: Context) -> Reply:
        names = [d.topic for d in self.kb.catalogue.documents]
        return Reply(f"There is no topic {number} in your course. The topics are:\n"
                     + bulleted(names), kind="topics", context=context)

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

    # -- models and laws ------------------------------------------------------------------------
    def explain_model(self, message: str, context: Context | None = None) -> Reply:
        """Every step of a named model, in order, and how the documents say to use it."""
        context = context or Context()
        ex = self.explainer
        models = find_models(message, self.kb.catalogue)
        if not models and not _MODEL_CUES.search(message):
            return self.answer(message, context)  # NLU guessed a model question; the message names none
        if not models:
            unknown = ex.unknown_model(message) or next(iter(_ACRONYM.findall(message)), None)
            models = [] if unknown else ex.closest_models(message)
            if not models:
                return ex.no_such_model(unknown)
        return ex.model_reply(models[0], message, context)

    def explain_law(self, message: str, context: Context | None = None) -> Reply:
        """A named act, or the act that covers what the learner describes."""
        context = context or Context()
        cat = self.kb.catalogue
        if not cat.laws:
            return Reply("Your course documents don't name any legislation yet.", kind="not_found")
        laws = find_laws(message, cat)
        if not laws and not LAW_CUES.search(message):
            return self.answer(message, context)  # NLU guessed a law question; the message names none
        about = message
        if not laws and _POINTS_BACK.match(message) and (
                m := self.explainer.misconception(context.misconception)):
            about = m.text  # "which law is that?" after a correction: the law of that mistake
        return self.explainer.law_reply(laws or self.explainer.closest_laws(about),
                                        named=bool(laws), context=context)

    # -- exam tips and marking points -----------------------------------------------------------
    def exam_tips(self, message: str, context: Context | None = None) -> Reply:
        """Exam tips on a subject or for a topic."""
        context = context or Context()
        return self.guide.reply(message, SectionKind.TIPS, context) or self.answer(message, context)

    def marking_points(self, message: str, context: Context | None = None) -> Reply:
        """What examiners look for, on a subject or in a topic."""
        context = context or Context()
        return (self.guide.reply(message, SectionKind.MARKING, context)
                or self.answer(message, context))

    # -- overview -------------------------------------------------------------------------------
    def list_topics(self, context: Context | None = None) -> Reply:
        """Every topic by number and title, with its key concepts."""
        return topics.topic_list(self.kb.catalogue, context or Context())

    def capabilities(self) -> Reply:
        """What the tutor can do, with the catalogue's models and laws."""
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
    def advice_on(self, message: str, context: Context | None = None) -> Reply | None:
        """For a statement that nothing answers but that is about a listed misconception ("I
        always check who I'm talking to before I open their account"): the course's advice on
        it, which holds whichever side the learner takes (it was not judged a mistake)."""
        m = self.detector.topic_of(message)
        if m is None:
            return None
        cat = self.kb.catalogue
        return Reply(f"On that point, your course's advice: {advice(m.text)}\n\n"
                     "Ask 'why?' to hear more, or carry on.", kind="advice",
                     sources=[cat.cite(m.source.doc, m.source.section)],
                     context=self._on_misconception(m, context))

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
                     context=self._on_misconception(m, context))

    def _on_misconception(self, m: Misconception, context: Context | None) -> Context:
        """The context after a reply about misconception ``m`` (a correction, or advice)."""
        return (context or Context()).but(misconception=misconception_key(m),
                                          focus="misconception", topic=self._doc_id(m.source.doc))

