"""Follow-ups resolved against the conversation's context, on the real engine: every expected
fact is read from the catalogue, and the context travels through Rasa's slots between turns."""

from __future__ import annotations

import itertools

import pytest

from actions.answers import followup
from actions.answers.advice import advice
from actions.answers.context import SLOTS, Context, misconception_key
from actions.answers.followup import LAST, Form
from actions.answers.tutor import Tutor
from actions.knowledge.model import Catalogue, SectionKind

from .engine import converse, shared_tutor

NOT_FOUND = "couldn't find anything"
ORDINALS = ["first", "second", "third", "fourth", "fifth"]


@pytest.fixture(scope="module")
def tutor() -> Tutor:
    return shared_tutor()


def _cat(tutor: Tutor) -> Catalogue:
    return tutor.kb.catalogue


@pytest.mark.parametrize(("message", "form", "position"), [
    ("what's step 3?", Form.STEP, 3), ("and step five?", Form.STEP, 5),
    ("the first step?", Form.STEP, 1), ("what is the last step?", Form.STEP, LAST),
    ("tell me about the third one", Form.ORDINAL, 3), ("the last one please", Form.ORDINAL, LAST),
    ("why not?", Form.WHY, None), ("why is that a mistake?", Form.WHY, None),
    ("when was it passed?", Form.WHEN, None), ("which topic covers it?", Form.WHERE, None),
    ("where is it in my notes?", Form.WHERE, None), ("and SMART?", Form.MORE, None),
    ("what about the Data Protection Act?", Form.MORE, None), ("tell me more", Form.DETAIL, None),
    ("ok so what should i do instead", Form.INSTEAD, None),
    ("so what's the right way?", Form.INSTEAD, None),
    ("what's the right thing to do then?", Form.INSTEAD, None),
    ("give me an example", Form.EXAMPLE, None), ("any examples?", Form.EXAMPLE, None),
])
def test_the_form_of_a_follow_up_is_read_from_its_words(message: str, form: Form,
                                                        position: int | None) -> None:
    read = followup.read(message)
    assert read is not None and read.form is form and read.position == position


@pytest.mark.parametrize("message", ["what does HEAT stand for?", "how should I handle a complaint?",
                                     "quiz me", "the customer is always right",
                                     "what is the T in SMART?",
                                     "what's the best way to handle an angry customer?",
                                     "give me an example of a misconception"])
def test_questions_are_not_follow_ups(message: str) -> None:
    assert followup.read(message) is None


@pytest.mark.parametrize("message", [
    "i reckon being reactive is fine, we sort problems when they come up",
    "we use email instead of the phone for every customer because they prefer it",
    "I note it down where the whole team can see it later"])
def test_statements_holding_when_where_or_instead_are_not_follow_ups(message: str) -> None:
    assert followup.read(message) is None


def test_a_statement_after_a_law_is_not_taken_for_its_year(tutor: Tutor) -> None:
    law = next(law for law in _cat(tutor).laws if law.year)
    _, reply = converse(tutor, f"what is the {law.name}?",
                        "i reckon being reactive is fine, we sort problems when they come up")
    assert str(law.year) not in reply.text and "don't give a year" not in reply.text


@pytest.mark.parametrize("phrasing", ["what's step {n}?", "and step {n}?", "the {ord} step?",
                                      "what is the {ord} step?"])
def test_a_step_of_the_model_just_explained(tutor: Tutor, phrasing: str) -> None:
    for model in _cat(tutor).models:
        for n, step in enumerate(model.steps, 1):
            first, reply = converse(tutor, f"explain the {model.name} model",
                                    phrasing.format(n=n, ord=ORDINALS[n - 1]))
            assert first.kind == "model"
            assert f"Step {n} of **{model.name}** is **{step}**" in reply.text, (model.name, n)


@pytest.mark.parametrize("phrasing", ["whats the {letter}", "what does the {letter} stand for?",
                                      "and the {letter}?"])
