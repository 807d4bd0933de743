"""The one screening every channel runs before NLU, and each channel's escaping of what it sends.

Both modules are standard library only (bot/channels/screening.py, bot/channels/echo.py), so these
run without Rasa; tests/test_channels.py and tests/test_slack.py check them on the real channels.
"""

from __future__ import annotations

import re

import pytest

from bot.channels.echo import for_slack, for_web, from_slack, safe_url
from bot.channels.screening import EMPTY, MAX_MESSAGE_CHARS, ONLY_MARKUP, screen

# ---- screening --------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [MAX_MESSAGE_CHARS + 1, 200_000])
def test_an_oversized_message_gets_a_notice_with_its_length_and_the_limit(length: int) -> None:
    screened = screen("a" * length)
    assert screened.text is None
    assert f"{length} characters" in screened.notice and str(MAX_MESSAGE_CHARS) in screened.notice


def test_a_message_at_the_limit_is_passed_on() -> None:
    assert screen("a" * MAX_MESSAGE_CHARS).text == "a" * MAX_MESSAGE_CHARS


@pytest.mark.parametrize(
    ("message", "text"),
    [
        ("what does\x00 HEAT\x1b[31m stand for?\u200b", "what does HEAT[31m stand for?"),
        ("what\tis\r\nGDPR?", "what is GDPR?"),
        ("<b>what</b> is <i>GDPR</i>?", "what is GDPR ?"),
        ("<script>alert(1)</script>what is GDPR?", "what is GDPR?"),
        ("is 3 < 5 and 6 > 4?", "is 3 < 5 and 6 > 4?"),
        ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),  # not markup: made safe on output
    ],
)
def test_control_characters_and_tags_are_stripped(message: str, text: str) -> None:
    assert screen(message).text == text


@pytest.mark.parametrize(
    ("message", "notice"),
    [("", EMPTY), ("  \x00\t ", EMPTY), (None, EMPTY), (42, EMPTY), ({"a": 1}, EMPTY),
     ("<img src=x onerror=alert(1)>", ONLY_MARKUP), ("<script>alert(1)</script>", ONLY_MARKUP)],
)
def test_nothing_to_read_gets_a_notice(message: object, notice: str) -> None:
    assert screen(message).notice == notice


# ---- Slack --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["<!channel> quiz", "<!here>", "<!everyone>", "<@U024BE7LH> is wrong", "<#C123|general>",
             "<https://evil.example|click me>", "Q&A <!subteam^S1|@tutors>"],
)
def test_nothing_sent_to_slack_can_ping_or_link(text: str) -> None:
    escaped = for_slack(text)
    assert "<" not in escaped and ">" not in escaped
    assert escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


def test_slack_escaping_follows_slacks_three_rules() -> None:
    assert for_slack("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert for_slack("**bold** and _it_") == "**bold** and _it_"  # formatting is kept


@pytest.mark.parametrize(
    ("wire", "typed"),
    [
        ("&lt;b&gt;hi&lt;/b&gt; &amp; bye", "<b>hi</b> & bye"),
        ("<!channel> what is GDPR?", "@channel what is GDPR?"),
        ("<!here|here> hi", "here hi"),
        ("ask <@U024BE7LH> or <@U1|bob>", "ask @U024BE7LH or @bob"),
        ("in <#C123|general>", "in #general"),
        ("see <https://example.org/a|the notes> and <mailto:a@b.org>", "see the notes and mailto:a@b.org"),
        ("&amp;lt; stays literal", "&lt; stays literal"),
    ],
)
def test_slack_wire_format_is_read_as_what_the_learner_typed(wire: str, typed: str) -> None:
    assert from_slack(wire) == typed


def test_a_slack_message_with_markup_is_screened_like_any_other() -> None:
    assert screen(from_slack("&lt;b&gt;what&lt;/b&gt; is GDPR?")).text == "what is GDPR?"
    assert screen(from_slack("&lt;script&gt;alert(1)&lt;/script&gt;")).notice == ONLY_MARKUP


# ---- the web page -------------------------------------------------------------------------------

UNSAFE_LINKS = [
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(document.cookie))",
    "[click]( javascript:alert(1) )",
    "[click](<javascript:alert(1)>)",
    '[click](javascript:alert(1) "title")',
    "[click](&#106;avascript:alert(1))",
    "[click](java&#x09;script:alert(1))",
    "[click](java&#10;script:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](file:///etc/passwd)",
    "![img](javascript:alert(1))",
    "[a [nested] label](javascript:alert(1))",
    "[deep](javascript:alert(((((1))))))",
    "<javascript:alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
]


@pytest.mark.parametrize("markdown", UNSAFE_LINKS)
def test_no_unsafe_link_reaches_the_page(markdown: str) -> None:
    safe = for_web(f"I couldn't find '{markdown}' in your notes.")
    assert "<" not in safe, safe  # no raw HTML, no autolink
    destinations = re.findall(r"\]\(\s*([^\s)]*)", safe)  # whatever could still be a link
    assert all(safe_url(url) for url in destinations), safe


@pytest.mark.parametrize(
    "markdown",
    ["[notes](https://example.org/notes)", "[mail](mailto:tutor@example.org)", "[top](#top)",
     "[page](/topics/1)", "**HEAT**: Hear, Empathise, Apologise, Take action\n- a\n- b"],
)
def test_safe_markdown_is_left_alone(markdown: str) -> None:
    assert for_web(markdown) == markdown


def test_reference_definitions_with_unsafe_addresses_lose_them() -> None:
    safe = for_web("[click][1]\n\n[1]: javascript:alert(1)")
    assert "javascript" not in safe


@pytest.mark.parametrize(
    ("url", "safe"),
    [("https://x.org", True), ("HTTP://x.org", True), ("mailto:a@b.org", True), ("tel:+441234", True),
     ("/a/b", True), ("a/b?c=d:e", True), ("#x", True), ("javascript:x", False), ("data:x", False),
     ("vbscript:x", False), (" \tjavascript:x", False), ("jav\u0000ascript:x", False),
     ("ｊａｖａｓｃｒｉｐｔ:x", False)],
)
def test_safe_url(url: str, safe: bool) -> None:
    assert safe_url(url) is safe
