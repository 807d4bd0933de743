"""The answer step on the real engine: it chooses and combines what a question asks about, answers
questions about mistakes from the misconceptions sections as advice, and beats plain retrieval."""

from __future__ import annotations

import pytest
import yaml

from actions.answers.advice import advice
from actions.answers.answering import clauses, focus_words
from actions.answers.tutor import Tutor
from actions.knowledge.index import Mode
from actions.knowledge.model import Misconception, SectionKind
from actions.knowledge.titles import stems

from .engine import shared_tutor
from .helpers import ROOT

NOT_FOUND = "couldn't find anything"
HELD_OUT = ROOT / "tests" / "data"


@pytest.fixture(scope="module")
def tutor() -> Tutor:
    return shared_tutor()


def _mistake(tutor: Tutor, words: str) -> Misconception:
    """The catalogue's misconception that mentions ``words``."""
    return next(m for m in tutor.kb.catalogue.misconceptions if words in m.text)


@pytest.mark.parametrize(("question", "words"), [
    ("what body language should I steer clear of?", "non-verbal"),
    ("which gestures should I avoid with customers?", "non-verbal"),
    ("what do people get wrong about gathering feedback?", "close the loop"),
    ("what goes wrong when staff collect feedback?", "close the loop"),
    ("what mistakes do people make with customer records?", "interactions"),
    ("what should I avoid when using scripts?", "scripted responses"),
    ("what do learners get wrong about the law?", "legal and regulatory"),
    # the question's own wording of a mix-up, with the subject between "mix" and "up"
    ("what do people mix customer service up with?", "sales"),
    ("what do trainees often confuse customer service with?", "sales"),
])
def test_questions_about_mistakes_are_answered_as_advice(tutor: Tutor, question: str,
                                                        words: str) -> None:
    reply = tutor.respond(question)
    assert reply.kind == "advice", reply.text
    assert any(advice(m.text) in reply.text for m in tutor.kb.catalogue.misconceptions
               if words in m.text), reply.text
    labels = " ".join(reply.sources)
    assert SectionKind.MISCONCEPTIONS.label in labels


def test_advice_is_combined_with_a_related_point(tutor: Tutor) -> None:
    reply = tutor.respond("what do people get wrong about gathering feedback?")
    assert "Related point:" in reply.text
    other = [s for s in reply.sources if SectionKind.MISCONCEPTIONS.label not in s]
    assert other, reply.sources


@pytest.mark.parametrize(("question", "words"), [
    ("what must I check before I talk about a customer's account?", "verification"),
    ("how is proactive service different from reactive service?", "proactive and reactive"),
])
def test_mistakes_answer_questions_that_do_not_name_them(tutor: Tutor, question: str,
                                                         words: str) -> None:
    m = _mistake(tutor, words)
    assert advice(m.text).split(";")[0].rstrip(".") in tutor.respond(question).text


def test_every_mistake_reads_as_advice(tutor: Tutor) -> None:
    for m in tutor.kb.catalogue.misconceptions:
        said = advice(m.text)
        assert said.split()[0] in ("Don't", "Make", "Avoid", "When"), said
        assert said.endswith(".") and "Avoid not" not in said
        lost = set(stems(m.text)) - set(stems(said))
        assert len(lost) <= 4, (said, lost)  # the verbs of the mistake, not its content


@pytest.mark.parametrize(("bullet", "expected"), [
    ("Failing to tailor communication style to the customer, leading to misunderstandings.",
     "Make sure you tailor communication style to the customer; otherwise it can lead to "
     "misunderstandings."),
    ("Proposing changes that are vague, without considering cost or time.",
     "Avoid proposing changes that are vague; make sure you consider cost or time."),
    ("Gathering feedback but neglecting to close the loop.",
     "When you gather feedback, make sure you close the loop."),
    ("Thinking that complaints are a manager's job, rather than understanding their own role.",
     "Don't think that complaints are a manager's job; make sure you understand your own role."),
])
def test_advice_grammar(bullet: str, expected: str) -> None:
    assert advice(bullet) == expected


def test_answers_quote_at_most_three_passages_and_cite_them(tutor: Tutor) -> None:
    cat = tutor.kb.catalogue
    for question in ("what is reflective practice?", "how do I gather customer feedback",
                     "what makes a customer loyal?"):
        reply = tutor.respond(question)
        assert reply.kind == "answer" and 1 <= len(reply.sources) <= 3
        for source in reply.sources:
            assert any(source == cat.cite(d.name, s) for d in cat.documents for s in SectionKind)


def test_a_passage_is_scored_by_its_clauses_too() -> None:
    text = ("Overlooking non-verbal cues, such as crossing arms or avoiding eye contact, which can "
            "convey rudeness.")
    parts = clauses(text)
    assert parts[0] == text and "crossing arms or avoiding eye contact" in parts
    assert focus_words("what should customers do about NPS?") == "NPS"


@pytest.mark.parametrize(("name", "at_least"), [("qa_heldout.yml", 0.95), ("qa_heldout2.yml", 0.85)])
def test_held_out_questions_beat_plain_retrieval(tutor: Tutor, name: str, at_least: float) -> None:
    cases = yaml.safe_load((HELD_OUT / name).read_text(encoding="utf-8"))

    def holds(text: str, groups: list[list[str]]) -> bool:
        low = text.lower()
        return all(any(str(alt).lower() in low for alt in group) for group in groups)

    good = sum(holds(r.text, c["expect"]) and NOT_FOUND not in r.text
               for c in cases if (r := tutor.respond(c["q"])))
    base = sum(holds(" ".join(h.passage.text for h in tutor.kb.search(c["q"], k=2, mode=Mode.DENSE)),
                     c["expect"]) for c in cases)
    assert good >= at_least * len(cases) and good >= base, (good, base, len(cases))
