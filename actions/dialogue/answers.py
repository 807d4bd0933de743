"""Actions for free-text knowledge requests; each checks for a misconception first (see FreeTextAction)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import FreeTextAction

if TYPE_CHECKING:
    from ..answers.reply import Reply
    from ..answers.tutor import Tutor


class ActionAnswer(FreeTextAction):
    """A general question, or a message NLU could not classify: answer from the documents or say so."""

    def name(self) -> str:
        return "action_answer"

    def answer(self, tutor: Tutor, text: str) -> Reply:
        return tutor.answer(text)


class ActionExplainModel(FreeTextAction):
    """A named model or framework (HEAT, STAR, ...), resolved from the catalogue by the tutor."""

    def name(self) -> str:
        return "action_explain_model"

    def answer(self, tutor: Tutor, text: str) -> Reply:
        return tutor.explain_model(text)


class ActionExplainLaw(FreeTextAction):
    """An act or regulation, or which law covers something."""

    def name(self) -> str:
        return "action_explain_law"

    def answer(self, tutor: Tutor, text: str) -> Reply:
        return tutor.explain_law(text)


class ActionExamTips(FreeTextAction):
    """Exam tips and revision strategies."""

    def name(self) -> str:
        return "action_exam_tips"

    def answer(self, tutor: Tutor, text: str) -> Reply:
        return tutor.exam_tips(text)


class ActionMarkingPoints(FreeTextAction):
    """What examiners give credit for."""

    def name(self) -> str:
        return "action_marking_points"

    def answer(self, tutor: Tutor, text: str) -> Reply:
        return tutor.marking_points(text)


class ActionCheckBelief(FreeTextAction):
    """A belief the learner states: corrected when it is a listed misconception, else answered."""

    def name(self) -> str:
        return "action_check_belief"

    def answer(self, tutor: Tutor, text: str) -> Reply:
        return tutor.answer(text)
