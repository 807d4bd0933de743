"""The tutor's replies on the real engine: every expected fact is read from the catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from actions.answers.tutor import Tutor
from actions.knowledge.base import KnowledgeBase
from actions.knowledge.model import Catalogue, SectionKind

from .helpers import NEW_DOC, ROOT, copy_seeds

EVAL = ROOT.parent / "shared" / "eval"


@pytest.fixture(scope="module")
def tutor(tmp_path_factory: pytest.TempPathFactory) -> Tutor:
    base = tmp_path_factory.mktemp("tutor")
    kb = KnowledgeBase(copy_seeds(base / "knowledge"), base / "index")
    kb.rebuild()
    return Tutor(kb)


def _cat(tutor: Tutor) -> Catalogue:
    return tutor.kb.catalogue


def test_every_model_is_explained_with_all_steps_in_order(tutor: Tutor) -> None:
    for model in _cat(tutor).models:
        reply = tutor.explain_model(f"explain the {model.name} model")
        assert reply.kind == "model"
        positions = [reply.text.index(step) for step in model.steps]
        assert positions == sorted(positions), model.name
        assert model.context in reply.text
        assert reply.sources and reply.sources[0].startswith(_cat(tutor).topic_of(model.source.doc))


@pytest.mark.parametrize("phrasing", ["what is the {l} in {m}?", "what does the {l} in {m} stand for",
                                      "in {m}, what does {l} stand for?"])
def test_a_single_letter_is_answered(tutor: Tutor, phrasing: str) -> None:
    for model in (m for m in _cat(tutor).models if m.acronym):
        letter, step = model.name[-1], model.steps[-1]
        reply = tutor.explain_model(phrasing.format(l=letter, m=model.name))
        assert f"{letter} stands for **{step}**" in reply.text


def test_lower_case_model_names_need_a_cue(tutor: Tutor) -> None:
    assert tutor.answer("what does heat stand for").kind == "model"
    assert tutor.answer("what did I learn last week about feedback").kind != "model"


def test_an_unknown_model_is_not_guessed(tutor: Tutor) -> None:
    reply = tutor.explain_model("what is the ZORP model?")
    assert reply.kind == "not_found" and "ZORP" in reply.text
    for model in _cat(tutor).models:
        assert model.name in reply.text


def test_laws_by_name_with_what_the_documents_say(tutor: Tutor) -> None:
    for law in _cat(tutor).laws:
        reply = tutor.explain_law(f"what is the {law.name}?")
        assert reply.kind == "law" and f"**{law.name}**" in reply.text
        assert law.mentions[0].text in reply.text


@pytest.mark.parametrize(("question", "area"), [
    ("which law covers customer data?", "data protection"),
    ("what law protects customers from discrimination?", "equality"),
    ("which act is about faulty goods and refunds?", "consumer rights"),
])
def test_which_law_covers_a_situation(tutor: Tutor, question: str, area: str) -> None:
    first_line = tutor.explain_law(question).text.splitlines()[0].lower()
    names = [law.name.lower() for law in _cat(tutor).laws if area in law.name.lower()]
    assert names and any(name in first_line for name in names)


def test_abbreviations(tutor: Tutor) -> None:
    for abbr in _cat(tutor).abbreviations:
        reply = tutor.answer(f"what does {abbr.short} mean?")
        assert reply.kind == "abbreviation" and abbr.long in reply.text


def test_questions_are_answered_from_passages_naming_their_source(tutor: Tutor) -> None:
    reply = tutor.answer("what is the customer journey")
    assert reply.kind == "answer"
    assert "touchpoints" in reply.text
    assert reply.sources and "Key Concepts" in reply.sources[0]
    assert 1 <= reply.text.count(". ") + 1 <= 3


def test_development_questions_contain_the_expected_content(tutor: Tutor) -> None:
    cases = yaml.safe_load((EVAL / "qa.yml").read_text(encoding="utf-8"))
    missed = []
    for case in cases:
        text = tutor.respond(case["q"]).text.lower()
        if "couldn't find" in text or not all(
                any(alt.lower() in text for alt in group) for group in case["expect"]):
            missed.append(case["q"])
    assert missed == []


@pytest.mark.parametrize("question", ["what is the capital of France?", "how do I bake bread",
                                      "asdfgh qwerty"])
def test_off_course_questions_get_an_honest_reply(tutor: Tutor, question: str) -> None:
    reply = tutor.answer(question)
    assert reply.kind == "not_found"
    assert "won't guess" in reply.text and "quiz me" in reply.text


def test_exam_tips_and_marking_points_come_from_their_sections(tutor: Tutor) -> None:
    tips = tutor.exam_tips("exam tips for role plays")
    tip_texts = {t.text for t in _cat(tutor).tips}
    lines = [ln[2:] for ln in tips.text.splitlines() if ln.startswith("- ")]
    assert lines and all(line in tip_texts for line in lines)
    assert any("role-play" in line for line in lines)
    marks = tutor.marking_points("what do examiners look for in feedback?")
    mark_texts = {t.text for t in _cat(tutor).marking_points}
    lines = [ln[2:] for ln in marks.text.splitlines() if ln.startswith("- ")]
    assert all(line in mark_texts for line in lines)
    assert sum("feedback" in line for line in lines) >= 2


def test_topics_are_listed_from_the_catalogue(tutor: Tutor) -> None:
    reply = tutor.list_topics()
    for doc in _cat(tutor).documents:
        assert doc.topic in reply.text
        assert doc.section(SectionKind.CONCEPTS)[0].term in reply.text


def test_capabilities_name_the_models_and_laws(tutor: Tutor) -> None:
    text = tutor.capabilities().text
    assert all(m.name in text for m in _cat(tutor).models)
    assert all(law.name in text for law in _cat(tutor).laws)


def test_misconceptions_held_are_corrected_with_the_expected_content(tutor: Tutor) -> None:
    """The development set as a whole (a detector tuned to pass every string of it would not
    generalise; scripts/eval_misconceptions.py gives the cross-validated figures)."""
    cases = yaml.safe_load((EVAL / "misconceptions.yml").read_text(encoding="utf-8"))
    corrected = right = 0
    for case in cases["held"]:
        reply = tutor.correction(case["say"])
        text = reply.text.lower() if reply is not None else ""
        corrected += "misconception" in text
        right += "misconception" in text and all(
            any(alt in text for alt in group) for group in case["expect"])
    false = [case["say"] for case in cases["not_held"] if tutor.correction(case["say"]) is not None]
    held = len(cases["held"])
    assert corrected >= 0.9 * held and right >= 0.8 * held, (corrected, right, held)
    assert len(false) <= 1, false


@pytest.mark.parametrize("message", [
    "customers are always right",
    "Is the customer always right?",
    "handling complaints is the manager's job, not mine",
    "customer service and sales are basically the same thing",
    "there's no point logging every call",
    "I use the same tone with every customer",
])
def test_paraphrases_and_belief_questions_are_corrected(tutor: Tutor, message: str) -> None:
    reply = tutor.correction(message)
    assert reply is not None and "misconception" in reply.text


@pytest.mark.parametrize("message", [
    "the customer is not always right but they deserve respect",
    "I always log calls so colleagues can follow up",
    "It's a myth that the customer is always right",
    "I adapt the script to each customer's problem",
    "I always ask for consent before sharing data",
    "what does complaint handling involve?",
    "explain the STAR method",
])
def test_the_correct_view_and_plain_questions_are_not_corrected(tutor: Tutor, message: str) -> None:
    assert tutor.correction(message) is None


def test_a_new_document_is_answered_after_reindexing(tmp_path: Path) -> None:
    folder = copy_seeds(tmp_path / "k")
    kb = KnowledgeBase(folder, tmp_path / "i")
    kb.rebuild()
    tutor = Tutor(kb)
    assert tutor.explain_model("what is the CARE model?").kind == "not_found"
    (folder / "005_escalation.txt").write_text(NEW_DOC, encoding="utf-8")
    KnowledgeBase(folder, tmp_path / "i").rebuild()
    reply = tutor.explain_model("what is the CARE model?")
    assert reply.kind == "model" and "Connect" in reply.text and "End" in reply.text
    assert tutor.correction("escalating a call means you have failed") is not None


@pytest.mark.parametrize(("method", "message", "expect"), [
    ("explain_law", "what is Net Promoter Score", "Net Promoter Score"),
    ("exam_tips", "What job search strategies should I know about?", "job boards"),
    ("marking_points", "how do I gather customer feedback", "feedback"),
    ("explain_model", "what is the customer journey", "touchpoints"),
])
def test_a_wrong_intent_guess_still_gets_the_right_answer(
    tutor: Tutor, method: str, message: str, expect: str
) -> None:
    reply = getattr(tutor, method)(message)
    assert reply.kind in {"answer", "abbreviation"} and expect in reply.text


def test_plain_answers_do_not_quote_mistakes(tutor: Tutor) -> None:
    for message in ("I record every interaction accurately.",
                    "I tell customers how their feedback changed things."):
        reply = tutor.answer(message)
        assert "misconception" not in (reply.text + " ".join(reply.sources)).lower()


def test_a_statement_nothing_answers_gets_the_advice_on_its_misconception(tutor: Tutor) -> None:
    """Not corrected (it takes the correct side) and not a question: the course's advice on the
    misconception it is about, not "I couldn't find anything"; "why?" then explains it."""
    reply = tutor.respond("I always check who I'm talking to before I look at their account")
    assert reply.kind == "advice", reply.text
    assert "misconception" not in reply.text.lower()  # advice, not a correction
    assert "verification" in reply.text and "confidential customer data" in reply.text
    why = tutor.respond("why?", reply.context)
    assert why.kind == "explanation" and "verification" in why.text, why.text


@pytest.mark.parametrize("message", ["I work on the tills at a supermarket",
                                     "the weather is nice today"])
def test_chatter_gets_no_advice(tutor: Tutor, message: str) -> None:
    assert tutor.advice_on(message) is None
