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

from actions.answers.context import Context
from actions.answers.reply import Button, Reply
from actions.answers.tutor import Tutor
from actions.dialogue import answers, overview, quiz
from actions.dialogue.base import FALLBACK_TEXT, FreeTextAction
from actions.dialogue.provider import Provider, desk_from, tutor_from
from actions.knowledge.base import KnowledgeBase
from actions.logbook import Logbook, use_logbook
from actions.quiz.desk import QuizDesk
from actions.quiz.progress import Progress

from .helpers import ROOT, HashingEncoder, copy_seeds

FREE_TEXT = [answers.ActionAnswer]
OVERVIEW = [overview.ActionListTopics, overview.ActionCapabilities]
MESSAGES = ["What does HEAT stand for?", "which law covers customer data?", "any exam tips?",
            "the customer is always right", "what is a flux capacitor?"]
CONTEXT_SLOTS = set(Context().to_slots())


@pytest.fixture(scope="module")
def tutor(tmp_path_factory: pytest.TempPathFactory) -> Tutor:
    root = tmp_path_factory.mktemp("tutor")
    kb = KnowledgeBase(copy_seeds(root / "knowledge", examples=False), root / "index",
                       encoder=HashingEncoder())
    _, report = kb.rebuild()
    assert report is not None
    return Tutor(kb)


@pytest.fixture(autouse=True)
def use_tutor(tutor: Tutor):
    with tutor_from(lambda: tutor):
        yield


@pytest.fixture(autouse=True)
def logbook(tmp_path: Path):
    """Each test's turns go to its own message log."""
    made = Logbook(f"sqlite:///{tmp_path / 'log.db'}", b"test-key")
    use_logbook(made)
    yield made
    use_logbook(None)


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def tracker(text: str, intent: str = "ask_question", slots: dict | None = None,
            entities: list | None = None, loop: str | None = None,
            sender: str = "learner-1") -> Tracker:
    """A fresh tracker whose latest user message is ``text``, with ``slots`` set."""
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9},
              "entities": entities or []}
    events = [{"event": "user", "text": text, "parse_data": latest}]
    return Tracker(sender, dict(slots or {}), latest, events, False, None,
                   {"name": loop} if loop else {}, "action_listen")


def slots_of(events: list[dict]) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


class BrokenTutor(Tutor):
    """A tutor whose engine fails on every call."""

    def __getattribute__(self, name: str):
        if name in ("respond", "reply", "answer", "list_topics", "capabilities", "correction"):
            raise RuntimeError("index is corrupt")
        return super().__getattribute__(name)


def test_registered_actions_are_exactly_the_domain_actions() -> None:
    executor = ActionExecutor()
    executor.register_package("actions.dialogue")
    domain = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text())
    assert set(executor.actions) == set(domain["actions"])


def test_every_context_field_has_a_slot_in_the_domain() -> None:
    domain = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text())
    assert set(domain["slots"]) >= CONTEXT_SLOTS


@pytest.mark.parametrize("text", MESSAGES)
async def test_free_text_sends_one_reply_and_keeps_its_context(text, dispatcher) -> None:
    events = await answers.ActionAnswer().run(dispatcher, tracker(text), {})
    assert set(slots_of(events)) == CONTEXT_SLOTS
    assert len(dispatcher.messages) == 1
    assert dispatcher.messages[0]["text"].strip()


async def _turns(*messages: str, first=answers.ActionAnswer) -> list[str]:
    """Play ``messages`` (the first through ``first``, the rest through action_answer), carrying
    the slots each reply sets."""
    slots: dict = {}
    said = []
    for n, text in enumerate(messages):
        dispatcher = CollectingDispatcher()
        action = first() if n == 0 else answers.ActionAnswer()
        events = await action.run(dispatcher, tracker(text, slots=slots), {})
        slots.update(slots_of(events))
        said.append(dispatcher.messages[0]["text"])
    return said


async def test_a_follow_up_resolves_against_the_slots_of_the_turn_before(tutor) -> None:
    model = next(m for m in tutor.kb.catalogue.models if len(m.steps) >= 3)
    _, third = await _turns(f"explain the {model.name} model", "and the third step?")
    assert model.steps[2] in third and model.name in third
    # without the context, the same words resolve to nothing of that model's
    (alone,) = await _turns("and the third step?")
    assert f"Step 3 of **{model.name}**" not in alone


async def test_turns_are_logged_under_a_pseudonym(logbook: Logbook) -> None:
    await _turns("what is a flux capacitor?", "the customer is always right")
    entries = logbook.entries()
    assert [e.text for e in entries] == ["what is a flux capacitor?", "the customer is always right"]
    assert entries[1].kind == "correction" and entries[1].misconception
    assert all(e.learner != "learner-1" for e in entries)


