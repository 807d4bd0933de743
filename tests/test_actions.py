"""Rasa actions against a small real tutor (seed documents, hashing encoder): no servers needed."""

from __future__ import annotations

import json
import random
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
from actions.dialogue.provider import Provider, desk_from, tutor_from
from actions.knowledge.base import KnowledgeBase
from actions.quiz.desk import QuizDesk
from actions.quiz.progress import Progress

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


@pytest.mark.parametrize(("action_class", "request_text"), [
    (overview.ActionListTopics, "what topics are there?"),
    (overview.ActionCapabilities, "what can you do?"),
    (overview.ActionListTopics, "/list_topics"),
])
async def test_overview_requests_are_not_checked_for_misconceptions(
    action_class, request_text, dispatcher, tutor
) -> None:
    correcting = CorrectingTutor(tutor.kb)
    with tutor_from(lambda: correcting):
        await action_class().run(dispatcher, tracker(request_text), {})
    assert not dispatcher.messages[0]["text"].startswith("That's a common misconception")


@pytest.mark.parametrize("action_class", OVERVIEW)
async def test_a_belief_nlu_sent_to_an_overview_is_still_corrected(action_class, dispatcher,
                                                                   tutor) -> None:
    await action_class().run(dispatcher, tracker("the customer is always right"), {})
    assert "misconception" in dispatcher.messages[0]["text"]


async def test_a_question_nlu_heard_as_a_quiz_command_is_answered(dispatcher) -> None:
    await quiz.ActionQuizTurn().run(dispatcher, tracker("what is teamwork in this unit",
                                                        "quiz_repeat"), {})
    text = dispatcher.messages[0]["text"]
    assert "no quiz in progress" not in text.lower() and "Source:" in text


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


@pytest.fixture(autouse=True)
def desk(tutor: Tutor, tmp_path: Path):
    made = QuizDesk(tutor.kb, Progress(f"sqlite:///{tmp_path / 'progress.db'}"), random.Random(2))
    with desk_from(lambda: made):
        yield made


async def _say(action, text: str, intent: str, entities: list | None = None) -> dict:
    dispatcher = CollectingDispatcher()
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9},
              "entities": entities or []}
    events = [{"event": "user", "text": text, "parse_data": latest}]
    turn = Tracker("quiz-learner", {}, latest, events, False, None, {}, "action_listen")
    assert await action.run(dispatcher, turn, {}) == []
    assert len(dispatcher.messages) == 1
    return dispatcher.messages[0]


async def test_a_quiz_through_the_actions(desk: QuizDesk) -> None:
    started = await _say(quiz.ActionQuizTurn(), "quiz me on the models", "start_quiz")
    question = desk.session("quiz-learner").current()
    assert question is not None and question.prompt in started["text"]
    for button in started["buttons"]:  # options are answers, whatever NLU makes of their words
        assert button["payload"].startswith("/quiz_answer{")
        assert json.loads(button["payload"][len("/quiz_answer"):])["answer"] == button["title"]

    # typed free text goes to whichever action NLU picked: during a quiz it is the answer
    graded = await _say(answers.ActionAnswer(), question.answer_text, "ask_question")
    assert graded["text"].startswith("Correct")

    second = desk.session("quiz-learner").current()
    assert second is not None
    clicked = await _say(quiz.ActionQuizAnswer(), "/quiz_answer", "quiz_answer",
                         [{"entity": "answer", "value": "certainly not this"}])
    assert clicked["text"].startswith(("Not quite", "Partly"))
    assert all(answer in clicked["text"] for answer in second.answers)

    hint = await _say(quiz.ActionQuizTurn(), "hint please", "quiz_hint")
    assert hint["text"].startswith("Hint:")

    # a question mid-quiz is answered, then the quiz question comes back
    current = desk.session("quiz-learner").current()
    assert current is not None
    aside = await _say(answers.ActionExplainModel(), "what does STAR stand for?", "ask_model")
    assert "Situation" in aside["text"] and "Back to your quiz" in aside["text"]
    assert current.prompt in aside["text"]
    assert desk.session("quiz-learner").current() == current

    await _say(quiz.ActionQuizTurn(), "skip", "quiz_skip")
    summary = await _say(quiz.ActionQuizTurn(), "stop", "quiz_stop")
    assert summary["text"].startswith("Quiz finished: 1 out of 3")
    assert not desk.active("quiz-learner")

    report = await _say(quiz.ActionProgress(), "how am I doing?", "ask_progress")
    assert report["text"].startswith("Overall: 1/3 right")
    revise = await _say(quiz.ActionProgress(), "what should I revise?", "ask_revision")
    assert revise["text"].startswith("What to revise next:")


async def test_overviews_take_quiz_answers_too(desk: QuizDesk) -> None:
    await _say(quiz.ActionQuizTurn(), "quiz me on legislation", "start_quiz")
    question = desk.session("quiz-learner").current()
    assert question is not None
    graded = await _say(overview.ActionCapabilities(), question.answer_text, "capabilities")
    assert graded["text"].startswith("Correct")


async def test_a_topic_name_mid_quiz_is_an_answer_not_a_new_quiz(desk: QuizDesk) -> None:
    await _say(quiz.ActionQuizTurn(), "quiz me on legislation", "start_quiz")
    question = desk.session("quiz-learner").current()
    assert question is not None
    graded = await _say(quiz.ActionQuizTurn(), question.answer_text, "start_quiz")
    assert graded["text"].startswith("Correct")
    again = await _say(quiz.ActionQuizTurn(), "start a new quiz on the models", "start_quiz")
    assert again["text"].startswith("Quiz:")


async def test_a_progress_guess_that_asks_something_else_is_answered(desk: QuizDesk) -> None:
    reply = await _say(quiz.ActionProgress(), "what does FCR stand for", "ask_progress")
    assert "First Contact Resolution" in reply["text"]


async def test_an_answer_with_no_quiz_running_is_answered_as_a_question(desk: QuizDesk) -> None:
    reply = await _say(quiz.ActionQuizAnswer(), "the answer is HEAT", "quiz_answer")
    assert "Hear" in reply["text"]


def test_the_provider_builds_the_tutor_once_on_first_use() -> None:
    built: list[object] = []
    provider = Provider(lambda: built.append(object()) or built[-1])
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
