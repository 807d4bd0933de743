"""Exam tips and examiner marking points: for a subject ("tips for role plays"), for a topic named
by number, title or key concept ("marking points for topic 2", "tips for the complaints topic"),
or for both ("what do examiners want on feedback in topic 0?")."""

from __future__ import annotations

import re

from ..knowledge.base import KnowledgeBase
from ..knowledge.index import Hit
from ..knowledge.model import Catalogue, Document, Guidance, SectionKind
from ..knowledge.titles import stems
from .compose import and_list, bulleted
from .context import Context
from .reply import Reply
from .resolve import find_topics, topic_names, topic_numbers

# Words that show a message really asks for exam guidance (NLU's intent is only a hint).
GUIDANCE_CUES = re.compile(
    r"\b(tips?|exams?|examiners?|assess\w*|mark\w*|credit|revis\w*|advice|grade|pass|"
    r"look(?:ing)? for|want(?:s)? to see|prepare|role-?plays?)\b", re.I)
MARKING_CUES = re.compile(r"\b(mark\w*|examiners?|credit|assessors?|look(?:ing)? for)\b", re.I)
TIPS_CUES = re.compile(r"\b(tips?|revis\w*|advice)\b", re.I)
# Words that ask for guidance or name a topic by number; within the section they say nothing.
_REQUEST = frozenset(stems(
    "examiner examiners assessor assessors marker markers marking marks mark credit look looking "
    "want wants see exam exams tip tips revision revise advice point points give show list "
    "topic topics unit units module modules please need know zero one two three four five six "
    "seven eight nine ten"))


def section_asked(message: str, default: SectionKind) -> SectionKind:
    """Marking points or exam tips, from the message's words (``default`` when it says neither)."""
    if MARKING_CUES.search(message) and not TIPS_CUES.search(message):
        return SectionKind.MARKING
    if TIPS_CUES.search(message):
        return SectionKind.TIPS
    return default


def _subject(message: str, docs: list[Document]) -> str:
    """What the guidance is asked about, without the words that ask for it or name the topic."""
    naming = set().union(*(name for doc in docs for name in topic_names(doc))) if docs else set()
    words = [w for w in re.findall(r"[\w'’-]+", message)
             if (s := stems(w)) and s[0] not in _REQUEST and s[0] not in naming]
    return " ".join(words)


class Guide:
    """Exam tips and marking points from the catalogue, filtered by topic and subject."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    @property
    def cat(self) -> Catalogue:
        return self.kb.catalogue

    def reply(self, message: str, section: SectionKind, context: Context) -> Reply | None:
        """The guidance ``message`` asks for; None when it asks for none (NLU guessed wrong)."""
        docs = find_topics(message, self.cat)
        if not GUIDANCE_CUES.search(message) and not docs:
            return None
        if not docs and (numbers := topic_numbers(message)):
            return Reply(f"There is no topic {numbers[0]} in your course. The topics are:\n"
                         + bulleted([d.topic for d in self.cat.documents]), kind="topics",
                         context=context)
        subject = _subject(message, docs)
        if docs:
            return self.for_topics(docs, section, subject, context)
        hits = self.kb.search(subject or message, k=3, sections=frozenset({section}))
        return self._reply(self._as_guidance(hits), section, context)

    def for_topics(self, docs: list[Document], section: SectionKind, subject: str,
                   context: Context) -> Reply:
        """A topic's tips or marking points: all of them, or the three closest to ``subject``."""
        names = frozenset(d.name for d in docs)
        if subject:
            items = self._as_guidance(self.kb.search(subject, k=3, sections=frozenset({section}),
                                                     docs=names))
        else:
            every = self.cat.tips if section is SectionKind.TIPS else self.cat.marking_points
            items = [g for g in every if g.source.doc in names]
        topic = docs[0].doc_id if len(docs) == 1 else context.topic
        return self._reply(items, section, context.but(topic=topic),
                           where=and_list([d.topic for d in docs]))

    def _as_guidance(self, hits: list[Hit]) -> list[Guidance]:
        """Search hits as the catalogue's tips or marking points (same text, same source)."""
        every = {(g.source.doc, g.source.line): g for g in [*self.cat.tips, *self.cat.marking_points]}
        return [every[key] for h in hits if (key := (h.passage.doc, h.passage.line)) in every]

    def _reply(self, items: list[Guidance], section: SectionKind, context: Context,
               where: str = "") -> Reply:
        cat = self.cat
        heading = "Exam tips" if section is SectionKind.TIPS else "What examiners look for"
        if where:
            heading += f" in {where}"
        focus = "tips" if section is SectionKind.TIPS else "marking"
        if not items:
            return Reply(f"{heading}: your course documents have none.", kind=section.value,
                         context=context.but(focus=focus))
        sources = list(dict.fromkeys(cat.cite(g.source.doc, section) for g in items))
        return Reply(f"{heading}:\n" + bulleted([g.text for g in items]), kind=section.value, sources=sources,
                     context=context.but(focus=focus))
