"""The chat page in a real browser: Debian's Chromium, headless, driven by Playwright.

scripts/serve_web.py serves web/ on a free port, pointed at the session's Rasa server; the page's
chat client (web/src/, bundled into web/dist) talks to Rasa's socket.io channel. A learner asks a
question, answers a quiz by clicking, by typing and by keyboard alone, reloads the page and still
sees the conversation. With a quiz question showing, axe-core (web/node_modules, from the lock
file) finds no WCAG 2.0-2.2 A/AA violation at 1000 px and 360 px wide; screenshots of both are
saved in artifacts/. Chromium comes from scripts/ensure_browser.sh (never `playwright install`).
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .servers import ROOT, TutorServers, free_port, run

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
LOG = "[role=log]"
BOT = ".tc-msg--bot .tc-bubble"
USER = ".tc-msg--user .tc-bubble"
REPLY_BUTTON = ".tc-options button.tc-option"

playwright_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():
    pytest.skip("Chromium is missing: run scripts/ensure_browser.sh", allow_module_level=True)
if not (ROOT / "web" / "dist" / "tutor-chat.js").exists() or not AXE.exists():
    pytest.skip("web/dist or web/node_modules is missing: run 'make web'", allow_module_level=True)


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


@contextmanager
def open_page(browser, url: str, width: int = 1280, height: int = 860, **context_options) -> Iterator:
    """A fresh browser profile (its own localStorage: a new learner) on the chat page."""
    context = browser.new_context(viewport={"width": width, "height": height}, **context_options)
    outside: list[str] = []
    context.on("request", lambda r: outside.append(r.url) if not _is_local(r.url) else None)
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.goto(url)
    try:
        yield tab
    finally:
        context.close()
    assert outside == [], f"the page fetched from outside this machine: {outside}"


@pytest.fixture
def page(browser, page_url: str):
    with open_page(browser, page_url) as tab:
        yield tab


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in ("localhost", "127.0.0.1")


def bot_texts(page) -> list[str]:
    return [t.strip() for t in page.locator(BOT).all_inner_texts()]


def wait_for_bot_messages(page, more_than: int) -> list[str]:
    """Wait for a reply (more than ``more_than`` bot messages), then until no more arrive.

    Rasa sends a reply's parts one after the other (it splits texts at blank lines), so the count
    has to stay the same for a couple of seconds before the reply is complete.
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


def message_box(page):
    """The input, found by its label (so the test fails if the label goes)."""
    return page.get_by_role("textbox", name="Your message")


def ask(page, text: str) -> list[str]:
    """Type ``text`` in the chat, send it, return the bot messages that came back."""
    before = len(bot_texts(page))
    box = message_box(page)
    box.fill(text)
    box.press("Enter")
    page.locator(USER, has_text=text).last.wait_for()
    return wait_for_bot_messages(page, before)[before:]


def click_reply(page, index: int = 0) -> tuple[str, list[str]]:
    """Click a quick-reply button; its title and the bot messages that answer it."""
    button = page.locator(REPLY_BUTTON).nth(index)
    title = button.inner_text().strip()
    before = len(bot_texts(page))
    button.click()
    page.locator(USER, has_text=title).last.wait_for()
    return title, wait_for_bot_messages(page, before)[before:]


