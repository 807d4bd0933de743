"""Question generation from the real catalogue and from a new document, and request selection."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from actions.quiz.grading import grade
from actions.quiz.questions import Kind, Question, generate
from actions.quiz.selection import QuestionBank, request_count

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"

NEW_DOC = """\
Escalation and service levels. This extra topic covers escalation.
Topic Synopsis
This extra topic covers when and how to escalate a customer issue to a supervisor.
Key Concepts & Core Principles
- Escalation: Passing an issue upwards using the 'CARE' model (Connect, Ask, Resolve, End) so nothing is lost.
- Service levels: Keeping the Average Handling Time (AHT) within the agreed target.
- Courtesy rules: Following the Customer Courtesy Act 2021 whenever staff speak with vulnerable callers.
Exam Tips & Revision Strategies
- Name the CARE model's steps in order when describing an escalation.
Common Misconceptions & Mistakes to Avoid
- Assuming that escalating a call means you have failed, which stops staff asking for help in time.
Examiner Marking Points
- Award credit for explaining when escalation is appropriate.
"""


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return QuestionBank.from_folders([KNOWLEDGE])


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory) -> QuestionBank:
    folder = tmp_path_factory.mktemp("knowledge")
    for doc in KNOWLEDGE.iterdir():
        if doc.is_file():
            shutil.copy(doc, folder / doc.name)
    (folder / "005_escalation.txt").write_text(NEW_DOC, encoding="utf-8")
    return QuestionBank.from_folders([folder])


def _kinds(questions: list[Question], subject: str) -> set[Kind]:
    return {q.kind for q in questions if q.subject == subject}


def _right_answer(q: Question) -> str:
    return "\n".join(q.answers) if q.steps else q.answers[0]


def test_every_model_has_letter_or_step_list_and_which_questions(bank: QuestionBank) -> None:
    assert bank.catalogue.models
    for model in bank.catalogue.models:
        kinds = _kinds(bank.questions, model.name)
        assert {Kind.MODEL_STEPS, Kind.MODEL_WHICH} <= kinds, model.name
        per_step = Kind.MODEL_LETTER if model.acronym else Kind.MODEL_STEP
        asked = [q for q in bank.questions if q.subject == model.name and q.kind is per_step]
        assert [q.answers[0] for q in asked] == list(model.steps)
        steps_q = next(q for q in bank.questions if q.subject == model.name and q.kind is Kind.MODEL_STEPS)
        assert steps_q.ordered and steps_q.answers == model.steps and str(len(model.steps)) in steps_q.hint


def test_every_law_has_questions_and_every_act_a_year_question(bank: QuestionBank) -> None:
    assert bank.catalogue.laws
    situations = [q for q in bank.questions if q.kind is Kind.LAW_SITUATION]
    for law in bank.catalogue.laws:
        assert Kind.LAW_COVERS in _kinds(bank.questions, law.name), law.name
        assert any(law.name in q.answers for q in situations), law.name
        if law.year:
            assert Kind.LAW_YEAR in _kinds(bank.questions, law.name)
        for q in situations:  # a situation never gives its own law's name away
            for name in q.answers:
                assert name.lower() not in q.prompt.lower()


def test_a_situation_answers_with_the_name_its_blank_hides(bank: QuestionBank) -> None:
    hiding = [q for q in bank.questions if q.kind is Kind.LAW_SITUATION
              and any(name.lower() in q.context.lower() for name in q.answers)]
    assert hiding
    for q in hiding:  # "(e.g., ____)" hid GDPR: "The answer: GDPR", though its group is led by the DPA
        assert q.answer_text.lower() in q.context.lower(), (q.answer_text, q.context)
        assert grade(q, q.answer_text).correct and all(grade(q, name).correct for name in q.answers)


def test_every_abbreviation_and_misconception_has_a_question(bank: QuestionBank) -> None:
    for abbr in bank.catalogue.abbreviations:
        q = next(q for q in bank.questions if q.kind is Kind.ABBREVIATION and q.subject == abbr.short)
        assert q.prompt == f"What does {abbr.short} stand for?" and q.answers == (abbr.long,)
        assert abbr.long in q.options
    for item in bank.catalogue.misconceptions:
        false = [q for q in bank.questions if q.subject == item.belief and q.answers == ("False",)]
        assert len(false) == 1 and item.text in false[0].explanation


def test_every_question_is_answerable_and_cites_its_source(bank: QuestionBank) -> None:
    for q in bank.questions:
        assert q.source.startswith(q.topic) and q.explanation and q.hint
        assert grade(q, _right_answer(q)).correct, (q.id, q.prompt)
        if q.options:
            assert len(set(q.options)) == len(q.options)
            assert sum(grade(q, option).correct for option in q.options) == 1, q.prompt
            letter = "ABCD"[q.options.index(next(o for o in q.options if grade(q, o).correct))]
            assert grade(q, letter).correct


def test_ids_are_unique_and_stable_across_builds(bank: QuestionBank) -> None:
    again = generate(QuestionBank.from_folders([KNOWLEDGE]).catalogue)
    assert [q.id for q in again] == [q.id for q in bank.questions]
    assert len({q.id for q in again}) == len(again)
    assert [q.options for q in again] == [q.options for q in bank.questions]


def test_a_new_document_brings_new_questions(bank: QuestionBank, extended: QuestionBank) -> None:
    new = [q for q in extended.questions if q.id not in bank.by_id]
    subjects = {q.subject for q in new}
    assert {"CARE", "Customer Courtesy Act 2021", "AHT"} <= subjects
    assert {q.kind for q in new if q.subject == "CARE"} == {
        Kind.MODEL_LETTER,
        Kind.MODEL_STEPS,
        Kind.MODEL_WHICH,
    }
    care = next(q for q in new if q.kind is Kind.MODEL_STEPS)
    assert care.answers == ("Connect", "Ask", "Resolve", "End")
    assert grade(care, "connect, ask, resolve, end").correct
    assert not grade(care, "connect, resolve, ask, end").correct
    aht = next(q for q in new if q.subject == "AHT")
    assert grade(aht, "average handling time").correct
    act = next(q for q in new if q.kind is Kind.LAW_YEAR)
    assert grade(act, "2021").correct and not grade(act, "2012").correct
    assert any(q.kind is Kind.TRUE_FALSE and "escalating" in q.prompt.lower() for q in new)
    assert {q.id for q in bank.questions} <= {q.id for q in extended.questions}  # old ids unchanged


@pytest.mark.parametrize(
    ("request_text", "subjects", "groups"),
    [
        ("HEAT", {"HEAT"}, None),
        ("quiz me on the heat model", {"HEAT"}, None),
        ("legislation", None, {"legislation"}),
        ("5 questions on the models", None, {"model"}),
        ("abbreviations please", None, {"abbreviation"}),
        ("test me on the Equality Act", {"Equality Act 2010"}, None),
        ("true or false", None, {"misconception"}),
    ],
)
def test_requests_resolve_against_the_catalogue(
    bank: QuestionBank, request_text: str, subjects: set[str] | None, groups: set[str] | None
) -> None:
    selection = bank.select(request_text)
    chosen = selection.questions
    assert chosen
    if subjects is not None:
        assert {q.subject for q in chosen} == subjects
    if groups is not None:
        assert {q.group for q in chosen} == groups


def test_concept_terms_and_topics_resolve_fuzzily(bank: QuestionBank) -> None:
    complaint = bank.select("complaint handling").questions
    assert "HEAT" in {q.subject for q in complaint}
    assert len(complaint) < len(bank.questions)
    assert {q.doc for q in bank.select("topic 3").questions} == {"003_f564fe6b3ff7aa1f.txt"}
    assert bank.select("quiz me").label == "all topics"


@pytest.mark.parametrize(
    ("text", "count"),
    [("5 questions on the models", 5), ("three on HEAT", 3), ("quiz me on topic 2", None), ("a quiz", None)],
)
def test_request_count(text: str, count: int | None) -> None:
    assert request_count(text) == count


def test_selection_is_varied_and_sized(bank: QuestionBank) -> None:
    selection = bank.select("5 questions on the models")
    asked = selection.questions[: selection.count]
    assert selection.count == 5 and len({q.subject for q in asked}) >= 4


@pytest.mark.parametrize(
    ("request_text", "docs"),
    [
        ("quiz me on topic 4", {"004"}),
        ("quiz me on topic four", {"004"}),
        ("5 questions on unit 2", {"002"}),
        ("quiz me on the complaints topic", {"002", "004"}),  # a key concept of both
        ("quiz me on the goal setting topic", {"001"}),
        ("quiz me on the data protection topic", {"004"}),  # the topic, not only the act
    ],
)
def test_topics_by_number_title_or_key_concept_filter_the_quiz(
    bank: QuestionBank, request_text: str, docs: set[str]
) -> None:
    selection = bank.select(request_text)
    assert {q.doc[:3] for q in selection.questions} == docs
    named = [d for d in bank.catalogue.documents if d.doc_id in docs]
    assert all(d.topic in selection.label for d in named)  # "Topic 004: Customer service and ..."
    assert selection.count == (5 if "5" in request_text else min(5, len(selection.questions)))


def test_a_topic_named_by_its_title_filters_the_quiz(bank: QuestionBank) -> None:
    doc = bank.catalogue.documents[2]
    title = doc.topic.split(": ", 1)[1]
    assert {q.doc for q in bank.select(f"quiz me on {title}").questions} == {doc.name}
