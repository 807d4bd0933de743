"""Text in each channel's own format, so learner text echoed back by the tutor stays harmless.

The tutor's replies are markdown, and some of them quote the learner ("I couldn't find anything
about '...'"). Each output channel passes every reply through its function here:

* Slack (:func:`for_slack`): ``&``, ``<`` and ``>`` are escaped as Slack's formatting rules ask,
  so no ``<!channel>``, ``<!here>``, ``<!everyone>``, ``<@U...>`` or ``<url|label>`` written by a
  learner ever becomes a ping or a link. (Plain ``@channel`` text notifies nobody: chat.postMessage
  turns it into a mention only with ``parse=full`` or ``link_names``, which the tutor never sends.)
* the web page (:func:`for_web`): markdown links, images, reference definitions and autolinks whose
  address is not http(s), mailto, tel or relative (``javascript:``, ``data:``, ``vbscript:``...)
  are reduced to their text, and ``<`` is escaped so no raw HTML or autolink is left.

:func:`from_slack` goes the other way: Slack's wire format (``&lt;``, ``<@U123>``, ``<url|label>``)
to the plain text the learner typed, before the one screening (bot/channels/screening.py).

Standard library only, so the tests import it without Rasa.
"""

from __future__ import annotations

import html
import re
import unicodedata

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

# --- Slack ----------------------------------------------------------------------------------------


def for_slack(text: str) -> str:
    """``text`` with Slack's three control characters escaped (mrkdwn and plain text alike)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_SLACK_SPECIAL = re.compile(r"<([^<>]*)>")


def _slack_reference(match: re.Match[str]) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target.startswith("!"):  # <!channel>, <!here>, <!subteam^S1|@team>, <!date^...|fallback>
        return label or "@" + target[1:].split("^", 1)[0]
    if target.startswith(("@", "#")):  # <@U123>, <@U123|name>, <#C123|general>
        return target[0] + label.lstrip("@#") if label else target
    return label or target  # <https://x.org|x.org>, <mailto:a@b.org>


def from_slack(text: str) -> str:
    """The text a learner typed, from Slack's wire format (references resolved, entities decoded)."""
    text = _SLACK_SPECIAL.sub(_slack_reference, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# --- the web page (markdown rendered by the widget) -----------------------------------------------

_INVISIBLE = re.compile(r"[\s\x00-\x1f\x7f]+")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")

# [label](destination "title") and ![alt](destination); labels hold at most one level of brackets,
# destinations up to two levels of balanced parentheses (javascript:alert((1))).
_PARENS = r"(?:[^()\s]|\((?:[^()\s]|\([^()\s]*\))*\))*"
_INLINE_LINK = re.compile(
    r"(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]"
    r"\(\s*(<[^<>\n]*>|" + _PARENS + r")(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)"
)
# What is left of a link the pattern above could not read (deeper parentheses): "](" and the start
# of its destination, up to the first space or closing parenthesis.
_LINK_OPENING = re.compile(r"\]\(\s*(<?[^\s)]*)")
# [label]: destination   (a reference definition, up to three spaces in)
_REFERENCE = re.compile(r"^( {0,3}\[[^\]\n]+\]:[ \t]*)(<[^<>\n]*>|\S+)(.*)$", re.MULTILINE)


def safe_url(url: str) -> bool:
    """True if a browser following ``url`` stays on http(s), mailto, tel or a relative address."""
    url = url.strip().removeprefix("<").removesuffix(">")
    # Browsers drop tabs and newlines anywhere and control characters around a URL, and markdown
    # decodes character references: "java&#x09;script:", "&#106;avascript:", "JaVa\nScRiPt:".
    plain = _INVISIBLE.sub("", unicodedata.normalize("NFKC", html.unescape(url))).lower()
    scheme = _SCHEME.match(plain)
    if scheme is None:
        return ":" not in plain.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return scheme.group(1) in SAFE_SCHEMES


def _inline_link(match: re.Match[str]) -> str:
    image, label, destination = match.group(1), match.group(2), match.group(3)
    if safe_url(destination):
        return match.group(0)
    return label or ("image" if image else "link")


def _reference(match: re.Match[str]) -> str:
    if safe_url(match.group(2)):
        return match.group(0)
    return match.group(1) + "#" + match.group(3)


def for_web(text: str) -> str:
    """Markdown for the chat page with every unsafe link reduced to its text and no raw HTML."""
    text = _INLINE_LINK.sub(_inline_link, text)
    text = _LINK_OPENING.sub(lambda m: m.group(0) if safe_url(m.group(1)) else "] (" + m.group(1), text)
    text = _REFERENCE.sub(_reference, text)
    return text.replace("<", "&lt;")