def test_a_letter_of_the_model_just_explained(tutor: Tutor, phrasing: str) -> None:
    models = [m for m in _cat(tutor).models if m.acronym]
    assert models
    for model in models:
        for n, step in enumerate(model.steps, 1):
            letter = step[0]
            if "".join(s[0] for s in model.steps).upper().find(letter.upper()) != n - 1:
                continue  # a letter twice in the name: its first step is meant
            _, reply = converse(tutor, f"what does {model.name} stand for?",
                                phrasing.format(letter=letter.lower()))
            assert f"The {letter.upper()} in **{model.name}** is **{step}** (step {n})" in reply.text


def test_a_letter_no_step_starts_with_is_said_to_be_missing(tutor: Tutor) -> None:
    model = next(m for m in _cat(tutor).models if m.acronym and "Q" not in m.name)
    _, reply = converse(tutor, f"explain {model.name}", "what's the Q?")
    assert f"No step of {model.name} starts with Q" in reply.text


def test_the_last_step_is_not_read_as_a_model_named_last(tutor: Tutor) -> None:
    for model in _cat(tutor).models:
        _, reply = converse(tutor, f"tell me about {model.name}", "what is the last step?")
        assert f"is **{model.steps[-1]}**" in reply.text and f"of **{model.name}**" in reply.text


def test_a_step_past_the_end_is_said_to_be_missing(tutor: Tutor) -> None:
    model = _cat(tutor).models[0]
    _, reply = converse(tutor, f"explain {model.name}", f"what's step {len(model.steps) + 1}?")
    assert f"has {len(model.steps)} steps" in reply.text


@pytest.mark.parametrize("phrasing", ["and {name}?", "what about {name}?", "how about {name}?"])
def test_another_model_after_a_model(tutor: Tutor, phrasing: str) -> None:
    models = [m for m in _cat(tutor).models if m.acronym]
    for before, after in itertools.pairwise(models):
        _, reply = converse(tutor, f"what does {before.name} stand for?",
                            phrasing.format(name=after.name))
        assert all(step in reply.text for step in after.steps), (before.name, after.name)


@pytest.mark.parametrize("phrasing", ["what about the {stem}?", "and the {stem}?"])
def test_another_law_after_a_law(tutor: Tutor, phrasing: str) -> None:
    laws = [law for law in _cat(tutor).laws if law.year]
    for before, after in itertools.pairwise(laws):
        stem = after.name.removesuffix(f" {after.year}")
        _, reply = converse(tutor, f"tell me about the {before.name}", phrasing.format(stem=stem))
        assert f"**{after.name}**" in reply.text


@pytest.mark.parametrize(("question", "law"), [
    ("which act stops me treating someone unfairly because of their race", "Equality Act 2010"),
    ("which law stops sexism towards customers", "Equality Act 2010"),
    ("which law is about keeping customer records safe", "Data Protection Act 2018"),
    ("what law says goods must be of satisfactory quality", "Consumer Rights Act 2015"),
    ("what law lets a customer return something that doesn't work", "Consumer Rights Act 2015"),
])
def test_the_year_of_the_law_found_for_a_situation(tutor: Tutor, question: str, law: str) -> None:
    """The law is picked by what sets its context apart ("protects customers" does not decide),
    and "when was it passed?" follows the law just answered."""
    found, year = converse(tutor, question, "when was it passed?")
    assert found.text.splitlines()[0] == f"That's covered by the {law}."
    assert law in year.text and law[-4:] in year.text


@pytest.mark.parametrize("question", ["when was it passed?", "what year is it from?",
                                      "when did it come in?"])
def test_the_year_of_the_law_just_explained(tutor: Tutor, question: str) -> None:
    for law in _cat(tutor).laws:
        _, reply = converse(tutor, f"what is the {law.name}?", question)
        if law.year:
            assert str(law.year) in reply.text and law.name in reply.text
        else:
            assert "don't give a year" in reply.text


@pytest.mark.parametrize("question", ["where is it in my notes?", "which topic covers it?",
                                      "which topic is that in?"])
