"""Fair grading of a learner's typed answer against a generated :class:`Question`.

Forgiven: case, punctuation, UK/US spellings, small typos (scaled to word length), another ending
of the same word, words run together or split ("timebound", "take-action"), list separators, any
order when the question does not ask for one, an option's letter ("b", "(B)", "it's B"), yes/no on
true/false, a year in words ("twenty eighteen"), and in a term's expansion one word replaced by a
synonym ("First Call Resolution"). Single answers and lists use the same matching rules
(:mod:`.matching`). Not forgiven: a missing or wrong step, the wrong order when order is asked, the
wrong act or year, the wrong true/false, two answers where one is asked, chat that answers nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .forms import chosen_letter, non_answer, truth, without_lead
from .matching import align, find_steps, longest_increasing, spells, unexplained
from .meaning import SYNONYM_THRESHOLD, Meaning, default_meaning
from .numbers import years
from .questions import Kind, Question
from .text import FUNCTION_WORDS, contains_word, content_words, fold, initials, words

_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_NEGATIONS = {"not", "isnt", "aint", "never", "hardly", "no", "dont", "doesnt", "shouldnt", "cant",
              "cannot", "arent", "wont", "nor"}
_GENERIC_LAW_WORDS = frozenset(["act", "acts", "regulation", "regulations", "directive", "law", "the", "of"])
# Words too common in the course to say which area of law an answer means.
_COMMON = frozenset(["customer", "customers", "service", "services", "people", "peoples", "everyone"])
_MARGIN = 0.05  # how much closer one area must be than the next to be what an answer means


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


def grade(question: Question, text: str, meaning: Meaning | None = None) -> Verdict:
    """Grade ``text`` as an answer to ``question`` (``meaning`` judges synonyms; MiniLM by default)."""
    given = text.strip()
    if not given or non_answer(given) == "unsure":
        return verdict_for(question, 0.0, "No answer given.", missing=list(question.answers[:1]))
    index = chosen_letter(given, len(question.options))
    given = question.options[index] if index is not None else without_lead(given)
    if question.kind is Kind.TRUE_FALSE:
        return _grade_true_false(question, given)
    if question.kind is Kind.MODEL_STEPS:
        return _grade_steps(question, given, list(question.answers), ordered=question.ordered)
    if question.kind is Kind.MODEL_WHICH:
        return _grade_model_name(question, given)
    if question.kind is Kind.LAW_SITUATION:
        return _grade_law(question, given)
    if question.kind is Kind.LAW_YEAR:
        return _grade_year(question, given)
    if question.kind is Kind.LAW_COVERS:
        return _grade_covers(question, given, meaning)
    if question.kind is Kind.ABBREVIATION:
        return _grade_term(question, given, meaning)
    return _grade_step(question, given)


def _footer(question: Question) -> str:
    if question.steps:
        answer = "The answer:\n" + "\n".join(f"- {step}" for step in question.answers)
    else:
        answer = f"The answer: {question.answer_text}."
    return f"{answer}\nSource: {question.source}."


def verdict_for(
    question: Question,
    score: float,
    message: str,
    missing: Sequence[str] = (),
    wrong: Sequence[str] = (),
) -> Verdict:
    """A verdict with feedback that leads with how it went and ends with the answer and source."""
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


# ---- steps: a list, or one step -------------------------------------------------------------


def _grade_steps(question: Question, given: str, steps: list[str], ordered: bool) -> Verdict:
    match = find_steps(given, steps)
    found, wrong = match.found, match.wrong
    for name, rival in question.rivals:
        theirs = find_steps(given, list(rival))
        if len(theirs.found) == len(rival) and not theirs.wrong and set(found) <= match.loose:
            message = f"Those are the steps of {name}, not {question.subject}."
            return verdict_for(question, 0.0, message, missing=steps, wrong=[given])
    n = len(steps)
    missing = [step for idx, step in enumerate(steps) if idx not in found]
    score = len(found) / max(n, len(found) + len(wrong))
    notes = []
    in_order = longest_increasing(found) == len(found)
    if ordered and found and not in_order:
        score *= longest_increasing(found) / len(found)
        notes.append("The order matters: " + " → ".join(steps) + ".")
    if missing:
        notes.append(f"You got {len(found)} of {n} steps. Missing: {', '.join(missing)}.")
    if wrong:
        notes.append(f"Not a step of {question.subject}: {', '.join(wrong)}.")
    if not notes and score < 1:
        notes.append("Some steps are not right.")
    return verdict_for(question, score, " ".join(notes), missing=missing, wrong=wrong)


def _grade_step(question: Question, given: str) -> Verdict:
    """One step (a letter's or a position's): spelled by the same rules as in a list."""
    if any(find_steps(given, [answer]).found for answer in question.answers):
        others = [step for step in question.wrong if find_steps(given, [step]).found
                  and not any(spells(step, answer) for answer in question.answers)]
        if not others:
            return verdict_for(question, 1.0, "")
        return verdict_for(question, 0.0, f"Give one step: {others[0]} is another step.",
                           missing=[question.answers[0]], wrong=others)
    other = [step for step in question.wrong if find_steps(given, [step]).found]
    message = f"{other[0]} is a different step." if other else f"'{given}' is not it."
    return verdict_for(question, 0.0, message, missing=[question.answers[0]], wrong=[given])


# ---- terms: an abbreviation's words --------------------------------------------------------


def _grade_term(question: Question, given: str, meaning: Meaning | None) -> Verdict:
    """An abbreviation's expansion: every word, one of them may be a close synonym."""
    given_words = words(given)
    readings: list[tuple[float, list[str], list[str]]] = []  # (score, missing, wrong words)
    for answer in question.answers:
        expected = content_words(answer, FUNCTION_WORDS) or words(answer)
        found, missing = align(given_words, expected)
        extra = unexplained(given_words, expected)
        if len(missing) == 1 and found and extra:
            judge = meaning or default_meaning()
            if any(judge.close(word, missing[0]) for word in extra):
                extra = [w for w in extra if not judge.close(w, missing[0])]
                found, missing = [*found, missing[0]], []
        readings.append((len(found) / len(expected), missing, extra))
    score, missing, swapped = max(readings, key=lambda reading: reading[0])
    if score >= 1:
        return verdict_for(question, 1.0, "")
    if score > 0 and not swapped:  # incomplete but nothing wrong: partial credit
        return verdict_for(question, score, f"Incomplete: missing {', '.join(missing)}.", missing=missing)
    if score > 0:  # a word replaced by a wrong one is a different term
        return verdict_for(question, 0.0, f"'{given}' is a different term: {', '.join(swapped)} is wrong.",
                           missing=missing, wrong=swapped)
    return verdict_for(question, 0.0, f"'{given}' is not it.", missing=[question.answers[0]], wrong=[given])


