"""Where a learner's words spell an expected step or term: one set of rules for single answers and
for lists, so "timebound" counts as "Time-bound" on its own exactly as it does inside a list.

A phrase is spelled at a position when its words follow word for word (typos, UK/US spellings and
other endings forgiven, see :func:`~actions.quiz.text.same_word`), or when the learner ran or split
its words differently ("timebound", "take-action", "followup", "follow up"). A multi-word step also
counts by its main word ("action" for "Take action") unless the answer is another model's list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .text import FUNCTION_WORDS, STOPWORDS, same_word, words

# Where a list splits into parts: commas, new lines, bullets, arrows, numbering, "then", "and then".
PART_SPLIT = re.compile(
    r"[\n,;/|>•·]+|\s+-\s+|\s+then\s+|\s+and then\s+|(?<!\w)\d+[.)]\s*", re.I
)
# Words an answer may carry around a step without being a wrong step ("hear the customer out").
FILLER = STOPWORDS | {"them", "customer", "customers", "problem", "issue", "it", "their", "with", "out"}


@dataclass(frozen=True)
class StepMatch:
    """Which steps an answer spells, in the order written, and the parts that spell none."""

    found: list[int] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    loose: frozenset[int] = frozenset()  # steps found by their main word only


def width_at(tokens: list[str], i: int, phrase: list[str]) -> int:
    """How many tokens from ``i`` spell ``phrase`` (0 when they do not)."""
    k = len(phrase)
    window = tokens[i : i + k]
    if k and len(window) == k and all(same_word(g, e) for g, e in zip(window, phrase, strict=True)):
        return k
    joined = "".join(phrase)
    for width in range(1, k + 2):  # follow up / followup / follow-up; time bound / timebound
        if i + width <= len(tokens) and _same_run("".join(tokens[i : i + width]), joined):
            return width
    return 0


def _same_run(given: str, expected: str) -> bool:
    """Words run together or split the same way: :func:`same_word`, but no longer a stem of a
    longer run ("contact" is not "contactresolution")."""
    return abs(len(given) - len(expected)) <= 3 and same_word(given, expected)


def main_word(step: str) -> str | None:
    """The word that carries a multi-word step ('action' in 'Take action'), if it is clear."""
    parts = [w for w in words(step) if w not in FUNCTION_WORDS]
    if len(parts) < 2:
        return None
    longest = max(parts, key=len)
    return longest if len(longest) >= 5 else None


def spells(text: str, phrase: str) -> bool:
    """True when ``text`` spells ``phrase`` somewhere (word for word, or run together or split)."""
    tokens, target = words(text), words(phrase)
    return any(width_at(tokens, i, target) for i in range(len(tokens)))


def find_steps(text: str, steps: list[str]) -> StepMatch:
    """Step indices in the order written, and written parts that match no step."""
    targets = [words(step) for step in steps]
    mains = [main_word(step) for step in steps]
    found: list[int] = []
    loose: set[int] = set()
    wrong: list[str] = []
    for part in PART_SPLIT.split(text):
        tokens = [t for t in words(part) if not t.isdigit()]
        hits_before = len(found)
        unknown: list[str] = []
        i = 0
        while i < len(tokens):
            index, width = max(
                ((idx, width_at(tokens, i, target)) for idx, target in enumerate(targets)),
                key=lambda pair: (pair[1], -pair[0]),
            )
            by_main = False
            if not width:
                main = [idx for idx, w in enumerate(mains) if w and same_word(tokens[i], w)]
                index, width, by_main = (main[0], 1, True) if main else (index, 0, False)
            if width:
                if index not in found:
                    found.append(index)
                    if by_main:
                        loose.add(index)
                i += width
                continue
            if tokens[i] not in FILLER and len(tokens[i]) > 1:
                unknown.append(tokens[i])
            i += 1
        if unknown and len(found) == hits_before:
            wrong.append(" ".join(unknown))
    return StepMatch(found, wrong, frozenset(loose))


def longest_increasing(seq: list[int]) -> int:
    """Length of the longest increasing run of ``seq`` (the steps written in the right order)."""
    best: list[int] = []
    for value in seq:
        pos = next((k for k, v in enumerate(best) if v >= value), len(best))
        best[pos : pos + 1] = [value]
    return len(best)


def align(given: list[str], expected: list[str]) -> tuple[list[str], list[str]]:
    """Expected words the answer spells (run together or split forgiven), and those it does not."""
    found, missing = [], []
    for k, word in enumerate(expected):
        compound = [word, *expected[k + 1 : k + 2]]  # "firstcontact" spells first + contact
        if any(width_at(given, i, [word]) for i in range(len(given))) or any(
            width_at(given, i, compound) and len(compound) > 1 for i in range(len(given))
        ) or (k and any(_same_run(g, expected[k - 1] + word) for g in given)):
            found.append(word)
        else:
            missing.append(word)
    return found, missing


def unexplained(given: list[str], expected: list[str]) -> list[str]:
    """Content words of the answer that spell none of the expected words."""
    joined = {"".join(expected[k : k + 2]) for k in range(len(expected))}
    return [
        w
        for w in given
        if w not in FUNCTION_WORDS
        and len(w) > 1
        and not any(same_word(w, e) for e in expected)
        and not any(_same_run(w, j) for j in joined)
    ]