def test_where_the_subject_is_in_the_notes(tutor: Tutor, question: str) -> None:
    cat = _cat(tutor)
    for model in cat.models:
        _, reply = converse(tutor, f"explain the {model.name} model", question)
        assert cat.topic_of(model.source.doc) in reply.text
    for law in cat.laws:
        _, reply = converse(tutor, f"what is the {law.name}?", question)
        assert all(cat.topic_of(doc) in reply.text for doc in law.docs), law.name
    for abbr in cat.abbreviations:
        _, reply = converse(tutor, f"what is {abbr.short}?", question)
        assert cat.topic_of(abbr.source.doc) in reply.text
    assert all(doc.name not in reply.text for doc in cat.documents)  # no file names


@pytest.mark.parametrize("question", ["why not?", "why is that a mistake?", "why?",
                                      "why is that wrong?", "is that ok?", "isn't that fine?",
                                      "is it really so bad?", "what's the problem with that?"])
def test_why_a_misconception_is_a_mistake(tutor: Tutor, question: str) -> None:
    for m in _cat(tutor).misconceptions:
        context = Context(misconception=misconception_key(m), focus="misconception")
        (reply,) = converse(tutor, question, context=context)
        assert m.text in reply.text and advice(m.text) in reply.text


@pytest.mark.parametrize("question", ["ok so what should i do instead", "so what's the right way?",
                                      "what should I do instead?"])
def test_what_to_do_instead_of_a_mistake(tutor: Tutor, question: str) -> None:
    for m in _cat(tutor).misconceptions:
        context = Context(misconception=misconception_key(m), focus="misconception")
        (reply,) = converse(tutor, question, context=context)
        assert advice(m.text) in reply.text and m.text in reply.text, (question, reply.text)


def test_an_example_of_the_model_or_law_in_focus_is_never_invented(tutor: Tutor) -> None:
    cat = _cat(tutor)
    for model in cat.models:
        _, reply = converse(tutor, f"explain {model.name}", "give me an example")
        assert model.steps[0] in reply.text and model.context in reply.text, reply.text
        assert "example" in reply.text.split("\n")[0]
    law = cat.laws[0]
    _, reply = converse(tutor, f"what is the {law.name}?", "any examples?")
    assert law.mentions[0].text in reply.text and NOT_FOUND not in reply.text


def test_an_example_of_the_mistake_in_focus_is_the_course_s_own(tutor: Tutor) -> None:
    with_example = [m for m in _cat(tutor).misconceptions if "for example" in m.text.lower()
                    or "such as" in m.text.lower()]
    assert with_example
    for m in with_example:
        context = Context(misconception=misconception_key(m), focus="misconception")
        (reply,) = converse(tutor, "give me an example", context=context)
        assert m.text in reply.text and advice(m.text) in reply.text


def test_why_after_an_answer_about_mistakes(tutor: Tutor) -> None:
    first, reply = converse(tutor, "what body language should I steer clear of?", "why?")
    assert first.kind == "advice"
    assert "mistake" in reply.text and first.context is not None
    m = next(m for m in _cat(tutor).misconceptions
             if misconception_key(m) == first.context.misconception)
    assert m.text in reply.text


@pytest.mark.parametrize("phrasing", ["tell me about the {ord} one", "the {ord} one please",
                                      "the {ord} topic", "and the {ord} one?"])
def test_a_topic_from_the_list_by_its_position(tutor: Tutor, phrasing: str) -> None:
    docs = _cat(tutor).documents
    for n, doc in enumerate(docs):
        listed, reply = converse(tutor, "what topics are there?", phrasing.format(ord=ORDINALS[n]))
        assert listed.kind == "topics"
        assert reply.kind == "topic" and reply.text.startswith(f"**{doc.topic}**")
        assert doc.section(SectionKind.CONCEPTS)[0].text in reply.text
    _, last = converse(tutor, "list the topics", "the last one")
    assert last.text.startswith(f"**{docs[-1].topic}**")


