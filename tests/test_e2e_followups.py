"""End-to-end over REST: conversations that lean on what was just said, comparisons, topics named
by number, questions about mistakes, and messages that must not be corrected.

Every expectation is read from the documents' catalogue, never hard-coded.
"""

from __future__ import annotations

import uuid

import pytest

from actions.answers.advice import advice
from actions.knowledge.catalogue import build_catalogue
from actions.knowledge.model import Catalogue, SectionKind
from actions.knowledge.validate import load_corpus

from .servers import TutorServers
from .test_e2e_conversation import corrected, texts

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def catalogue(servers: TutorServers) -> Catalogue:
    corpus = load_corpus([servers.knowledge_dir])
    return build_catalogue(corpus.documents)


class Learner:
    """One learner's conversation over the REST webhook."""

    def __init__(self, servers: TutorServers) -> None:
        self.servers = servers
        self.id = f"learner-{uuid.uuid4().hex[:8]}"

    def say(self, message: str) -> str:
        return texts(self.servers.say(self.id, message))


def test_a_step_of_the_model_just_explained(servers: TutorServers, catalogue: Catalogue) -> None:
    model = next(m for m in catalogue.models if len(m.steps) >= 3 and m.acronym)
    learner = Learner(servers)
    learner.say(f"explain the {model.name} model")
    third = learner.say("and the third step?")
    assert model.steps[2] in third and model.name in third, third
    last = learner.say("what's the last step?")
    assert model.steps[-1] in last, last


def test_and_another_model(servers: TutorServers, catalogue: Catalogue) -> None:
    first, second = [m for m in catalogue.models if m.acronym][:2]
    learner = Learner(servers)
    learner.say(f"what does {first.name} stand for?")
    reply = learner.say(f"and {second.name}?")
    assert all(step in reply for step in second.steps), reply


def test_why_a_misconception_is_a_mistake(servers: TutorServers, catalogue: Catalogue) -> None:
    learner = Learner(servers)
    stated = learner.say("the customer is always right")
    assert corrected(stated), stated
    quoted = next(m for m in catalogue.misconceptions if m.text in stated)
    why = learner.say("why is that a mistake?")
    assert quoted.text in why and "couldn't find" not in why, why


def test_what_to_do_instead_of_a_mistake(servers: TutorServers, catalogue: Catalogue) -> None:
    learner = Learner(servers)
    stated = learner.say("i think the customer is always right tbh")
    quoted = next(m for m in catalogue.misconceptions if m.text in stated)
    instead = learner.say("ok so what should i do instead")
    assert advice(quoted.text) in instead, instead


def test_a_letter_of_the_model_just_explained(servers: TutorServers, catalogue: Catalogue) -> None:
    model = next(m for m in catalogue.models if m.acronym and len(set(m.name)) == len(m.name))
    learner = Learner(servers)
    learner.say(f"what does {model.name} stand for")
    reply = learner.say(f"whats the {model.name[-1].lower()}")
    assert f"is **{model.steps[-1]}**" in reply, reply


def test_an_example_of_the_model_just_explained(servers: TutorServers, catalogue: Catalogue) -> None:
    model = next(m for m in catalogue.models if m.acronym)
    learner = Learner(servers)
    learner.say(f"can u explain the {model.name} thing")
    reply = learner.say("give me an example")
    assert all(step in reply for step in model.steps) and model.context in reply, reply


def test_the_third_topic_of_the_list(servers: TutorServers, catalogue: Catalogue) -> None:
    learner = Learner(servers)
    listed = learner.say("what topics are there?")
    assert all(doc.topic in listed for doc in catalogue.documents)
    third = learner.say("tell me about the third one")
    doc = catalogue.documents[2]
    assert doc.topic in third and doc.synopsis[:60] in third, third


def test_when_a_law_was_passed_and_where_it_is(servers: TutorServers,
                                               catalogue: Catalogue) -> None:
    law = next(law for law in catalogue.laws if law.year and " Act " in law.name)
    learner = Learner(servers)
    learner.say(f"what is the {law.name.rsplit(' ', 1)[0]}?")
    assert str(law.year) in learner.say("when was it passed?")
    where = learner.say("where is it in my notes?")
    assert all(catalogue.topic_of(doc) in where for doc in law.docs), where


@pytest.mark.parametrize("form", ["how do {a} and {b} differ?", "compare {a} and {b}",
                                  "what's the difference between {a} and {b}?"])
def test_two_models_side_by_side(servers: TutorServers, catalogue: Catalogue, form: str) -> None:
    a, b = [m for m in catalogue.models if m.acronym][-2:]
    reply = Learner(servers).say(form.format(a=a.name, b=b.name))
    for model in (a, b):
        assert all(step in reply for step in model.steps), reply
        assert reply.index(model.steps[0]) < reply.index(model.steps[-1])


def test_they_compares_the_two_models_just_explained(servers: TutorServers,
                                                    catalogue: Catalogue) -> None:
    first, second = [m for m in catalogue.models if m.acronym][:2]
    learner = Learner(servers)
    learner.say(f"what does {first.name} stand for?")
    learner.say(f"and {second.name}?")
    reply = learner.say("whats the difference between them")
    for model in (first, second):
        assert all(step in reply for step in model.steps), reply


def test_a_comparison_with_something_the_documents_lack(servers: TutorServers,
                                                        catalogue: Catalogue) -> None:
    model = catalogue.models[0]
    reply = Learner(servers).say(f"compare {model.name} and ZYXWV")
    assert "ZYXWV" in reply and "don't" in reply and model.steps[0] in reply, reply


