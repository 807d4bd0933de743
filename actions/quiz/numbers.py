"""Years in a learner's answer, written in digits or in words ("twenty ten", "two thousand and ten").

Number words become digits with ``text2num``; a year said in two halves ("twenty eighteen",
"nineteen ninety eight") comes out as two numbers, which are joined back into one year.
"""

from __future__ import annotations

import re

from text_to_num import alpha2digit

_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_HALVES = re.compile(r"\b(1[0-9]|20) (\d\d)\b")


def years(text: str) -> list[str]:
    """Four-digit years (1800-2099) in ``text``, in the order written."""
    digits = alpha2digit(text.replace("-", " "), "en")
    return _YEAR.findall(_HALVES.sub(r"\1\2", digits))
