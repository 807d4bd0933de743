"""A learner's own data over REST, on the real Rasa and action servers: "what do you know about me?"
states what the stores really hold, and "delete my data" deletes it all only once confirmed: quiz
progress, the logged messages and the conversation in Rasa's tracker store. The phrasings here are
not among the NLU examples (data/nlu/learner_data.yml); questions and answers come from knowledge/."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from actions.learners import TrackerEvents
from actions.learners.requests import CANCELLED_TEXT, CONFIRM_FORGET
from actions.logbook import Logbook
from actions.logbook.keys import load_key
from actions.quiz.learner_data import learner_progress
from actions.quiz.progress import Progress
from actions.quiz.questions import Question
from actions.quiz.selection import QuestionBank

from .helpers import is_right_option
from .servers import TutorServers

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def bank(servers: TutorServers) -> QuestionBank:
    return QuestionBank.from_folders([servers.knowledge_dir])


class Stores:
    """What the servers keep, read as a tutor would: the message log, progress and tracker store."""

    def __init__(self, servers: TutorServers) -> None:
        state = Path(servers.env["TUTOR_STATE_DIR"])
        assert "TUTOR_LOG_URL" not in os.environ and "TUTOR_DATABASE_URL" not in os.environ
        self.logbook = Logbook(f"sqlite:///{state / 'logbook.db'}", load_key(None, state))
        self.progress = Progress(f"sqlite:///{state / 'progress.db'}")
        self.tracker = TrackerEvents(servers.opts.tracker_db)

    def logged(self, learner: str) -> list[str]:
        return [e.text for e in self.logbook.entries(learner)]

    def attempts(self, learner: str) -> list[dict]:
        return learner_progress(self.progress, learner)["quiz_attempts"]


def _text(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def _buttons(replies: list[dict]) -> list[dict]:
    return [b for r in replies for b in r.get("buttons", [])]


def _asked(bank: QuestionBank, replies: list[dict]) -> Question:
    """The quiz question the reply asks (the last prompt in it)."""
    text = _text(replies)
    found = [(text.rfind(q.prompt), q) for q in bank.questions if q.prompt in text]
    assert found, text
    return max(found, key=lambda pair: pair[0])[1]


def _answer_right(servers: TutorServers, learner: str, replies: list[dict], question: Question) -> str:
    right = next((b for b in _buttons(replies) if b["title"] in question.answers), None)
    verdict = _text(servers.say(learner, right["payload"] if right else question.answer_text))
    assert verdict.startswith("Correct"), verdict
    return verdict


def _said_by_learner(stores: Stores, learner: str) -> int:
    return sum(1 for m in stores.tracker.conversation(learner)["messages"] if m.get("who") == "learner")


def _assert_all_gone(servers: TutorServers, stores: Stores, learner: str) -> None:
    """Progress, log entries and the stored conversation are gone (the conversation is deleted again
    once Rasa has stored the turn that deleted it: waited for, not slept)."""
    assert stores.attempts(learner) == []
    assert not any(learner_progress(stores.progress, learner).values())
    assert stores.logged(learner) == []
    assert servers.wait_for(lambda: stores.tracker.events(learner) == [], timeout=30), \
        stores.tracker.conversation(learner)
    # Rasa itself finds no conversation: a new, empty one, with nothing the learner said
    events = servers.tracker(learner)["events"]
    assert [e for e in events if e.get("event") in ("user", "bot")] == [], events


def test_what_is_kept_is_told_and_deleted_only_once_confirmed(servers: TutorServers,
                                                               bank: QuestionBank) -> None:
    learner = f"data-{uuid.uuid4().hex[:8]}"
    stores = Stores(servers)
    model = bank.catalogue.models[0]
    started = servers.say(learner, f"quiz me on {model.name}")
    question = _asked(bank, started)
    _answer_right(servers, learner, started, question)
    assert _text(servers.say(learner, "stop the quiz")).startswith("Quiz finished: 1 out of 1")
    aside = _text(servers.say(learner, f"what does {model.name} stand for?"))
    assert all(step in aside for step in model.steps), aside

    logged, said = stores.logged(learner), _said_by_learner(stores, learner)
    assert len(logged) == 4 and said == 4 and len(stores.attempts(learner)) == 1
    told = servers.say(learner, "what do you know about me?")
    text = _text(told)
    assert text.startswith("Here is what I keep about you"), text
    assert "quiz answers: 1, 1 of them right" in text and f"{question.topic}: 1 answered, 1 right" in text
    assert f"{len(logged)} of your messages" in text and "deleted after 90 days" in text
    assert f"our conversation so far: {said + 1} message(s) from you" in text
    assert "delete my data" in text

    asked = servers.say(learner, "delete my data")
    assert _text(asked) == CONFIRM_FORGET
    assert [b["payload"] for b in _buttons(asked)] == ["/affirm", "/deny"]
    kept = _text(servers.say(learner, "no"))
    assert kept == CANCELLED_TEXT
    assert len(stores.attempts(learner)) == 1 and len(stores.logged(learner)) == len(logged) + 3
    assert _said_by_learner(stores, learner) == said + 3

    asked = servers.say(learner, "erase everything you know about me")
    assert _text(asked) == CONFIRM_FORGET
    yes = next(b for b in _buttons(asked) if b["payload"] == "/affirm")
    done = _text(servers.say(learner, yes["payload"]))
    assert done.startswith("Done: I've deleted everything I kept about you: 1 quiz answer(s)"), done
    _assert_all_gone(servers, stores, learner)

    progress = _text(servers.say(learner, "how am I doing?"))
    assert progress.startswith("You haven't answered any quiz questions yet"), progress
    fresh = _text(servers.say(learner, "what have you stored about me"))
    assert "no quiz answers" in fresh and "1 of your messages" in fresh, fresh  # "how am I doing?"


def test_mid_quiz_a_data_request_is_answered_and_deleting_ends_the_quiz(servers: TutorServers,
                                                                        bank: QuestionBank) -> None:
    learner = f"data-quiz-{uuid.uuid4().hex[:8]}"
    stores = Stores(servers)
    started = servers.say(learner, "quiz me")
    first = _asked(bank, started)
    wrong = next((b["payload"] for b in _buttons(started) if not is_right_option(first, b["title"])),
                 "bananas and custard")
    verdict = servers.say(learner, wrong)
    assert _text(verdict).startswith(("Not quite", "Partly")), _text(verdict)
    second = _asked(bank, verdict)

    told = _text(servers.say(learner, "show me my data"))
    assert told.startswith("Here is what I keep about you") and "quiz answers: 1, 0 of them right" in told
    assert second.prompt in told and "your latest quiz" in told  # the quiz goes on

    asked = servers.say(learner, "forget me")
    assert _text(asked) == CONFIRM_FORGET
    kept = _text(servers.say(learner, "no"))
    assert kept.startswith(CANCELLED_TEXT) and second.prompt in kept  # back to the same question
    assert len(stores.attempts(learner)) == 1

    assert _text(servers.say(learner, "remove my data")) == CONFIRM_FORGET
    done = _text(servers.say(learner, "yes"))
    assert done.startswith("Done: I've deleted everything"), done
    _assert_all_gone(servers, stores, learner)

    # the quiz is over: a question is answered as a question, not graded
    model = bank.catalogue.models[-1]
    answer = _text(servers.say(learner, f"what does {model.name} stand for?"))
    assert all(step in answer for step in model.steps) and "Back to your quiz" not in answer, answer
    assert _text(servers.say(learner, "how am I doing?")).startswith("You haven't answered any quiz")
