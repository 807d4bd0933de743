"""Comparisons side by side on the real engine: two models, two laws, or a model and a law, each
with its steps in order and where the course uses it; a name the documents lack is said to be."""

from __future__ import annotations

from itertools import combinations

import pytest
from rapidfuzz import fuzz

from actions.answers.tutor import Tutor
from actions.knowledge.model import Catalogue, Law, NamedModel

from .engine import converse, shared_tutor

PHRASINGS = ["difference between {a} and {b}", "compare {a} and {b}", "compare {a} with {b}",
             "how is {a} different from {b}?", "how do {a} and {b} differ?", "{a} vs {b}",
             "what do {a} and {b} have in common?", "which one should I use, {a} or {b}?",
             "which is better, {a} or {b}?"]


@pytest.fixture(scope="module")
def tutor() -> Tutor:
    return shared_tutor()


def _cat(tutor: Tutor) -> Catalogue:
    return tutor.kb.catalogue


def _block(text: str, name: str) -> str:
    """The part of a side-by-side reply that describes ``name``."""
    start = text.index(f"**{name}** (")
    end = text.find("\n\n", start)
    return text[start:end if end > 0 else None]


def _check_model(text: str, model: NamedModel, cat: Catalogue) -> None:
    block = _block(text, model.name)
    positions = [block.index(f"{n}. {step}") for n, step in enumerate(model.steps, 1)]
    assert positions == sorted(positions)
    assert model.context in block and cat.topic_of(model.source.doc) in block


def _check_law(text: str, law: Law, cat: Catalogue) -> None:
    block = _block(text, law.name)
    assert law.mentions[0].text in block
    assert all(cat.topic_of(doc) in block for doc in law.docs)


@pytest.mark.parametrize("phrasing", PHRASINGS)
def test_two_models_side_by_side(tutor: Tutor, phrasing: str) -> None:
    cat = _cat(tutor)
    acronyms = [m for m in cat.models if m.acronym]
    for a, b in combinations(acronyms, 2):
        reply = tutor.respond(phrasing.format(a=a.name, b=b.name))
        assert reply.kind == "comparison", (phrasing, a.name, b.name)
        _check_model(reply.text, a, cat)
        _check_model(reply.text, b, cat)
        shared = [s for s in a.steps if any(fuzz.ratio(s.lower(), t.lower()) >= 85 for t in b.steps)]
        if shared:
            assert "What they share" in reply.text and all(s in reply.text for s in shared)
        else:
            assert "no step in common" in reply.text


@pytest.mark.parametrize("phrasing", PHRASINGS[:4])
def test_two_laws_and_a_model_with_a_law(tutor: Tutor, phrasing: str) -> None:
    cat = _cat(tutor)
    for a, b in combinations(cat.laws, 2):
        reply = tutor.respond(phrasing.format(a=a.name, b=b.name))
        assert reply.kind == "comparison"
        _check_law(reply.text, a, cat)
        _check_law(reply.text, b, cat)
    model, law = cat.models[0], cat.laws[0]
    reply = tutor.respond(phrasing.format(a=model.name, b=law.name))
    _check_model(reply.text, model, cat)
    _check_law(reply.text, law, cat)
    assert "a model" in reply.text and "a law" in reply.text


def test_a_name_the_documents_lack_is_said_to_be_missing(tutor: Tutor) -> None:
    cat = _cat(tutor)
    model = next(m for m in cat.models if m.acronym)
    for message in (f"what's the difference between {model.name} and the PDCA cycle?",
                    f"compare the ZORP model with {model.name}"):
        reply = tutor.respond(message)
        missing = "PDCA" if "PDCA" in message else "ZORP"
        assert f"don't mention {missing}" in reply.text
        assert all(step in reply.text for step in model.steps)


def test_it_compares_with_what_was_just_explained(tutor: Tutor) -> None:
    cat = _cat(tutor)
    first, second = [m for m in cat.models if m.acronym][:2]
    _, reply = converse(tutor, f"explain {first.name}", f"how is it different from {second.name}?")
    assert reply.kind == "comparison"
    _check_model(reply.text, first, cat)
    _check_model(reply.text, second, cat)


@pytest.mark.parametrize("question", ["whats the difference between them", "how do they differ?",
                                      "compare the two", "what do they have in common?"])
def test_they_are_the_two_things_just_spoken_of(tutor: Tutor, question: str) -> None:
    cat = _cat(tutor)
    first, second = [m for m in cat.models if m.acronym][:2]
    *_, reply = converse(tutor, f"what does {first.name} stand for?", f"and {second.name}?", question)
    assert reply.kind == "comparison", reply.text
    _check_model(reply.text, first, cat)
    _check_model(reply.text, second, cat)
    model, law = cat.models[-1], cat.laws[0]
    *_, reply = converse(tutor, f"explain {model.name}", f"what is the {law.name}?", question)
    assert reply.kind == "comparison", reply.text
    _check_model(reply.text, model, cat)
    _check_law(reply.text, law, cat)


def test_they_with_only_one_thing_spoken_of_compares_nothing(tutor: Tutor) -> None:
    cat = _cat(tutor)
    model = next(m for m in cat.models if m.acronym)
    *_, reply = converse(tutor, f"explain {model.name}", "how do they differ?")
    assert reply.kind != "comparison", reply.text


def test_comparing_unnamed_things_is_answered_from_the_documents(tutor: Tutor) -> None:
    reply = tutor.respond("how is proactive service different from reactive service?")
    assert reply.kind in ("answer", "advice")
    assert "proactive" in reply.text and "reactive" in reply.text