def quiz_question_with_options(page) -> list[str]:
    """Start a quiz and skip to a question that offers its options as buttons."""
    question = ask(page, "10 questions on the models")
    for _ in range(9):  # not every kind of question has options: skip to one that has
        if page.locator(REPLY_BUTTON).count():
            return question
        question = ask(page, "skip")
    assert page.locator(REPLY_BUTTON).count(), f"no quiz question offered buttons: {question}"
    return question


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {cls: el.className, text: el.innerText || "", tag: el.tagName,
                    outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth)};
        }"""
    )


def test_question_button_and_history_after_reload(page) -> None:
    # The chat opens with the tutor's greeting and its buttons, shown as quick replies.
    greeting = wait_for_bot_messages(page, 0)
    assert any("tutor" in t.lower() for t in greeting), greeting
    titles = page.locator(REPLY_BUTTON).all_inner_texts()
    assert "What topics are there?" in titles, titles
    page.wait_for_selector(".status[data-state='ok']")

    title, topics = click_reply(page, titles.index("What topics are there?"))
    assert any("topic" in t.lower() for t in topics), topics
    assert page.locator(USER).last.inner_text() == title  # the title is shown, the payload sent

    answer = "\n".join(ask(page, "What are the steps of the HEAT model?")).lower()
    for step in ("hear", "empathise", "apologise", "take action"):
        assert step in answer, answer

    # A reload keeps the conversation (localStorage + Rasa's session persistence) ...
    shown = bot_texts(page)
    session = page.evaluate("() => JSON.parse(localStorage.getItem('tutor-chat')).sessionId")
    page.reload()
    page.locator(BOT).first.wait_for()
    page.wait_for_selector(".status[data-state='ok']")
    page.wait_for_timeout(1500)  # no greeting may arrive: the conversation is not new
    assert bot_texts(page) == shown
    assert page.locator(USER, has_text="HEAT model").count() == 1
    assert page.evaluate("() => JSON.parse(localStorage.getItem('tutor-chat')).sessionId") == session
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web_widget.png"))

    # ... and the same Rasa conversation goes on: a follow-up resolves against the last model.
    more = "\n".join(ask(page, "and the LATER model?")).lower()
    assert "listen" in more, more


def test_quiz_answered_by_clicking_a_button(page) -> None:
    wait_for_bot_messages(page, 0)
    quiz_question_with_options(page)
    _, feedback = click_reply(page, 0)
    assert feedback and feedback[0].startswith(("Correct", "Not quite")), feedback
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


# What web/src/markdown.js makes of a reply: node imports the module the bundle is built from.
MARKDOWN_CASES = {
    "<script>alert(1)</script> <b>bold</b>": ("&lt;script&gt;", ["<script", "<b>"]),
    "&lt;img src=x onerror=alert(1)&gt;": ("&lt;img", ["<img"]),
    "[site](https://example.org/a)": ('href="https://example.org/a" target="_blank" rel="noopener', []),
    "[mail](mailto:tutor@example.org)": ('href="mailto:tutor@example.org"', []),
    "[x](javascript:alert(1)) [y](JAVASCRIPT:alert(1)) [z](data:text/html,hi)": ("[x]", ["href"]),
    "[t](tel:123) [r](/relative) [v](vbscript:x)": ("[t]", ["href"]),
    "![logo](https://example.org/logo.png)": ("logo", ["<img"]),
    "# Title\n\nText": ("# Title", ["<h1"]),
    "first\nSource: notes": ("first<br>", []),
    "- one\n- two": ("<li>one</li>", []),
    "**HEAT** model": ("<strong>HEAT</strong>", []),
}


@pytest.mark.skipif(shutil.which("node") is None, reason="node is missing")
def test_markdown_is_rendered_safely() -> None:
    script = (
        "import { renderMarkdown } from './src/markdown.js';"
        "const cases = JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify(cases.map(renderMarkdown)));"
    )
    texts = list(MARKDOWN_CASES)
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script, json.dumps(texts)],
        cwd=ROOT / "web", capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    for text, html in zip(texts, json.loads(out.stdout), strict=True):
        present, absent = MARKDOWN_CASES[text]
        assert present in html, (text, html)
        for fragment in absent:
            assert fragment not in html, (text, html)


# --- accessibility (WCAG 2.2 AA) -------------------------------------------------------------------


def axe_violations(page) -> list[dict]:
    """axe-core's violations of the WCAG 2.0-2.2 A and AA rules on the page as it is now."""
    page.add_script_tag(path=str(AXE))  # from node_modules: the page itself never loads axe
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [(n["target"], n["failureSummary"]) for n in v["nodes"][:5]]}
        for v in result["violations"]
    ]  # fmt: skip


# axe leaves text over a gradient unchecked ("incomplete"): check it against each colour stop.
GRADIENT_CONTRAST = r"""(targets) => {
    const rgb = (s) => (s.match(/rgba?\([^)]*\)/g) || [])
        .map((c) => c.match(/[\d.]+/g).slice(0, 3).map(Number));
    const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255;
        return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
        .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
    const ratio = (a, b) => (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05);
    const stops = rgb(getComputedStyle(document.body).backgroundImage);
    return targets.map((t) => { const [fg] = rgb(getComputedStyle(document.querySelector(t)).color);
        return [t, Math.min(...stops.map((s) => ratio(fg, s)))]; });
}"""


def gradient_contrast(page) -> list[tuple[str, float]]:
    """The lowest contrast of each text that axe could not check (it sits on the page's gradient)."""
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['incomplete']})",
        AXE_TAGS,
    )
    targets = [
        n["target"][0]
        for v in result["incomplete"] if v["id"] == "color-contrast"
        for n in v["nodes"] if "gradient" in json.dumps(n["any"])
    ]  # fmt: skip
    return [tuple(pair) for pair in page.evaluate(GRADIENT_CONTRAST, targets)]


@pytest.mark.parametrize("width", [1000, 360])
def test_no_axe_violations_with_a_quiz_question(browser, page_url: str, width: int) -> None:
    with open_page(browser, page_url, width=width, height=800) as page:
        wait_for_bot_messages(page, 0)
        quiz_question_with_options(page)
        page.locator(REPLY_BUTTON).first.focus()  # a focus ring in the picture, and checked by axe
        violations = axe_violations(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"web_quiz_{width}.png"), full_page=True)
        assert violations == [], json.dumps(violations, indent=1)
        low = [(t, ratio) for t, ratio in gradient_contrast(page) if ratio < 4.5]
        assert low == [], low

        # Every control is at least 24 x 24 px (WCAG 2.5.8), options and send included.
        small = page.evaluate(
            """() => [...document.querySelectorAll('button, input, a[href]')]
                .map((el) => [el.innerText || el.getAttribute('aria-label') || el.id,
                              el.getBoundingClientRect()])
                .filter(([, r]) => r.width > 0 && (r.width < 24 || r.height < 24))
                .map(([name, r]) => [name, r.width, r.height])"""
        )
        assert small == [], small