async def test_a_topic_list_then_the_second_one(tutor) -> None:
    _, second = await _turns("what topics are there?", "tell me about the second one",
                             first=overview.ActionListTopics)
    doc = tutor.kb.catalogue.documents[1]
    assert doc.topic in second and doc.synopsis[:40] in second


@pytest.mark.parametrize(("action_class", "request_text"), [
    (overview.ActionListTopics, "what topics are there?"),
    (overview.ActionCapabilities, "what can you do?"),
    (overview.ActionListTopics, "/list_topics"),
])
async def test_overview_requests_are_not_checked_for_misconceptions(
    action_class, request_text, dispatcher
) -> None:
    await action_class().run(dispatcher, tracker(request_text), {})
    assert "misconception:" not in dispatcher.messages[0]["text"].lower()


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

        def reply(self, tutor, turn):
            return Reply("HEAT is Hear, Empathise, Apologise, Take action.", kind="model",
                         buttons=[Button("Quiz me on HEAT", "/start_quiz")],
                         sources=["Topic 002 — Key Concepts & Core Principles"])

    events = await Stub().run(dispatcher, tracker("what is HEAT?"), {})
    assert events == []  # a reply with no context leaves the slots as they are
    message = dispatcher.messages[0]
    assert message["text"].endswith("Source: Topic 002 — Key Concepts & Core Principles")
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


LEARNER = "quiz-learner"


async def _say(action, text: str, intent: str, entities: list | None = None,
               in_form: bool = True) -> tuple[dict, dict]:
    """One message to ``action``: its one reply and the slots it set. ``in_form``: the quiz form
    is the active loop and has put the message in its slot, as Rasa does before validating."""
    dispatcher = CollectingDispatcher()
    slots = {"quiz_answer": text, "requested_slot": "quiz_answer"} if in_form else {}
    turn = tracker(text, intent, slots=slots, entities=entities,
                   loop="quiz_form" if in_form else None, sender=LEARNER)
    events = await action.run(dispatcher, turn, {})
    assert len(dispatcher.messages) == 1, dispatcher.messages
    return dispatcher.messages[0], slots_of(events)


async def _start(desk: QuizDesk, request: str) -> tuple[dict, object]:
    started, _ = await _say(quiz.ActionQuizTurn(), request, "start_quiz", in_form=False)
    question = desk.session(LEARNER).current()
    assert question is not None and question.prompt in started["text"]
    return started, question


async def test_the_form_starts_only_with_a_quiz(desk: QuizDesk) -> None:
    form = quiz.ValidateQuizForm()
    idle = await form.run(CollectingDispatcher(), tracker("quiz me on nothing", "start_quiz",
                                                          sender=LEARNER), {})
    assert slots_of(idle) == {"requested_slot": None}  # no quiz: the form ends at once
    await _start(desk, "quiz me on the models")
    dispatcher = CollectingDispatcher()
    running = await form.run(dispatcher, tracker("quiz me on the models", "start_quiz",
                                                 sender=LEARNER), {})
    assert running == [] and dispatcher.messages == []  # the question was asked already


async def test_a_quiz_through_the_form(desk: QuizDesk) -> None:
    form = quiz.ValidateQuizForm()
    started, question = await _start(desk, "quiz me on the models")
    for button in started["buttons"]:  # options are answers, whatever NLU makes of their words
        assert button["payload"].startswith("/quiz_answer{")
        assert json.loads(button["payload"][len("/quiz_answer"):])["answer"] == button["title"]

    # typed text is the answer, whatever intent NLU gave it
    graded, slots = await _say(form, question.answer_text, "goodbye")
    assert graded["text"].startswith("Correct")
    assert slots["quiz_answer"] is None and "requested_slot" not in slots  # the form goes on

    second = desk.session(LEARNER).current()
    assert second is not None
    clicked, _ = await _say(form, "/quiz_answer", "quiz_answer",
                            [{"entity": "answer", "value": "certainly not this"}])
    assert clicked["text"].startswith(("Not quite", "Partly"))
    assert all(answer in clicked["text"] for answer in second.answers)

    hint, _ = await _say(form, "hint please", "quiz_hint")
    assert hint["text"].startswith("Hint:")

    # a question mid-quiz is answered, then the quiz question comes back
    current = desk.session(LEARNER).current()
    assert current is not None
    aside, slots = await _say(form, "what does STAR stand for?", "ask_model")
    assert "Situation" in aside["text"] and "Back to your quiz" in aside["text"]
    assert current.prompt in aside["text"] and slots["last_model"] == "STAR"
    assert desk.session(LEARNER).current() == current

    # a question after a word or two ("wait, ...") is left to the tutor, not graded as an answer
    belief, _ = await _say(form, "wait, can we just share customer data with anyone?", "quiz_answer")
    assert "Back to your quiz" in belief["text"] and current.prompt in belief["text"]
    assert not belief["text"].startswith(("Correct", "Not quite", "Partly"))
    assert desk.session(LEARNER).current() == current

    await _say(form, "skip", "quiz_skip")
    summary, slots = await _say(form, "stop", "quiz_stop")
    assert summary["text"].startswith("Quiz finished: 1 out of 3")
    assert slots["requested_slot"] is None  # the form ends with the quiz
    assert not desk.active(LEARNER)

    report, _ = await _say(quiz.ActionProgress(), "how am I doing?", "ask_progress", in_form=False)
    assert report["text"].startswith("Overall: 1/3 right")
    revise, _ = await _say(quiz.ActionProgress(), "what should I revise?", "ask_revision",
                           in_form=False)
    assert revise["text"].startswith("What to revise next:")


