"""The chat page in a real browser: Debian's Chromium, headless, driven by Playwright.

scripts/serve_web.py serves web/ on a free port, pointed at the session's Rasa server; the page's
rasa-webchat widget talks to Rasa's socket.io channel. A learner asks a question, answers a quiz by
clicking a button, reloads the page and still sees the conversation. A screenshot is saved to
artifacts/web_widget.png. Chromium comes from scripts/ensure_browser.sh (never `playwright install`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .servers import ROOT, TutorServers, free_port, run

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
BOT = ".rw-message .rw-response"
REPLY_BUTTON = ".rw-replies .rw-reply"

playwright_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():
    pytest.skip("Chromium is missing: run scripts/ensure_browser.sh", allow_module_level=True)
if not (ROOT / "web" / "dist" / "rasa-webchat.js").exists():
    pytest.skip("web/dist is missing: run 'make web'", allow_module_level=True)


@pytest.fixture(scope="module")
def page_url(servers: TutorServers) -> Iterator[str]:
    """scripts/serve_web.py (as `make run` starts it) on a free port, talking to the test Rasa."""
    opts = dataclasses.replace(servers.opts, web_port=free_port())
    page = run.Child(run.web_page(opts), run.child_env(opts), opts.logs / "web-page.log")
    try:
        run.wait_ready([page], timeout=30)
        yield f"http://localhost:{opts.web_port}/"
    finally:
        page.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, page_url: str):
    """A fresh browser profile (its own localStorage: a new learner) on the chat page."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    outside: list[str] = []
    context.on("request", lambda r: outside.append(r.url) if not _is_local(r.url) else None)
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.goto(page_url)
    yield tab
    context.close()
    assert outside == [], f"the page fetched from outside this machine: {outside}"


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in ("localhost", "127.0.0.1")


def bot_texts(page) -> list[str]:
    return [t.strip() for t in page.locator(BOT).all_inner_texts()]


def wait_for_bot_messages(page, more_than: int) -> list[str]:
    """Wait for a reply (more than ``more_than`` bot messages), then until no more arrive.

    The widget shows a reply's parts one after the other (Rasa splits texts at blank lines), so
    the count has to stay the same for a couple of seconds before the reply is complete.
    """
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length > n", arg=[BOT, more_than], timeout=120_000
    )
    seen, stable = -1, 0
    for _ in range(60):
        count = page.locator(BOT).count() + page.locator(REPLY_BUTTON).count()
        stable = stable + 1 if count == seen else 0
        if stable >= 4:
            break
        seen = count
        page.wait_for_timeout(500)
    return bot_texts(page)


def ask(page, text: str) -> list[str]:
    """Type ``text`` in the widget, send it, return the bot messages that came back."""
    before = len(bot_texts(page))
    box = page.locator(".rw-new-message")
    box.fill(text)
    box.press("Enter")
    page.locator(".rw-client", has_text=text).last.wait_for()
    return wait_for_bot_messages(page, before)[before:]


def click_reply(page, index: int = 0) -> tuple[str, list[str]]:
    """Click a quick-reply button; its title and the bot messages that answer it."""
    button = page.locator(REPLY_BUTTON).nth(index)
    title = button.inner_text().strip()
    before = len(bot_texts(page))
    button.click()
    page.locator(".rw-client", has_text=title).last.wait_for()
    return title, wait_for_bot_messages(page, before)[before:]


def test_question_button_and_history_after_reload(page) -> None:
    # The widget opens with the tutor's greeting and its buttons, shown as quick replies.
    greeting = wait_for_bot_messages(page, 0)
    assert any("tutor" in t.lower() for t in greeting), greeting
    titles = page.locator(REPLY_BUTTON).all_inner_texts()
    assert "What topics are there?" in titles, titles
    page.wait_for_selector(".status[data-state='ok']")

    _, topics = click_reply(page, titles.index("What topics are there?"))
    assert any("topic" in t.lower() for t in topics), topics

    answer = "\n".join(ask(page, "What are the steps of the HEAT model?")).lower()
    for step in ("hear", "empathise", "apologise", "take action"):
        assert step in answer, answer

    # A reload keeps the conversation (localStorage + Rasa's session persistence) ...
    shown = bot_texts(page)
    page.reload()
    page.locator(BOT).first.wait_for()
    page.wait_for_timeout(1500)
    assert bot_texts(page) == shown
    assert page.locator(".rw-client", has_text="HEAT model").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web_widget.png"))

    # ... and the same Rasa conversation goes on.
    more = ask(page, "and the LATER model?")
    assert more, "no answer after the reload"


def test_quiz_answered_by_clicking_a_button(page) -> None:
    wait_for_bot_messages(page, 0)
    question = ask(page, "10 questions on the models")
    for _ in range(9):  # not every kind of question has options: skip to one that has
        if page.locator(REPLY_BUTTON).count():
            break
        question = ask(page, "skip")
    assert page.locator(REPLY_BUTTON).count(), f"no quiz question offered buttons: {question}"
    _, feedback = click_reply(page, 0)
    assert feedback, "no reply to the quiz answer"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web_widget_quiz.png"))


def test_bullets_and_line_breaks_render(page) -> None:
    wait_for_bot_messages(page, 0)
    ask(page, "What topics are there?")
    assert page.locator(f"{BOT} li").count() >= 2, "markdown bullets are not shown as a list"

    ask(page, "What are the steps of the HEAT model?")
    # Replies separate lines with single line breaks (e.g. "...\nSource: ..."), which markdown
    # alone would run together; innerText follows the rendering, so it keeps them only if shown.
    rendered = "\n".join(page.locator(BOT).all_inner_texts())
    assert re.search(r"\n\s*Source:", rendered), rendered


def test_quiz_answered_by_typing(page, servers: TutorServers) -> None:
    from actions.quiz.selection import QuestionBank

    bank = QuestionBank.from_folders([servers.knowledge_dir])
    wait_for_bot_messages(page, 0)
    shown = "\n".join(ask(page, "5 questions on legislation"))
    asked = [q for q in bank.questions if q.prompt in shown]
    assert asked, shown
    question = max(asked, key=lambda q: shown.rfind(q.prompt))
    feedback = "\n".join(ask(page, question.answer_text))  # typed, as a keyboard or Slack user does
    assert feedback.startswith("Correct"), (question.prompt, feedback)
    thanks = "\n".join(ask(page, "thanks"))  # chat mid-quiz is the quiz's, not a chitchat reply
    assert "You're welcome" not in thanks and thanks.startswith(("Not quite", "Hint")), thanks