@pytest.mark.parametrize("phrasing", ["and {short}?", "what about {short}?"])
def test_another_abbreviation_after_an_abbreviation(tutor: Tutor, phrasing: str) -> None:
    abbreviations = _cat(tutor).abbreviations
    for before, after in itertools.pairwise(abbreviations):
        _, reply = converse(tutor, f"what does {before.short} mean?", phrasing.format(short=after.short))
        assert after.long in reply.text


def test_tell_me_more_about_a_model_law_or_topic(tutor: Tutor) -> None:
    cat = _cat(tutor)
    for model in cat.models:
        _, more = converse(tutor, f"what does {model.name} stand for?", "tell me more")
        assert more.kind == "more" and model.name in more.text
        assert cat.topic_of(model.source.doc) in more.text
    for law in cat.laws:
        _, more = converse(tutor, f"what is the {law.name}?", "go on")
        assert more.kind == "more" and law.name in more.text
    for doc in cat.documents:
        _, more = converse(tutor, f"tell me about topic {int(doc.number or 0)}", "tell me more")
        tips = [t.text for t in cat.tips if t.source.doc == doc.name]
        assert all(tip in more.text for tip in tips)


def test_guidance_for_the_same_topic_and_then_another(tutor: Tutor) -> None:
    cat = _cat(tutor)
    first, second = cat.documents[0], cat.documents[2]
    tips, marks, other = converse(tutor, f"exam tips for topic {int(first.number or 0)}",
                                  "and the marking points?", f"and topic {int(second.number or 0)}?")
    assert tips.kind == "tips" and marks.kind == "marking" and other.kind == "marking"
    assert _bullets(marks.text) == [g.text for g in cat.marking_points if g.source.doc == first.name]
    assert _bullets(other.text) == [g.text for g in cat.marking_points if g.source.doc == second.name]


def test_guidance_for_that_one_after_a_topic(tutor: Tutor) -> None:
    cat = _cat(tutor)
    doc = cat.documents[2]
    *_, reply = converse(tutor, "what topics are there?", "tell me about the third one",
                         "what do examiners want for that one")
    assert reply.kind == "marking", reply.text
    assert _bullets(reply.text) == [g.text for g in cat.marking_points if g.source.doc == doc.name]


def test_a_follow_up_with_nothing_to_follow_is_answered_as_a_question(tutor: Tutor) -> None:
    for message in ("what's step 2?", "why not?", "when was it passed?", "tell me more"):
        reply = tutor.respond(message, Context())
        assert reply.kind != "model" and "Traceback" not in reply.text


def test_the_context_survives_rasa_slots() -> None:
    context = Context(model="HEAT", law="Equality Act 2010", abbreviation="FCR", topic="002",
                      misconception="x.txt:3", topics=("000", "001"), focus="model",
                      previous="LAST")
    assert set(context.to_slots()) == set(SLOTS.values())  # every field has its slot
    assert Context.from_slots(context.to_slots()) == context
    assert Context.from_slots({}) == Context()
    assert Context.from_slots({"listed_topics": "not a list", "focus": 3}) == Context()


def _bullets(text: str) -> list[str]:
    return [line[2:] for line in text.splitlines() if line.startswith("- ")]


def test_which_law_is_that_after_a_correction_follows_the_mistake(tutor: Tutor) -> None:
    """The law of the misconception just corrected, read from the documents (the bullet about
    sharing data names consent and legal restrictions: the documents' data protection law)."""
    cat = _cat(tutor)
    sharing = next(m for m in cat.misconceptions if "shared" in m.text)
    correction, law = converse(tutor, "we can share customer data with anyone we like",
                               "which law is that?")
    assert correction.kind == "correction" and sharing.text in correction.text
    first = tutor.explainer.closest_laws(sharing.text)[0]
    assert law.kind == "law" and first.name in law.text.split("\n")[0], law.text
    assert "Data Protection" in first.name or "GDPR" in first.name  # what that bullet is about
    alone = converse(tutor, "which law is that?")[0]
    assert first.name not in alone.text.split("\n")[0] or alone.kind != "law"