@pytest.mark.parametrize("chat", ["thanks", "hello", "ok", "no", "yes", "bye"])
async def test_chat_mid_quiz_is_taken_by_the_quiz_not_answered_as_chat(desk: QuizDesk,
                                                                      chat: str) -> None:
    await _start(desk, "quiz me on the models")
    reply, _ = await _say(quiz.ValidateQuizForm(), chat, "greet")
    assert desk.active(LEARNER) or reply["text"].startswith("Quiz finished")
    assert reply["text"].startswith(("Not quite", "Hint", "Correct", "Partly")), reply["text"]


async def test_a_contest_after_a_wrong_verdict_re_marks_it(desk: QuizDesk) -> None:
    await _start(desk, "quiz me on the models")
    wrong, _ = await _say(quiz.ValidateQuizForm(), "bananas and custard", "quiz_answer")
    assert wrong["text"].startswith("Not quite")
    contested, _ = await _say(quiz.ValidateQuizForm(), "I was right", "quiz_contest")
    assert desk.active(LEARNER)
    await _say(quiz.ValidateQuizForm(), "stop", "quiz_stop")
    report, _ = await _say(quiz.ActionProgress(), "how am I doing?", "ask_progress", in_form=False)
    assert report["text"].startswith("Overall: 1/1 right"), (contested["text"], report["text"])


async def test_a_quiz_running_without_the_form_takes_the_message_and_restores_the_form(
    desk: QuizDesk,
) -> None:
    _, question = await _start(desk, "quiz me on legislation")
    dispatcher = CollectingDispatcher()
    events = await overview.ActionCapabilities().run(
        dispatcher, tracker(question.answer_text, "capabilities", sender=LEARNER), {})
    assert dispatcher.messages[0]["text"].startswith("Correct")
    assert {"event": "active_loop", "name": "quiz_form", "timestamp": None} in events


async def test_a_quiz_request_nlu_missed_starts_the_quiz_and_its_form(desk: QuizDesk,
                                                                     tutor: Tutor) -> None:
    model = max(tutor.kb.catalogue.models, key=lambda m: len(m.name))
    dispatcher = CollectingDispatcher()
    events = await answers.ActionAnswer().run(
        dispatcher, tracker(f"quiz me on the {model.name} model", "ask_model", sender=LEARNER), {})
    assert dispatcher.messages[0]["text"].startswith("Quiz:")
    assert {"event": "active_loop", "name": "quiz_form", "timestamp": None} in events
    assert desk.active(LEARNER)


async def test_a_new_quiz_request_mid_quiz_starts_one(desk: QuizDesk) -> None:
    await _start(desk, "quiz me on legislation")
    again, _ = await _say(quiz.ValidateQuizForm(), "start a new quiz on the models", "start_quiz")
    assert again["text"].startswith("Quiz:")


async def test_a_progress_guess_that_asks_something_else_is_answered(desk: QuizDesk) -> None:
    reply, _ = await _say(quiz.ActionProgress(), "what does FCR stand for", "ask_progress",
                          in_form=False)
    assert "First Contact Resolution" in reply["text"]


async def test_an_answer_with_no_quiz_running_is_answered_as_a_question(desk: QuizDesk) -> None:
    reply, _ = await _say(quiz.ActionQuizAnswer(), "the answer is HEAT", "quiz_answer",
                          in_form=False)
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


async def test_a_statement_nlu_heard_as_progress_is_read_as_a_statement(desk: QuizDesk) -> None:
    reply, _ = await _say(quiz.ActionProgress(), "once the survey results are in, there's nothing "
                          "more to do", "ask_progress", in_form=False)
    assert "quiz questions yet" not in reply["text"]
    brief, _ = await _say(quiz.ActionProgress(), "results please", "ask_progress", in_form=False)
    assert "quiz questions yet" in brief["text"]


@pytest.mark.parametrize(("text", "reads"), [
    ("bye!", True), ("see you tomorrow", True), ("ok thanks, that was really helpful", True),
    ("no, honestly the customer is always right whatever they say", None),
    ("I don't really need to watch my posture or eye contact with customers", False),
])
def test_small_talk_is_read_from_its_words(text: str, reads: bool | None) -> None:
    from actions.dialogue.small_talk import small_talk

    assert small_talk(text) is reads
