"""Fair grading of a learner's free-text answer against a generated :class:`Question`.

Forgiven: case, punctuation, UK/US spellings, small typos (scaled to word length), another ending
of the same word, list separators (commas, "and", new lines, bullets, numbers), any order when the
question does not ask for one, and an option's letter or number. Not forgiven: a missing or wrong
step, the wrong order when order is asked, the wrong act, the wrong year, the wrong true/false.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .questions import Kind, Question
from .text import FUNCTION_WORDS, STOPWORDS, contains_word, content_words, fold, initials, same_word, words

_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_CHOICE = re.compile(r"^\s*(?:option|answer|choice)?\s*\(?([a-h]|[1-8])\)?[.):]?\s*$", re.I)
_PART_SPLIT = re.compile(r"[\n,;/|>•·]+|\s+-\s+|\s+then\s+|\s+and then\s+|(?<!\w)\d+[.)]\s*", re.I)
_TRUE = ("true", "yes", "yeah", "yep", "correct", "right", "t", "y")
_FALSE = ("false", "no", "nope", "nah", "wrong", "incorrect", "untrue", "myth", "f", "n")
_NEGATORS = {"not", "isnt", "aint", "never", "hardly"}
# Words that turn a restated statement into its opposite ("the customer is NOT always right").
_NEGATIONS = _NEGATORS | {"no", "dont", "doesnt", "shouldnt", "cant", "cannot", "arent", "wont", "nor"}
_GENERIC_LAW_WORDS = frozenset(["act", "acts", "regulation", "regulations", "directive", "law", "the", "of"])
_FILLER = STOPWORDS | {"them", "customer", "customers", "problem", "issue", "it", "their", "with"}


@dataclass(frozen=True)
class Verdict:
    """A graded answer: score 0..1, whether it is fully right, feedback and what was missing."""

    score: float
    correct: bool
    feedback: str
    missing: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    answer: str = ""
    source: str = ""
    question_id: str = ""


def grade(question: Question, text: str) -> Verdict:
    """Grade ``text`` as an answer to ``question``."""
    given = text.strip()
    if not given or fold(given) in {"idk", "i dont know", "dont know", "no idea", "pass", "?"}:
        return _verdict(question, 0.0, "No answer given.", missing=list(question.answers[:1]))
    if question.kind is Kind.TRUE_FALSE:
        return _grade_true_false(question, given)
    given = _chosen_option(question, given)
    if question.kind is Kind.MODEL_STEPS:
        return _grade_steps(question, given, list(question.answers), ordered=question.ordered)
    if question.kind is Kind.MODEL_WHICH:
        return _grade_model_name(question, given)
    if question.kind is Kind.LAW_SITUATION:
        return _grade_law(question, given)
    if question.kind is Kind.LAW_YEAR:
        return _grade_year(question, given)
    if question.kind is Kind.LAW_COVERS:
        return _grade_covers(question, given)
    return _grade_phrase(question, given)


def _chosen_option(question: Question, given: str) -> str:
    """The option's text when the learner answered with its letter or number."""
    match = _CHOICE.match(given)
    if not question.options or not match:
        return given
    key = match.group(1).lower()
    index = int(key) - 1 if key.isdigit() else ord(key) - ord("a")
    return question.options[index] if 0 <= index < len(question.options) else given


def _footer(question: Question) -> str:
    if question.steps:
        answer = "The answer:\n" + "\n".join(f"- {step}" for step in question.answers)
    else:
        answer = f"The answer: {question.answer_text}."
    return f"{answer}\nSource: {question.source}."


def _verdict(
    question: Question,
    score: float,
    message: str,
    missing: Sequence[str] = (),
    wrong: Sequence[str] = (),
) -> Verdict:
    score = round(max(0.0, min(1.0, score)), 3)
    correct = score >= 1.0
    lead = "Correct!" if correct else ("Partly right." if score > 0 else "Not quite.")
    body = " ".join(part for part in (lead, message) if part)
    return Verdict(
        score,
        correct,
        f"{body}\n{_footer(question)}",
        list(missing),
        list(wrong),
        question.answer_text,
        question.source,
        question.id,
    )


# ---- lists of steps -------------------------------------------------------------------------


def _step_words(step: str) -> list[str]:
    return words(step)


def _match_at(tokens: list[str], i: int, step: str) -> int:
    """How many tokens from ``i`` spell ``step`` (0 when they do not)."""
    target = _step_words(step)
    k = len(target)
    window = tokens[i : i + k]
    if len(window) == k and all(same_word(g, e) for g, e in zip(window, target, strict=True)):
        return k
    joined = "".join(target)
    for width in range(1, k + 2):  # follow up / followup / follow-up
        if i + width <= len(tokens) and same_word("".join(tokens[i : i + width]), joined):
            return width
    return 0


def _main_word(step: str) -> str | None:
    """The word that carries a multi-word step ('action' in 'Take action'), if it is clear."""
    parts = [w for w in _step_words(step) if w not in FUNCTION_WORDS]
    if len(parts) < 2:
        return None
    longest = max(parts, key=len)
    return longest if len(longest) >= 5 else None