def test_which_came_first_of_the_two_laws_just_compared(tutor: Tutor) -> None:
    """By the years in the laws' names, read from the catalogue."""
    dated = sorted((law for law in _cat(tutor).laws if law.year), key=lambda law: law.year)
    old, new = dated[0], dated[-1]
    _, first = converse(tutor, f"compare the {new.name} and the {old.name}", "which one came first?")
    assert first.kind == "law" and first.text.index(old.name) < first.text.index(new.name), first.text
    assert str(old.year) in first.text and str(new.year) in first.text
    named = tutor.respond(f"which is older, the {new.name} or the {old.name}?")
    assert named.text.startswith(f"The **{old.name}** came first"), named.text


def test_which_came_first_of_two_models_is_not_guessed(tutor: Tutor) -> None:
    a, b = _cat(tutor).models[:2]
    _, first = converse(tutor, f"compare {a.name} and {b.name}", "which one came first?")
    assert "don't say when" in first.text and a.name in first.text and b.name in first.text


def test_when_was_a_named_law_passed(tutor: Tutor) -> None:
    law = next(law for law in _cat(tutor).laws if law.year)
    reply = tutor.respond(f"when was the {law.name.rsplit(' ', 1)[0]} passed?")
    assert reply.kind == "law" and f"**{law.year}**" in reply.text, reply.text


def test_that_topic_is_the_topic_in_focus(tutor: Tutor) -> None:
    cat = _cat(tutor)
    for doc in cat.documents:
        marking = [m.text for m in cat.marking_points if m.source.doc == doc.name]
        others = [m.text for m in cat.marking_points if m.source.doc != doc.name]
        *_, reply = converse(tutor, "what topics are there?", f"the {ORDINALS[int(doc.number or 0)]} one",
                             "what are the exam tips for it?",
                             "what do examiners look for in that topic?")
        assert doc.topic in reply.text and any(m in reply.text for m in marking), reply.text
        assert not any(m in reply.text for m in others), reply.text
    model = cat.models[0]
    _, tips = converse(tutor, f"what is {model.name}?", "exam tips for that topic")
    assert cat.topic_of(model.source.doc) in tips.text
    assert all(t.source.doc == model.source.doc for t in cat.tips if t.text in tips.text)


@pytest.mark.parametrize("question", ["ok so which one should I use for a phone complaint",
                                      "which is better?", "which one would you pick?"])
def test_which_of_two_models_just_compared(tutor: Tutor, question: str) -> None:
    cat = _cat(tutor)
    a, b = cat.models[0], cat.models[1]
    _, reply = converse(tutor, f"compare {a.name} and {b.name}", question)
    assert "doesn't rank" in reply.text
    for model in (a, b):
        assert model.context in reply.text and cat.topic_of(model.source.doc) in reply.text
    _, alone = converse(tutor, f"what is {a.name}?", question)
    assert "doesn't rank" not in alone.text


def test_a_law_asked_by_its_initials_is_that_law(tutor: Tutor) -> None:
    """"what does CRA stand for?": the act whose initials they are (the documents spell it out)."""
    from actions.answers.resolve import law_initials

    cat = _cat(tutor)
    named = [(law, law_initials(law)) for law in cat.laws if law_initials(law)]
    assert named  # the seeds have acts of three words or more
    for law, initials in named:
        for question in (f"what does {initials} stand for?", f"what does the {initials.lower()} cover?"):
            (reply,) = converse(tutor, question)
            assert reply.kind == "law" and f"**{law.name}**" in reply.text, (question, reply.text)
        other = next(x for x in cat.laws if x is not law)
        (reply,) = converse(tutor, f"compare the {initials} and the {other.name}")
        assert reply.kind == "comparison" and reply.text.startswith(
            f"**{law.name}** and **{other.name}**"), reply.text  # in the order the learner said them
