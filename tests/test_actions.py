"""Rasa actions against a small real tutor (seed documents, hashing encoder): no servers needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions.answers.reply import Button, Reply
from actions.answers.tutor import Tutor
from actions.dialogue import answers, overview, quiz
from actions.dialogue.base import FALLBACK_TEXT, FreeTextAction
from actions.dialogue.provider import TutorProvider, tutor_from
from actions.knowledge.base import KnowledgeBase

from .helpers import ROOT, HashingEncoder, copy_seeds

FREE_TEXT = [
    answers.ActionAnswer, answers.ActionExplainModel, answers.ActionExplainLaw,
    answers.ActionExamTips, answers.ActionMarkingPoints, answers.ActionCheckBelief,
]
OVERVIEW = [overview.ActionListTopics, overview.ActionCapabilities]
MESSAGES = ["What does HEAT stand for?", "which law covers customer data?", "any exam tips?",
            "the customer is always right", "what is a flux capacitor?"]


@pytest.fixture(scope="module")
def tutor(tmp_path_factory: pytest.TempPathFactory) -> Tutor:
    root = tmp_path_factory.mktemp("tutor")
    kb = KnowledgeBase(copy_seeds(root / "knowledge"), root / "index", encoder=HashingEncoder())
    _, report = kb.rebuild()
    assert report is not None
    return Tutor(kb)


@pytest.fixture(autouse=True)
def use_tutor(tutor: Tutor):
    with tutor_from(lambda: tutor):
        yield


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def tracker(text: str, intent: str = "ask_question") -> Tracker:
    """A fresh tracker whose latest user message is ``text``."""
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    events = [{"event": "user", "text": text, "parse_data": latest}]
    return Tracker("learner-1", {}, latest, events, False, None, {}, "action_listen")


class CorrectingTutor(Tutor):
    """The real tutor, except that every message is a misconception."""

    def correction(self, message: str) -> Reply | None:
        return Reply(f"That's a common misconception: {message}", kind="correction")


class BrokenTutor(Tutor):
    """A tutor whose engine fails on every call."""

    def __getattribute__(self, name: str):
        if name in ("answer", "explain_model", "explain_law", "exam_tips", "marking_points",
                    "list_topics", "capabilities", "correction"):
            raise RuntimeError("index is corrupt")
        return super().__getattribute__(name)


def test_registered_actions_are_exactly_the_domain_actions() -> None:
    executor = ActionExecutor()
    executor.register_package("actions.dialogue")
    domain = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text())
    assert set(executor.actions) == set(domain["actions"])


@pytest.mark.parametrize("action_class", FREE_TEXT)
@pytest.mark.parametrize("text", MESSAGES)
async def test_free_text_actions_send_one_reply(action_class, text, dispatcher) -> None:
    events = await action_class().run(dispatcher, tracker(text), {})
    assert events == []
    assert len(dispatcher.messages) == 1
    assert dispatcher.messages[0]["text"].strip()


@pytest.mark.parametrize("action_class", FREE_TEXT)
async def test_a_correction_comes_before_the_answer(action_class, dispatcher, tutor) -> None:
    correcting = CorrectingTutor(tutor.kb)
    with tutor_from(lambda: correcting):
        await action_class().run(dispatcher, tracker("complaints go to the manager"), {})
    assert [m["text"] for m in dispatcher.messages] == [
        "That's a common misconception: complaints go to the manager"
    ]


@pytest.mark.parametrize("action_class", OVERVIEW)
async def test_overviews_do_not_check_for_misconceptions(action_class, dispatcher, tutor) -> None:
    correcting = CorrectingTutor(tutor.kb)
    with tutor_from(lambda: correcting):
        await action_class().run(dispatcher, tracker("the customer is always right"), {})
    assert not dispatcher.messages[0]["text"].startswith("That's a common misconception")


async def test_list_topics_names_every_document(dispatcher, tutor) -> None:
    await overview.ActionListTopics().run(dispatcher, tracker("what topics are there?"), {})
    for doc in tutor.kb.catalogue.documents:
        assert doc.topic in dispatcher.messages[0]["text"]


@pytest.mark.parametrize("action_class", FREE_TEXT + OVERVIEW)
async def test_an_engine_failure_becomes_a_polite_reply(action_class, dispatcher, tutor,
                                                        caplog) -> None:
    broken = BrokenTutor(tutor.kb)
    with tutor_from(lambda: broken):
        events = await action_class().run(dispatcher, tracker("What does HEAT stand for?"), {})
    assert events == []
    assert [m["text"] for m in dispatcher.messages] == [FALLBACK_TEXT]
    assert "index is corrupt" in caplog.text


async def test_buttons_and_sources_reach_the_message(dispatcher) -> None:
    class Stub(FreeTextAction):
        def name(self) -> str:
            return "action_stub"

        def answer(self, tutor, text):
            return Reply("HEAT is Hear, Empathise, Apologise, Take action.", kind="model",
                         buttons=[Button("Quiz me on HEAT", "/start_quiz")],
                         sources=["Topic 002, Key Concepts & Core Principles"])

    await Stub().run(dispatcher, tracker("what is HEAT?"), {})
    message = dispatcher.messages[0]
    assert message["text"].endswith("Source: Topic 002, Key Concepts & Core Principles")
    assert message["buttons"] == [{"title": "Quiz me on HEAT", "payload": "/start_quiz"}]


async def test_an_empty_latest_message_is_still_answered(dispatcher) -> None:
    empty = Tracker("learner-1", {}, {}, [], False, None, {}, "action_listen")
    await answers.ActionAnswer().run(dispatcher, empty, {})
    assert len(dispatcher.messages) == 1


@pytest.mark.parametrize("action_class", [quiz.ActionQuizTurn, quiz.ActionProgress])
async def test_quiz_placeholders_say_quizzes_are_coming(action_class, dispatcher) -> None:
    assert await action_class().run(dispatcher, tracker("quiz me", "start_quiz"), {}) == []
    assert "coming soon" in dispatcher.messages[0]["text"]


def test_the_provider_builds_the_tutor_once_on_first_use() -> None:
    built: list[object] = []
    provider = TutorProvider(lambda: built.append(object()) or built[-1])
    assert built == []
    first = provider()
    assert provider() is first
    assert len(built) == 1


def test_importing_the_actions_loads_no_engine() -> None:
    code = ("import sys, actions.dialogue.answers, actions.dialogue.overview, "
            "actions.dialogue.quiz; heavy = {'faiss', 'torch', 'sentence_transformers', "
            "'bm25s'} & set(sys.modules); print(sorted(heavy)); sys.exit(1 if heavy else 0)")
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(ROOT), capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
