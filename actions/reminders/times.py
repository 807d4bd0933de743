"""The time of day in a reminder request: "at 6pm", "every day at 18:30", "6.30 pm", "noon".

The phrase is found with a pattern and read by ``dateutil``'s parser. A bare hour from 1 to 7
("remind me at 6") is taken as the evening, since that is when learners revise; the confirmation
says the time in 24-hour form, so a learner who meant the morning can say so.
"""

from __future__ import annotations

import re
from datetime import time

from dateutil import parser

_WORDS = {"noon": time(12, 0), "midday": time(12, 0), "midnight": time(0, 0)}
_PHRASE = re.compile(
    r"(?<![\d:.])(?P<hour>\d{1,2})(?:\s*[:.h]\s*(?P<minute>\d{2}))?\s*"
    r"(?P<half>a\.?\s?m\.?|p\.?\s?m\.?|o'?\s?clock)?(?![\d:])",
    re.I,
)
_AT = re.compile(r"\b(?:at|for|around|by)\s+$", re.I)


def parse_time(text: str) -> time | None:
    """The time of day ``text`` asks for, or None when it names none (or an impossible one)."""
    lowered = text.lower()
    for word, moment in _WORDS.items():
        if re.search(rf"\b{word}\b", lowered):
            return moment
    for match in _PHRASE.finditer(text):
        hour, minute, half = match.group("hour", "minute", "half")
        marker = (half or "").lower().replace(".", "").replace(" ", "")
        if not (minute or marker.startswith(("am", "pm")) or "clock" in marker
                or _AT.search(text[: match.start()])):
            continue  # a number that is not a time ("5 questions")
        phrase = f"{hour}:{minute or '00'} {marker[:2] if marker[:2] in ('am', 'pm') else ''}".strip()
        try:
            moment = parser.parse(phrase).time()
        except (ValueError, OverflowError):
            return None
        if not marker.startswith(("am", "pm")) and not minute and 1 <= moment.hour <= 7:
            moment = moment.replace(hour=moment.hour + 12)  # "at 6": the evening
        return moment
    return None


def describe(moment: time) -> str:
    """``18:00``."""
    return f"{moment.hour:02d}:{moment.minute:02d}"
