"""Forgiving word comparison shared by question selection and grading.

Words are compared after folding case, accents and British/American spellings (-ise/-ize,
-isation/-ization, -yse/-yze); a small number of typing slips is allowed, scaled to the word's length.
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz.distance import OSA

# Function words only: what an answer may add or drop without changing a term.
FUNCTION_WORDS = frozenset((
    "a", "an", "and", "or", "the", "of", "to", "in", "on", "for", "with", "by", "at", "as", "is",
    "are", "be", "it",
))

# Words that carry no content in an answer or a request: the function words and these.
STOPWORDS = FUNCTION_WORDS | frozenset((
    "its", "this", "that", "then", "than", "so", "i", "you", "we", "they", "he", "she", "my",
    "your", "our", "their", "me", "us", "do", "does", "did", "can", "will", "would", "should",
    "must", "about", "what", "which", "who", "how", "step", "steps", "stage", "stages", "first",
    "second", "third", "fourth", "fifth", "next", "finally", "lastly", "last", "also", "plus",
    "followed",
))

_ISE = re.compile(r"(?<=[a-z]{2})iz(?=e\b|es\b|ed\b|ing\b|ation\b|ations\b|er\b|ers\b|able\b)")
_YSE = re.compile(r"(?<=[a-z]{2})yz(?=e\b|es\b|ed\b|ing\b)")
_ENDINGS = frozenset({"s", "es", "d", "ed", "ing", "e"})
_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, no accents, curly quotes straightened, UK spelling for -ise/-yse words."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("’", "'").replace("‘", "'").replace("&", " and ")
    text = re.sub(r"(?<=\w)'(?=\w)", "", text)  # customer's -> customers
    text = _ISE.sub("is", text)
    return _YSE.sub("ys", text)


def words(text: str) -> list[str]:
    """The folded words of ``text`` (hyphens and punctuation split words)."""
    return _WORD.findall(fold(text))




def content_words(text: str, stop: frozenset[str] = STOPWORDS) -> list[str]:
    """Words of ``text`` without ``stop`` words and single letters."""
    return [w for w in words(text) if w not in stop and len(w) > 1]


def allowed_edits(word: str) -> int:
    """How many typing slips a word of this length may carry and still count."""
    n = len(word)
    if n <= 3:
        return 0
    if n <= 8:
        return 1
    return 2


def same_word(given: str, expected: str) -> bool:
    """True when ``given`` is ``expected`` with a typo, a spelling variant or another ending.

    Both are folded words; a typo keeps the first letter. Another ending means a shared stem of at
    least five letters that leaves at most two letters of the shorter word over (empathy/empathise,
    apology/apologise).
    """
    if given == expected:
        return True
    if given.isdigit() or expected.isdigit():
        return False
    if given[:1] == expected[:1] and OSA.distance(given, expected) <= allowed_edits(expected):
        return True  # slips rarely hit the first letter: "sympathise" is not a typo of "empathise"
    return same_stem(given, expected)


def same_stem(given: str, expected: str) -> bool:
    """True when two folded words share a stem: equal, or another ending of the same word."""
    if given == expected:
        return True
    stem_of = expected[:-1] if expected.endswith("e") else expected
    if given.startswith(stem_of) and given[len(stem_of) :] in _ENDINGS and len(stem_of) >= 3:
        return True  # hear -> hearing, resolve -> resolved, result -> results
    shorter = min(len(given), len(expected))
    stem = 0
    for a, b in zip(given, expected, strict=False):
        if a != b:
            break
        stem += 1
    rest = (given if len(given) == shorter else expected)[stem:]
    return stem >= 5 and stem >= shorter - 2 and rest != "ly"  # equally is not equality


def contains_word(haystack: list[str], expected: str, strict: bool = False) -> bool:
    """True when any word of ``haystack`` is ``expected`` (typos allowed unless ``strict``)."""
    match = same_stem if strict else same_word
    return any(match(word, expected) for word in haystack)


def initials(text: str) -> str:
    """Initial letters of the content-bearing words: 'General Data Protection Regulation' -> GDPR."""
    return "".join(w[0] for w in words(text) if w not in {"of", "and", "the", "for"}).upper()