def _find_steps(text: str, steps: list[str]) -> tuple[list[int], list[str]]:
    """Step indices in the order written, and written parts that match no step."""
    found: list[int] = []
    wrong: list[str] = []
    for part in _PART_SPLIT.split(text):
        tokens = [t for t in words(part) if not t.isdigit()]
        hits_before = len(found)
        unknown: list[str] = []
        i = 0
        while i < len(tokens):
            best = max(
                ((idx, _match_at(tokens, i, step)) for idx, step in enumerate(steps)),
                key=lambda pair: (pair[1], -pair[0]),
            )
            if best[1] == 0:
                main = [
                    idx
                    for idx, step in enumerate(steps)
                    if (w := _main_word(step)) and same_word(tokens[i], w)
                ]
                best = (main[0], 1) if main else best
            if best[1]:
                if best[0] not in found:
                    found.append(best[0])
                i += best[1]
                continue
            if tokens[i] not in _FILLER and len(tokens[i]) > 1:
                unknown.append(tokens[i])
            i += 1
        if unknown and len(found) == hits_before:
            wrong.append(" ".join(unknown))
    return found, wrong


def _longest_increasing(seq: list[int]) -> int:
    best: list[int] = []
    for value in seq:
        pos = next((k for k, v in enumerate(best) if v >= value), len(best))
        best[pos : pos + 1] = [value]
    return len(best)


def _grade_steps(question: Question, given: str, steps: list[str], ordered: bool) -> Verdict:
    found, wrong = _find_steps(given, steps)
    n = len(steps)
    missing = [step for idx, step in enumerate(steps) if idx not in found]
    score = len(found) / max(n, len(found) + len(wrong))
    notes = []
    in_order = _longest_increasing(found) == len(found)
    if ordered and found and not in_order:
        score *= _longest_increasing(found) / len(found)
        notes.append("The order matters: " + " → ".join(steps) + ".")
    if missing:
        notes.append(f"You got {len(found)} of {n} steps. Missing: {', '.join(missing)}.")
    if wrong:
        notes.append(f"Not a step of {question.subject}: {', '.join(wrong)}.")
    if not notes and score < 1:
        notes.append("Some steps are not right.")
    return _verdict(question, score, " ".join(notes), missing=missing, wrong=wrong)


# ---- single answers -------------------------------------------------------------------------


def _phrase_score(given_words: list[str], expected: str, main_word: bool = False) -> tuple[float, list[str]]:
    """Fraction of the expected phrase's words found in the answer, and the words not found.

    With ``main_word`` a multi-word step counts when its main word is there ('action').
    """
    target = content_words(expected, FUNCTION_WORDS) or words(expected)
    missing = [w for w in target if not contains_word(given_words, w)]
    if main_word and missing and (main := _main_word(expected)) and contains_word(given_words, main):
        return 1.0, []
    return (len(target) - len(missing)) / len(target), missing


def _grade_phrase(question: Question, given: str) -> Verdict:
    """A step for a letter or position, or an abbreviation's expansion."""
    given_words = words(given)
    step = question.kind is not Kind.ABBREVIATION
    best, missing = max(
        (_phrase_score(given_words, answer, main_word=step) for answer in question.answers),
        key=lambda pair: pair[0],
    )
    if question.kind is not Kind.ABBREVIATION and best < 1:
        best = 0.0  # a step is one word or phrase: half a step is not a step
    if best >= 1:
        return _verdict(question, 1.0, "")
    expected = [w for a in question.answers for w in content_words(a, FUNCTION_WORDS)]
    swapped = [w for w in content_words(given, FUNCTION_WORDS) if not contains_word(expected, w)]
    if best > 0 and not swapped:  # incomplete but nothing wrong: partial credit
        return _verdict(question, best, f"Incomplete: missing {', '.join(missing)}.", missing=missing)
    if best > 0:  # a word replaced by a wrong one is a different term
        return _verdict(
            question,
            0.0,
            f"'{given}' is a different term: {', '.join(swapped)} is wrong.",
            missing=missing,
            wrong=swapped,
        )
    return _verdict(question, 0.0, f"'{given}' is not it.", missing=[question.answers[0]], wrong=[given])


def _grade_model_name(question: Question, given: str) -> Verdict:
    name = question.answers[0]
    if "," in name:  # a model named by its steps: any order, every step
        steps = [s.strip() for s in name.split(",")]
        return _grade_steps(question, given, steps, ordered=False)
    tokens = words(given.replace(".", ""))
    if name.lower() in tokens or fold(given.replace(".", "").replace(" ", "")) == name.lower():
        return _verdict(question, 1.0, "")
    return _verdict(question, 0.0, f"'{given}' is a different name.", missing=[name], wrong=[given])


