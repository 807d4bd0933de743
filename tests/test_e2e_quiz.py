"""End-to-end quiz over the real Rasa and action servers: every question comes from the documents."""

from __future__ import annotations

import json
import uuid

import pytest

from actions.quiz.questions import Kind, Question
from actions.quiz.selection import QuestionBank

from .helpers import is_right_option
from .servers import TutorServers

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def bank(servers: TutorServers) -> QuestionBank:
    return QuestionBank.from_folders([servers.knowledge_dir])


def _text(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def _asked(bank: QuestionBank, replies: list[dict]) -> Question:
    """The question the last reply asks (the last prompt that appears in it)."""
    text = _text(replies)
    found = [(text.rfind(q.prompt), q) for q in bank.questions if q.prompt in text]
    assert found, text
    return max(found, key=lambda pair: pair[0])[1]


def _gives_answer(question: Question, text: str) -> bool:
    """The reply states the right answer (every step, for a steps question)."""
    return all(answer in text for answer in question.answers)


def test_a_quiz_conversation(servers: TutorServers, bank: QuestionBank) -> None:
    learner = f"quiz-{uuid.uuid4().hex[:8]}"
    model = bank.catalogue.models[0].name
    started = servers.say(learner, f"quiz me on {model}")
    assert "Question 1 of" in _text(started)
    first = _asked(bank, started)
    assert model in first.subject or model in first.prompt

    # right answer, by clicking its option when there are options, else typed
    buttons = [b for r in started for b in r.get("buttons", [])]
    right = next((b for b in buttons if b["title"] in first.answers), None)
    reply = servers.say(learner, right["payload"] if right else first.answer_text)
    assert _text(reply).startswith("Correct"), _text(reply)
    second = _asked(bank, reply)

    # wrong answer: the verdict gives the right answer and its source
    reply = servers.say(learner, "bananas and custard")
    assert _text(reply).startswith("Not quite")
    assert _gives_answer(second, _text(reply)) and "Source:" in _text(reply)
    third = _asked(bank, reply)

    hint = _text(servers.say(learner, "can I have a hint?"))
    assert hint.startswith("Hint:") and third.prompt in hint

    # an unrelated question is answered, then the same quiz question comes back
    aside = _text(servers.say(learner, "what is the customer journey?"))
    assert "touchpoints" in aside and "Back to your quiz" in aside and third.prompt in aside

    # a belief asked about after "wait," is corrected from the documents, not graded
    belief = _text(servers.say(learner, "wait, can we just share customer data with anyone?"))
    shared = next(m for m in bank.catalogue.misconceptions if "shared freely" in m.text)
    assert shared.text in belief and "Back to your quiz" in belief and third.prompt in belief

    skipped = _text(servers.say(learner, "skip this one"))
    assert skipped.startswith("Skipped") and _gives_answer(third, skipped)

    again = _asked(bank, servers.say(learner, "repeat the question"))
    stopped = _text(servers.say(learner, "stop the quiz"))
    assert stopped.startswith("Quiz finished: 1 out of 3"), stopped
    assert "revise" in stopped.lower()
    assert again.id not in {first.id, second.id, third.id}

    report = _text(servers.say(learner, "how am I doing?"))
    assert report.startswith("Overall: 1/3 right")
    assert second.subject in report or third.subject in report


def test_quiz_buttons_answer_whatever_their_words(servers: TutorServers, bank: QuestionBank) -> None:
    learner = f"quiz-{uuid.uuid4().hex[:8]}"
    started = servers.say(learner, "10 questions on the models")
    buttons = [b for r in started for b in r.get("buttons", [])]
    for _ in range(9):  # not every kind of question has options: skip to one that has
        if buttons:
            break
        started = servers.say(learner, "skip")
        buttons = [b for r in started for b in r.get("buttons", [])]
    assert buttons, "some model questions offer options"
    for button in buttons:
        assert button["payload"].startswith("/quiz_answer{")
        assert json.loads(button["payload"][len("/quiz_answer"):])["answer"] == button["title"]
    question = _asked(bank, started)
    wrong = next(b for b in buttons if not is_right_option(question, b["title"]))
    assert _text(servers.say(learner, wrong["payload"])).startswith("Not quite")


def test_a_quiz_and_progress_survive_a_restart_of_every_process(
    servers: TutorServers, bank: QuestionBank
) -> None:
    learner = f"quiz-{uuid.uuid4().hex[:8]}"
    first = _asked(bank, servers.say(learner, "5 questions on legislation"))
    reply = servers.say(learner, first.answer_text)
    assert _text(reply).startswith("Correct"), (first, _text(reply))
    waiting = _asked(bank, reply)
    servers.stop()
    servers.start()
    repeated = _text(servers.say(learner, "repeat the question"))
    assert waiting.prompt in repeated
    assert _text(servers.say(learner, "how am I doing?")).startswith("Overall: 1/1 right")


def _until(servers: TutorServers, bank: QuestionBank, learner: str, replies: list[dict],
           wanted) -> tuple[Question, list[dict]]:
    """Skip questions until one that ``wanted`` accepts is asked."""
    for _ in range(12):
        question = _asked(bank, replies)
        if wanted(question):
            return question, replies
        replies = servers.say(learner, "skip")
    raise AssertionError("no such question in the quiz")


@pytest.mark.parametrize("chat", ["thanks", "hello", "bye", "no", "yes", "ok"])
def test_chat_during_a_quiz_is_taken_by_the_quiz(servers: TutorServers, bank: QuestionBank,
                                                 chat: str) -> None:
    learner = f"quiz-{uuid.uuid4().hex[:8]}"
    first = _asked(bank, servers.say(learner, "5 questions on the models"))
    reply = _text(servers.say(learner, chat))
    assert "You're welcome" not in reply and "Goodbye" not in reply
    assert reply.startswith(("Not quite", "Hint", "Correct", "Partly")), reply
    if not reply.startswith("Hint"):
        assert _gives_answer(first, reply)  # graded: the verdict gives the answer
    _asked(bank, servers.say(learner, "repeat the question"))  # the quiz goes on


def test_typed_answers_by_text_and_by_letter(servers: TutorServers, bank: QuestionBank) -> None:
    learner = f"quiz-{uuid.uuid4().hex[:8]}"
    replies = servers.say(learner, "10 questions on the models")
    question, replies = _until(servers, bank, learner, replies, lambda q: bool(q.options))
    right = next(o for o in question.options if o in question.answers)
    reply = _text(servers.say(learner, right))  # the option's words, typed
    assert reply.startswith("Correct"), reply
    question, replies = _until(servers, bank, learner, servers.say(learner, "repeat"),
                               lambda q: bool(q.options))
    letter = "ABCD"[next(i for i, o in enumerate(question.options) if o in question.answers)]
    reply = _text(servers.say(learner, f"it's {letter.lower()}"))
    assert reply.startswith("Correct"), (question.prompt, question.options, reply)


def test_true_or_false_answered_yes_or_no(servers: TutorServers, bank: QuestionBank) -> None:
    learner = f"quiz-{uuid.uuid4().hex[:8]}"
    replies = servers.say(learner, "5 questions on misconceptions")
    question, _ = _until(servers, bank, learner, replies, lambda q: q.kind is Kind.TRUE_FALSE)
    says_true = question.answers[0].lower() == "true"
    reply = _text(servers.say(learner, "yes" if says_true else "no"))
    assert reply.startswith("Correct"), (question.prompt, question.answers, reply)


def test_only_an_explicit_request_ends_the_quiz(servers: TutorServers, bank: QuestionBank) -> None:
    learner = f"quiz-{uuid.uuid4().hex[:8]}"
    servers.say(learner, "5 questions on legislation")
    for chat in ("no", "bye", "thanks"):
        assert "Quiz finished" not in _text(servers.say(learner, chat))
    ended = _text(servers.say(learner, "end the quiz"))
    assert ended.startswith("Quiz finished"), ended
    assert _text(servers.say(learner, "thanks")).startswith("You're welcome")


def test_a_contested_verdict_counts_and_is_recorded(servers: TutorServers,
                                                    bank: QuestionBank) -> None:
    learner = f"quiz-{uuid.uuid4().hex[:8]}"
    servers.say(learner, "2 questions on the models")
    assert _text(servers.say(learner, "bananas and custard")).startswith("Not quite")
    contested = _text(servers.say(learner, "I was right"))
    assert "correct" in contested.lower(), contested
    servers.say(learner, "stop")
    assert _text(servers.say(learner, "how am I doing?")).startswith("Overall: 1/1 right")


def test_quiz_me_on_it_after_a_model_or_a_topic(servers: TutorServers, bank: QuestionBank) -> None:
    model = next(m for m in bank.catalogue.models if m.acronym)
    learner = f"quiz-{uuid.uuid4().hex[:8]}"
    servers.say(learner, f"what does {model.name} stand for?")
    reply = servers.say(learner, "quiz me on it")
    assert f"questions on {model.name}" in _text(reply), _text(reply)
    assert _asked(bank, reply).subject == model.name
    servers.say(learner, "stop")
    doc = bank.catalogue.documents[2]
    servers.say(learner, "what topics are there?")
    servers.say(learner, "tell me about the third one")
    reply = servers.say(learner, "quiz me on that one")
    for _ in range(3):
        question = _asked(bank, reply)
        assert question.doc == doc.name, _text(reply)
        reply = servers.say(learner, "skip")


def test_a_quiz_on_a_topic_named_by_number(servers: TutorServers, bank: QuestionBank) -> None:
    doc = bank.catalogue.documents[1]
    learner = f"quiz-{uuid.uuid4().hex[:8]}"
    reply = servers.say(learner, f"quiz me on topic {int(doc.doc_id)}")
    for _ in range(3):
        question = _asked(bank, reply)
        assert question.doc == doc.name and doc.topic in _text(reply), _text(reply)
        reply = servers.say(learner, "skip")


def test_a_question_about_the_quiz_model_is_answered_without_giving_the_question_away(
        servers: TutorServers, bank: QuestionBank) -> None:
    """Mid-quiz, "what does the L stand for again?" is about the quiz's model; the reply gives that
    step alone, not the steps that answer the question on screen."""
    learner = f"quiz-{uuid.uuid4().hex[:8]}"
    model = next(m for m in bank.catalogue.models if m.acronym and len(set(m.name)) == len(m.name))
    question, _ = _until(servers, bank, learner, servers.say(learner, f"10 questions on {model.name}"),
                         lambda q: q.kind is Kind.MODEL_LETTER)
    other = next(s for s in model.steps if s not in question.answers)
    reply = _text(servers.say(learner, f"wait what does the {other[0].lower()} stand for again?"))
    aside, _, resumed = reply.partition("Back to your quiz")
    assert other in aside and model.name in aside, reply
    assert question.answers[0] not in aside and question.prompt in resumed, reply
    kept = _text(servers.say(learner, "what are its steps?"))
    assert "keep it until you've answered" in kept and question.answers[0] not in kept.split(
        question.prompt)[0], kept
