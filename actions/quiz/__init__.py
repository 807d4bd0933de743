"""Quizzes drawn from the catalogue: questions, grading, progress with spaced repetition, a session."""

from .grading import Verdict, grade
from .progress import Progress, Recommendation, Summary
from .questions import Kind, Question, generate
from .selection import QuestionBank, Selection
from .session import QuizSession

__all__ = [
    "Kind",
    "Progress",
    "Question",
    "QuestionBank",
    "QuizSession",
    "Recommendation",
    "Selection",
    "Summary",
    "Verdict",
    "generate",
    "grade",
]