def law_named(given: str, name: str) -> bool:
    """True when the answer names the law ``name`` (year aside): words, acronym or initials."""
    base = _YEAR.sub("", name).strip()
    given_words = words(given)
    acronyms = {base.upper()} if re.fullmatch(r"[A-Z]{2,8}", base) else {initials(base)}
    compact = "".join(w for w in re.sub(r"[.]", "", given).split())
    if any(t.upper() in acronyms for t in re.findall(r"[A-Za-z.]{2,12}", given.replace(".", ""))):
        return True
    if any(a in initials(given) for a in acronyms if len(a) >= 3 and len(given_words) >= len(a)):
        return True
    if re.fullmatch(r"[A-Z]{2,8}", base):
        return compact.upper() == base
    keys = [w for w in words(base) if w not in _GENERIC_LAW_WORDS]
    return bool(keys) and all(contains_word(given_words, key) for key in keys)


def _grade_law(question: Question, given: str) -> Verdict:
    years = set(_YEAR.findall(given))
    outcomes: list[tuple[int, Verdict]] = []  # (rank, verdict): 0 exact, 1 no year given, 2 wrong year
    for name in question.answers:
        if not law_named(given, name):
            continue
        year = _YEAR.search(name)
        if year and years and year.group() not in years:
            stated = ", ".join(sorted(years))
            outcomes.append(
                (
                    2,
                    _verdict(
                        question,
                        0.0,
                        f"Right act, wrong year: it is {name}, not {stated}.",
                        missing=[name],
                        wrong=[stated],
                    ),
                )
            )
        elif year and not years:
            outcomes.append((1, _verdict(question, 1.0, f"Remember the full name with its year: {name}.")))
        else:
            outcomes.append((0, _verdict(question, 1.0, "")))
    if outcomes:
        return min(outcomes, key=lambda pair: pair[0])[1]
    named = [opt for opt in question.options if opt not in question.answers and law_named(given, opt)]
    message = f"{named[0]} covers something else." if named else f"'{given}' is not the right law."
    return _verdict(question, 0.0, message, missing=[question.answers[0]], wrong=[given])


def _grade_year(question: Question, given: str) -> Verdict:
    years = _YEAR.findall(given)
    if not years:
        return _verdict(question, 0.0, "Give the year, e.g. 2010.", missing=[question.answers[0]])
    if set(years) == {question.answers[0]}:
        return _verdict(question, 1.0, "")
    return _verdict(question, 0.0, f"Wrong year ({', '.join(years)}).", wrong=years)


def _grade_covers(question: Question, given: str) -> Verdict:
    given_words = words(given)
    phrase, *cues = question.answers
    ours = any(contains_word(given_words, cue) for cue in cues) or _phrase_score(given_words, phrase)[0] == 1
    theirs = [p for p in question.wrong if _phrase_score(given_words, p)[0] == 1]
    if ours and not theirs:
        return _verdict(question, 1.0, "")
    message = (
        f"That is what another law covers ({theirs[0]})." if theirs and not ours else "Not the right area."
    )
    if ours and theirs:
        message = "Pick one area: your answer mixes two laws."
    return _verdict(question, 0.0, message, missing=[phrase], wrong=[given])


def _truth(given: str) -> bool | None:
    """True, False or None (no clear answer) from a true/false reply in the learner's words."""
    tokens = words(given)
    if not tokens:
        return None
    for i, token in enumerate(tokens[:-1]):
        if token in _NEGATORS and _truthy(tokens[i + 1], anywhere=True) is not None:
            return not _truthy(tokens[i + 1], anywhere=True)
    first = _truthy(tokens[0], anywhere=False)
    if first is not None:
        return first
    for token in tokens[1:]:
        value = _truthy(token, anywhere=True)
        if value is not None:
            return value
    return None


def _truthy(token: str, anywhere: bool) -> bool | None:
    """Whether a word says true or false; away from the start only 'true'/'false' themselves count."""
    if token in ("true", "false") or (
        len(token) >= 4 and (same_word(token, "true") or same_word(token, "false"))
    ):
        return token == "true" or (token != "false" and same_word(token, "true"))
    if anywhere:
        return None
    if token in _TRUE:
        return True
    if token in _FALSE:
        return False
    return None


def _restated(question: Question, given: str) -> bool | None:
    """A learner who restates the statement agrees with it; restating it negated disagrees."""
    statement = question.prompt.split(":", 1)[-1]
    wanted = content_words(statement)
    said = words(given)
    if not wanted or sum(contains_word(said, w) for w in wanted) < 0.6 * len(wanted):
        return None
    flips = sum(w in _NEGATIONS for w in said) - sum(w in _NEGATIONS for w in words(statement))
    return flips % 2 == 0


def _grade_true_false(question: Question, given: str) -> Verdict:
    choice = _CHOICE.match(given)
    if choice and choice.group(1).lower() in "ab12":
        key = choice.group(1).lower()
        given = question.options["ab12".index(key) % 2]
    value = _truth(given)
    if value is None:
        value = _restated(question, given)
    expected = question.answers[0] == "True"
    if value is None:
        return _verdict(question, 0.0, "Answer True or False.", missing=[question.answers[0]])
    if value == expected:
        return _verdict(question, 1.0, question.explanation.split(". ", 1)[-1])
    return _verdict(question, 0.0, question.explanation.split(". ", 1)[-1], wrong=[str(value)])