def test_quiz_by_keyboard_alone(page) -> None:
    wait_for_bot_messages(page, 0)
    # Start the quiz without the mouse: Tab to the labelled input, type, Enter.
    for _ in range(20):
        page.keyboard.press("Tab")
        if focused(page)["cls"] == "tc-input":
            break
    assert focused(page)["cls"] == "tc-input", focused(page)
    before = len(bot_texts(page))
    page.keyboard.type("10 questions on the models")
    page.keyboard.press("Enter")
    wait_for_bot_messages(page, before)
    for _ in range(9):
        if page.locator(REPLY_BUTTON).count():
            break
        before = len(bot_texts(page))
        page.keyboard.type("skip")  # focus stays in the input after sending
        page.keyboard.press("Enter")
        wait_for_bot_messages(page, before)
    assert page.locator(REPLY_BUTTON).count(), "no quiz question offered buttons"

    # Tab from the top of the page reaches an option, its focus is visible, Enter answers it.
    page.evaluate("() => document.activeElement.blur()")
    for _ in range(30):
        page.keyboard.press("Tab")
        if focused(page)["cls"] == "tc-option":
            break
    option = focused(page)
    assert option["cls"] == "tc-option" and option["tag"] == "BUTTON", option
    assert option["outline"] != "none" and option["outlineWidth"] >= 2, option
    before = len(bot_texts(page))
    page.keyboard.press("Enter")
    page.locator(USER, has_text=option["text"].strip()).last.wait_for()
    feedback = wait_for_bot_messages(page, before)[before:]
    assert feedback and feedback[0].startswith(("Correct", "Not quite")), feedback
    # The pressed option is gone with its group; focus went to the input, not to the page.
    assert focused(page)["cls"] == "tc-input", focused(page)

    # The next question's options are one Shift+Tab away; Space presses a button too.
    if page.locator(REPLY_BUTTON).count():
        page.keyboard.press("Shift+Tab")
        option = focused(page)
        assert option["cls"] == "tc-option", option
        before = len(bot_texts(page))
        page.keyboard.press("Space")
        page.locator(USER, has_text=option["text"].strip()).last.wait_for()
        feedback = wait_for_bot_messages(page, before)[before:]
        assert feedback and feedback[0].startswith(("Correct", "Not quite")), feedback


def test_replies_reach_the_live_region(page) -> None:
    wait_for_bot_messages(page, 0)
    log = page.locator(LOG)
    assert log.count() == 1
    assert log.get_attribute("aria-live") == "polite", "replies would not be announced"
    assert log.get_attribute("aria-hidden") is None and log.get_attribute("aria-busy") in (None, "false")
    assert page.get_by_role("button", name="Send").is_visible()

    # Record what is added to the region: that is what a screen reader announces.
    page.evaluate(
        """(sel) => {
            window.__announced = [];
            new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach(
                (n) => window.__announced.push(n.textContent)))).observe(
                document.querySelector(sel), {childList: true, subtree: true, characterData: true});
        }""",
        LOG,
    )
    reply = "\n".join(ask(page, "What are the steps of the HEAT model?"))
    announced = "\n".join(page.evaluate("() => window.__announced"))
    assert "Empathise" in reply, reply
    for line in ("Empathise", "Apologise"):
        assert line in announced, announced
    assert reply.splitlines()[0].strip() in log.inner_text()


@pytest.mark.parametrize(("width", "height"), [(320, 256), (640, 430)], ids=["320px", "zoom200"])
def test_reflows_without_sideways_scrolling(browser, page_url: str, width: int, height: int) -> None:
    # 320 x 256 CSS px is 1280 x 1024 at 400% zoom (WCAG 1.4.10); 640 x 430 is 1280 x 860 at 200%.
    with open_page(browser, page_url, width=width, height=height) as page:
        wait_for_bot_messages(page, 0)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{overflow} px of sideways scrolling at {width} px"
        for control in (message_box(page), page.get_by_role("button", name="Send"),
                        page.locator(REPLY_BUTTON).first):  # fmt: skip
            control.scroll_into_view_if_needed()
            box = control.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, box


def test_reduced_motion_is_respected(browser, page_url: str) -> None:
    style = "() => [getComputedStyle(document.querySelector('.tc-typing span')).animationName," \
            " getComputedStyle(document.querySelector('.tc-log')).scrollBehavior]"  # fmt: skip
    with open_page(browser, page_url, reduced_motion="reduce") as page:
        page.locator(LOG).wait_for()
        assert page.evaluate(style) == ["none", "auto"]
    with open_page(browser, page_url, reduced_motion="no-preference") as page:
        page.locator(LOG).wait_for()
        assert page.evaluate(style) == ["tc-bounce", "smooth"]