def test_exam_tips_for_one_topic_only(servers: TutorServers, catalogue: Catalogue) -> None:
    doc = catalogue.documents[2]
    reply = Learner(servers).say(f"exam tips for topic {int(doc.doc_id)}")
    own = [t for t in catalogue.tips if t.source.doc == doc.name]
    others = [t for t in catalogue.tips if t.source.doc != doc.name]
    assert any(t.text in reply for t in own), reply
    assert not any(t.text in reply for t in others), reply


def test_marking_points_for_one_topic_only(servers: TutorServers, catalogue: Catalogue) -> None:
    doc = catalogue.documents[0]
    reply = Learner(servers).say(f"marking points for topic {doc.doc_id}")
    assert any(p.text in reply for p in catalogue.marking_points if p.source.doc == doc.name)
    assert not any(p.text in reply for p in catalogue.marking_points if p.source.doc != doc.name)


def test_what_to_avoid_is_answered_from_the_mistakes_as_advice(servers: TutorServers,
                                                               catalogue: Catalogue) -> None:
    doc = catalogue.documents[0]
    mistakes = [i.text for i in doc.section(SectionKind.MISCONCEPTIONS)]
    reply = Learner(servers).say(f"what mistakes should I avoid in {doc.title.lower()}?")
    assert any(advice(text)[:40] in reply for text in mistakes), reply
    assert not corrected(reply)


@pytest.mark.parametrize("message", [
    "in a role play, how do I calm down an angry customer?",
    "can you give me tips on handling complaints?",
    "I always check who I'm talking to before I open their account",
    "everyone in the team helps to sort out complaints",
])
def test_questions_requests_and_correct_views_are_not_corrected(servers: TutorServers,
                                                                message: str) -> None:
    reply = Learner(servers).say(message)
    assert reply.strip() and not corrected(reply), reply


def test_which_law_is_that_after_a_correction(servers: TutorServers, catalogue: Catalogue) -> None:
    """The law of the mistake just corrected: the documents' data-protection law for sharing data."""
    learner = Learner(servers)
    stated = learner.say("we can share customer data with anyone we like")
    assert corrected(stated), stated
    law = learner.say("which law is that?")
    first_line = law.split("\n")[0]
    data_laws = [x.name for x in catalogue.laws if "Data Protection" in x.name or "GDPR" in x.name]
    assert any(name in first_line for name in data_laws), law
    assert "Equality" not in first_line and "Consumer" not in first_line, law


def test_a_correct_practice_nothing_answers_gets_advice(servers: TutorServers,
                                                        catalogue: Catalogue) -> None:
    """Not corrected, not "I couldn't find anything": the course's advice on that mistake."""
    learner = Learner(servers)
    reply = learner.say("I always check who I'm talking to before I look at their account")
    verification = next(m for m in catalogue.misconceptions if "verification" in m.text)
    assert not corrected(reply) and "couldn't find" not in reply, reply
    assert advice(verification.text) in reply, reply


def test_which_came_first_after_comparing_two_laws(servers: TutorServers,
                                                   catalogue: Catalogue) -> None:
    dated = sorted((law for law in catalogue.laws if law.year), key=lambda law: law.year)
    old, new = dated[0], dated[-1]
    learner = Learner(servers)
    learner.say(f"what's the difference between the {new.name} and the {old.name}?")
    first = learner.say("which one came first?")
    assert first.startswith(f"The **{old.name}** came first"), first


def test_which_of_two_and_that_topic_and_a_statement_after_a_law(servers: TutorServers,
                                                                 catalogue: Catalogue) -> None:
    a, b = [m for m in catalogue.models if m.acronym][:2]
    learner = Learner(servers)
    learner.say(f"how is {a.name} different from {b.name}?")
    which = learner.say("so which one should I use?")
    assert "doesn't rank" in which and a.context in which and b.context in which, which

    doc = catalogue.documents[2]
    learner.say(f"exam tips for topic {int(doc.number or 0)}")
    marking = learner.say("what do examiners look for in that topic?")
    points = [m.text for m in catalogue.marking_points if m.source.doc == doc.name]
    assert doc.topic in marking and any(p in marking for p in points), marking

    law = next(law for law in catalogue.laws if law.year)
    learner.say(f"what is the {law.name}?")
    statement = learner.say("i reckon its fine to deal with problems only when they come up")
    assert str(law.year) not in statement, statement


@pytest.mark.parametrize("question", ["is that ok?", "isn't that fine?"])
def test_is_that_ok_after_a_correction(servers: TutorServers, catalogue: Catalogue,
                                       question: str) -> None:
    learner = Learner(servers)
    stated = learner.say("complaints are my manager's job, not mine")
    assert corrected(stated), stated
    quoted = next(m for m in catalogue.misconceptions if m.text in stated)
    why = learner.say(question)
    assert quoted.text in why and advice(quoted.text) in why, why


def test_an_act_asked_by_its_initials(servers: TutorServers, catalogue: Catalogue) -> None:
    from actions.answers.resolve import law_initials

    law, initials = next((x, i) for x in catalogue.laws if (i := law_initials(x)))
    learner = Learner(servers)
    reply = learner.say(f"what does {initials} stand for?")
    assert f"**{law.name}**" in reply and law.mentions[0].text in reply, reply