# ---- models and laws by name ----------------------------------------------------------------


def _grade_model_name(question: Question, given: str) -> Verdict:
    name = question.answers[0]
    if "," in name:  # a model named by its steps: any order, every step
        steps = [s.strip() for s in name.split(",")]
        return _grade_steps(question, given, steps, ordered=False)
    if not _names_model(given, name):
        return verdict_for(question, 0.0, f"'{given}' is a different name.", missing=[name], wrong=[given])
    others = [o for o in question.options if o != name and "," not in o and _names_model(given, o)]
    if others:
        return verdict_for(question, 0.0, f"Give one name, not {name} and {others[0]}.",
                           missing=[name], wrong=others)
    return verdict_for(question, 1.0, "")


def _names_model(given: str, name: str) -> bool:
    plain = given.replace(".", "")
    return name.lower() in words(plain) or fold(plain.replace(" ", "")) == name.lower()


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
    return bool(keys) and not align(given_words, keys)[1]


def _grade_law(question: Question, given: str) -> Verdict:
    stated = set(years(given))
    outcomes: list[tuple[int, Verdict]] = []  # (rank, verdict): 0 exact, 1 no year given, 2 wrong year
    for name in question.answers:
        if not law_named(given, name):
            continue
        year = _YEAR.search(name)
        if year and stated and year.group() not in stated:
            said = ", ".join(sorted(stated))
            message = f"Right act, wrong year: it is {name}, not {said}."
            outcomes.append((2, verdict_for(question, 0.0, message, missing=[name], wrong=[said])))
        elif year and not stated:
            outcomes.append((1, verdict_for(question, 1.0, f"Remember the full name with its year: {name}.")))
        else:
            outcomes.append((0, verdict_for(question, 1.0, "")))
    if outcomes:
        return min(outcomes, key=lambda pair: pair[0])[1]
    named = [opt for opt in question.options if opt not in question.answers and law_named(given, opt)]
    message = f"{named[0]} covers something else." if named else f"'{given}' is not the right law."
    return verdict_for(question, 0.0, message, missing=[question.answers[0]], wrong=[given])


def _grade_year(question: Question, given: str) -> Verdict:
    stated = years(given)
    if not stated:
        return verdict_for(question, 0.0, "Give the year, e.g. 2010.", missing=[question.answers[0]])
    if set(stated) == {question.answers[0]}:
        return verdict_for(question, 1.0, "")
    return verdict_for(question, 0.0, f"Wrong year ({', '.join(stated)}).", wrong=stated)


def _grade_covers(question: Question, given: str, meaning: Meaning | None) -> Verdict:
    """The area a law covers: its words or cue words; failing those, a word that means one."""
    given_words = words(given)
    phrase, *cues = question.answers

    def says(area: str) -> bool:
        return not align(given_words, words(area))[1]

    ours = any(contains_word(given_words, cue) for cue in cues) or says(phrase)
    theirs = [p for p in question.wrong if says(p)]
    if not ours and not theirs:  # no area in so many words: the area the words mean most closely
        judge = meaning or default_meaning()
        said = [w for w in content_words(given) if w not in _COMMON]

        def closeness(area: str, keys: Sequence[str]) -> float:
            scores = [judge.similarity(w, k) or 0.0 for w in said for k in (area, *keys)]
            return max(scores, default=0.0)

        areas = {phrase: closeness(phrase, cues), **{p: closeness(p, words(p)) for p in question.wrong}}
        best, *rest = sorted(areas, key=lambda area: -areas[area])
        clear = not rest or areas[best] - areas[rest[0]] >= _MARGIN  # one area, not a toss-up
        if areas[best] >= SYNONYM_THRESHOLD and clear:
            ours, theirs = best == phrase, [best] if best != phrase else []
    if ours and not theirs:
        return verdict_for(question, 1.0, "")
    message = (
        f"That is what another law covers ({theirs[0]})." if theirs and not ours else "Not the right area."
    )
    if ours and theirs:
        message = "Pick one area: your answer mixes two laws."
    return verdict_for(question, 0.0, message, missing=[phrase], wrong=[given])


# ---- true or false --------------------------------------------------------------------------


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
    value = truth(given)
    if value is None:
        value = _restated(question, given)
    expected = question.answers[0] == "True"
    if value is None:
        return verdict_for(question, 0.0, "Answer True or False.", missing=[question.answers[0]])
    if value == expected:
        return verdict_for(question, 1.0, question.explanation.split(". ", 1)[-1])
    return verdict_for(question, 0.0, question.explanation.split(". ", 1)[-1], wrong=[str(value)])
