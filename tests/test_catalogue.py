"""The catalogue finds every model, law, abbreviation and misconception the documents hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions.knowledge.catalogue import build_catalogue, extract_misconception
from actions.knowledge.model import Catalogue, Item, SectionKind, Source
from actions.knowledge.validate import load_corpus

from .helpers import KNOWLEDGE, NEW_DOC, copy_seeds


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    corpus = load_corpus([KNOWLEDGE])
    assert corpus.ok
    return build_catalogue(corpus.documents)


# What the seed documents say, read by a person: (name, steps in order, file prefix)
SEED_MODELS = [
    ("HEAT", ("Hear", "Empathise", "Apologise", "Take action"), "002"),
    ("LATER", ("Listen", "Apologise", "Thank", "Empathise", "Resolve"), "003"),
    ("LAST", ("Listen", "Apologize", "Solve", "Thank"), "004"),
    ("STAR", ("Situation", "Task", "Action", "Result"), "003"),
    ("SMART", ("Specific", "Measurable", "Achievable", "Relevant", "Time-bound"), "001"),
    ("Acknowledge, Respond, Follow-up", ("Acknowledge", "Respond", "Follow-up"), "000"),
]


def test_every_model_is_found_with_its_steps_in_order(catalogue: Catalogue) -> None:
    found = {m.name: m for m in catalogue.models}
    assert set(found) == {name for name, _, _ in SEED_MODELS}
    for name, steps, prefix in SEED_MODELS:
        assert found[name].steps == steps
        assert found[name].source.doc.startswith(prefix)
        assert found[name].source.section is SectionKind.CONCEPTS or found[name].source.line > 1


def test_acronym_models_spell_their_name(catalogue: Catalogue) -> None:
    for model in catalogue.models:
        if model.acronym:
            assert "".join(s[0] for s in model.steps).upper() == model.name


def test_all_four_laws_with_their_mentions(catalogue: Catalogue) -> None:
    laws = {law.name: law for law in catalogue.laws}
    assert set(laws) == {
        "Consumer Rights Act 2015", "Data Protection Act 2018", "Equality Act 2010", "GDPR",
    }
    assert laws["Equality Act 2010"].year == 2010
    assert laws["GDPR"].year is None
    for law in laws.values():
        assert law.mentions
        for mention in law.mentions:
            assert law.name.split(" 20")[0].lower() in mention.text.lower()
    assert {d[:3] for d in laws["GDPR"].docs} == {"003", "004"}
    assert {d[:3] for d in laws["Data Protection Act 2018"].docs} == {"002", "004"}


def test_abbreviations_with_expansions(catalogue: Catalogue) -> None:
    abbr = {a.short: a.long for a in catalogue.abbreviations}
    assert abbr["NPS"] == "Net Promoter Score"
    assert abbr["CSAT"] == "Customer Satisfaction Score"
    assert abbr["FCR"] == "First Contact Resolution"
    assert "HEAT" not in abbr and "GDPR" not in abbr


def test_every_misconception_bullet_is_in_the_catalogue(catalogue: Catalogue) -> None:
    bullets = [
        item.text for doc in catalogue.documents for item in doc.section(SectionKind.MISCONCEPTIONS)
    ]
    assert len(bullets) == 21
    assert [m.text for m in catalogue.misconceptions] == bullets
    for m in catalogue.misconceptions:
        assert m.belief and m.claims
        assert m.belief[0].islower() or m.belief.startswith("there")


@pytest.mark.parametrize(
    ("bullet", "belief", "negated"),
    [
        ("Assuming that the customer is always right, which can lead to unrealistic "
         "expectations or ignoring company policies.", "the customer is always right", False),
        ("Confusing customer service with sales or marketing; customer service is about support "
         "and relationship building.", "customer service is the same as sales or marketing", False),
        ("Failing to accurately log customer interactions, which can cause repeat contacts.",
         "there is no need to accurately log customer interactions", True),
        ("Not documenting interactions thoroughly, resulting in incomplete records.",
         "it's fine to skip documenting interactions thoroughly", True),
    ],
)
def test_beliefs_in_plain_words(bullet: str, belief: str, negated: bool) -> None:
    item = Item(bullet, Source("x.txt", SectionKind.MISCONCEPTIONS, 3))
    m = extract_misconception(item)
    assert m.belief == belief
    assert m.claims[0].negated is negated
    assert m.correction and m.correction.lower() not in m.belief.lower()


def _claims(bullet: str) -> list[tuple[str, bool]]:
    m = extract_misconception(Item(bullet, Source("x.txt", SectionKind.MISCONCEPTIONS, 3)))
    return [(c.text, c.negated) for c in m.claims]


def test_a_done_part_before_but_is_held() -> None:
    """"Gathering feedback but neglecting to close the loop": the learner gathers feedback (done,
    held) and leaves the loop open (the mistake), the example too."""
    assert _claims("Gathering feedback but neglecting to close the loop, for example, not informing "
                   "customers how their input led to changes.") == [
        ("gathering feedback", False), ("close the loop", True),
        ("informing customers how their input led to changes", True)]


def test_an_overlooked_things_action_examples_are_done() -> None:
    """The cues a learner overlooks are what they do unheeded ("crossing arms"), so the examples
    are held, each alternative on its own: "don't fold your arms" takes the correct side."""
    assert _claims("Overlooking non-verbal cues, such as crossing arms or avoiding eye contact, "
                   "which can convey disinterest or rudeness.") == [
        ("non-verbal cues", True), ("crossing arms", False), ("avoiding eye contact", False)]
    # an example of what is done stays done, and a noun example of what is neglected stays undone
    assert ("discussing account details", False) in _claims(
        "Mishandling confidential customer data when responding to queries, such as discussing "
        "account details without proper verification.")
    assert ("data protection or consumer rights, in service delivery", True) in _claims(
        "Neglecting to consider legal and regulatory requirements, such as data protection or "
        "consumer rights, in service delivery.")


def test_confusing_keeps_the_correction() -> None:
    m = extract_misconception(Item(
        "Confusing customer service with sales or marketing; customer service is about support "
        "and relationship building.", Source("x.txt", SectionKind.MISCONCEPTIONS, 3)))
    assert m.correction == "customer service is about support and relationship building"


def test_tips_and_marking_points_by_topic(catalogue: Catalogue) -> None:
    assert len(catalogue.tips) == 21
    assert len(catalogue.marking_points) == 27
    assert {t.source.doc for t in catalogue.tips} == {d.name for d in catalogue.documents}


def test_a_new_document_adds_to_the_catalogue_with_no_code_change(tmp_path: Path) -> None:
    folder = copy_seeds(tmp_path / "k")
    (folder / "005_escalation.txt").write_text(NEW_DOC, encoding="utf-8")
    corpus = load_corpus([folder])
    assert corpus.ok, corpus.problems
    cat = build_catalogue(corpus.documents)
    models = {m.name: m.steps for m in cat.models}
    assert models["CARE"] == ("Connect", "Ask", "Resolve", "End")
    assert "Consumer Protection Regulations 2008" in {law.name for law in cat.laws}
    assert {a.short: a.long for a in cat.abbreviations}["AHT"] == "Average Handling Time"
    assert any(m.belief == "escalating a call means you have failed" for m in cat.misconceptions)
