"""The greeting tells a returning learner what is due for review and offers a review quiz of exactly
those questions: on the engine (with the FSRS schedule read at chosen times), and end to end in
the chat page (Chromium, real servers, the action server's clock moved through a fake clock).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.quiz.desk import QuizDesk
from actions.quiz.progress import Progress
from actions.reminders.review import (
    NOTHING_DUE,
    REVIEW_PAYLOAD,
    due_phrase,
    due_questions,
    review_greeting,
    start_review,
)

from .fake_slack import FakeSlack
from .helpers import seed_desk
from .servers import TutorServers, free_port, run


@pytest.fixture
def desk(tmp_path: Path) -> QuizDesk:
    return seed_desk(tmp_path, 11)


@pytest.mark.parametrize(("count", "said"), [
    (1, "1 question is due for review"),
    (2, "2 questions are due for review"),
    (4, "4 questions are due for review"),
])
def test_the_count_is_said_in_words(count: int, said: str) -> None:
    assert due_phrase(count) == said
    greeting = review_greeting(count)
    assert greeting.text.startswith(f"Welcome back! {said}.")
    assert (greeting.buttons[0].title, greeting.buttons[0].payload) == ("Start review", REVIEW_PAYLOAD)


def test_a_review_quiz_asks_exactly_the_questions_due(desk: QuizDesk) -> None:
    start = datetime.now(UTC)
    assert due_questions(desk, "amy", start + timedelta(days=1)) == []
    assert start_review(desk, "amy", start).text == NOTHING_DUE

    desk.command("amy", "start", "3 questions on the models")
    asked = []
    for move in ("skip", "right", "skip"):
        question = desk.session("amy").current()
        assert question is not None
        asked.append(question)
        if move == "skip":
            desk.command("amy", "skip")  # not known: Again, due in a minute
        else:
            assert desk.answer("amy", question.answer_text).text.startswith("Correct")  # due later
    assert not desk.active("amy")

    # Five minutes on, only the two skipped questions are due; the one answered right is not.
    soon = datetime.now(UTC) + timedelta(minutes=5)
    due = due_questions(desk, "amy", soon)
    assert {q.id for q in due} == {asked[0].id, asked[2].id}
    review = start_review(desk, "amy", soon)
    assert review.text.startswith("Quiz: 2 questions on what is due for review.")
    session = desk.session("amy")
    state = session._stored()
    assert state is not None and [q["id"] for q in state["questions"]] == [q.id for q in due]
    assert due[0].prompt in review.text

    # It then runs as any quiz: answered through the desk, and it ends after the last.
    first = session.current()
    assert first is not None and first.id == due[0].id
    assert desk.answer("amy", first.answer_text).text.startswith("Correct")
    second = desk.session("amy").current()
    assert second is not None and second.id == due[1].id
    summary = desk.answer("amy", second.answer_text)
    assert "Quiz finished: 2 out of 2" in summary.text and not desk.active("amy")


# ---- the Rasa actions --------------------------------------------------------------------------

def _tracker(text: str, intent: str, sender: str) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    return Tracker(sender, {}, latest, [{"event": "user", "text": text, "parse_data": latest}], False,
                   None, {}, "action_listen")


async def test_the_greeting_action_says_what_is_due_and_the_button_starts_that_review(
        desk: QuizDesk, tmp_path: Path) -> None:
    from actions.answers.tutor import Tutor
    from actions.dialogue.provider import desk_from, tutor_from
    from actions.dialogue.review import ActionGreet, ActionStartReview
    from actions.logbook import Logbook, use_logbook
    from actions.reminders import clock

    use_logbook(Logbook(f"sqlite:///{tmp_path / 'log.db'}", b"test-key"))
    with desk_from(lambda: desk), tutor_from(lambda: Tutor(desk.kb)):
        try:
            clock.use(lambda: datetime.now(UTC))
            dispatcher = CollectingDispatcher()
            assert await ActionGreet().run(dispatcher, _tracker("/greet", "greet", "ben"), {}) == []
            assert dispatcher.messages[0]["response"] == "utter_greet"  # nothing due: the usual one

            desk.command("ben", "start", "1 question on the models")
            desk.command("ben", "skip")
            clock.use(lambda: datetime.now(UTC) + timedelta(days=1))
            dispatcher = CollectingDispatcher()
            await ActionGreet().run(dispatcher, _tracker("/greet", "greet", "ben"), {})
            (message,) = dispatcher.messages
            assert message["text"].startswith("Welcome back! 1 question is due for review.")
            assert message["buttons"][0] == {"title": "Start review", "payload": REVIEW_PAYLOAD}

            dispatcher = CollectingDispatcher()
            await ActionStartReview().run(dispatcher, _tracker(REVIEW_PAYLOAD, "start_review", "ben"), {})
            assert dispatcher.messages[0]["text"].startswith("Quiz: 1 question on what is due for review.")
            assert desk.active("ben")
        finally:
            clock.use(None)
            use_logbook(None)


# ---- the chat page -----------------------------------------------------------------------------

BOT = ".tc-msg--bot .tc-bubble"
REPLY_BUTTON = ".tc-options button.tc-option"


@pytest.fixture(scope="module")
def page_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TutorServers, FakeSlack, str]]:
    """Both servers (the action server reading a clock the test moves) and the chat page."""
    from .test_web_widget import CHROMIUM  # skips, as the page's own tests do, without a browser

    assert CHROMIUM.exists()
    with FakeSlack() as clock:  # only its clock is used: Slack stays off
        servers = TutorServers(tmp_path_factory.mktemp("review"))
        servers.env["TUTOR_CLOCK_URL"] = clock.clock_url
        with servers:
            opts = dataclasses.replace(servers.opts, web_port=free_port())
            page = run.Child(run.web_page(opts), run.child_env(opts), opts.logs / "web-page.log")
            try:
                run.wait_ready([page], timeout=30)
                yield servers, clock, f"http://localhost:{opts.web_port}/"
            finally:
                page.stop()


@pytest.mark.e2e
def test_a_returning_learner_is_told_what_is_due_and_reviews_it(page_servers) -> None:
    from .test_web_widget import CHROMIUM, CHROMIUM_ARGS, ask, click_reply, open_page, playwright_api

    servers, clock, url = page_servers
    progress = Progress(f"sqlite:///{servers.workdir / 'state' / 'progress.db'}")
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        with open_page(browser, url) as page:
            page.locator(BOT).first.wait_for()
            page.wait_for_selector(".status[data-state='ok']")
            assert "due for review" not in page.locator(BOT).first.inner_text()  # a new learner

            # The learner answers one question (by its first option when it has options).
            question = "\n".join(ask(page, "1 question on the HEAT model"))
            assert "Question 1 of 1" in question, question
            if page.locator(REPLY_BUTTON).count():
                click_reply(page, 0)
            else:
                ask(page, "skip")
            learner = page.evaluate("() => JSON.parse(localStorage.getItem('tutor-chat')).sessionId")
            (card,) = progress.schedule(learner)

            # Two days later (the action server's clock), the learner, away three hours, comes back.
            clock.clock.set(datetime.now(UTC) + timedelta(days=2))
            page.evaluate("""() => {
                const saved = JSON.parse(localStorage.getItem('tutor-chat'));
                saved.lastSeen = Date.now() - 3 * 3600 * 1000;
                localStorage.setItem('tutor-chat', JSON.stringify(saved));
            }""")
            before = page.locator(BOT).count()
            page.reload()
            page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length > n",
                                   arg=[BOT, before], timeout=120_000)
            greeting = page.locator(BOT).last.inner_text()
            assert "1 question is due for review" in greeting, greeting
            titles = page.locator(REPLY_BUTTON).all_inner_texts()
            assert "Start review" in titles, titles

            # "Start review": a quiz of exactly that question.
            _, review = click_reply(page, titles.index("Start review"))
            shown = "\n".join(review)
            assert "Quiz: 1 question on what is due for review" in shown, shown
            state = progress.load(learner).state
            assert state is not None and [q["id"] for q in state["questions"]] == [card]
            prompt = state["questions"][0]["prompt"]
            assert _plain(prompt) in _plain(shown), shown
        browser.close()


def _plain(text: str) -> str:
    """Text without markdown marks, with spaces evened out (as the page shows it)."""
    return re.sub(r"\s+", " ", re.sub(r"[*_`]", "", text)).strip()
