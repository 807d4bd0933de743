"""Topics learners can name: readable titles drawn from each document's own text, shown beside the
number in lists and citations; a topic named by number, title or key concept filters the answer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from actions.answers.resolve import find_topics, topic_numbers
from actions.answers.tutor import Tutor
from actions.knowledge.catalogue import build_catalogue
from actions.knowledge.model import Catalogue, Document, SectionKind
from actions.knowledge.titles import MAX_WORDS, stems
from actions.knowledge.validate import load_corpus

from .engine import shared_tutor
from .helpers import KNOWLEDGE, NEW_DOC, copy_seeds

NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return build_catalogue(load_corpus([KNOWLEDGE]).documents)


@pytest.fixture(scope="module")
def tutor() -> Tutor:
    return shared_tutor()


def _number(doc: Document) -> int:
    assert doc.number is not None
    return int(doc.number)


def _bullets(text: str) -> list[str]:
    return [line[2:] for line in text.splitlines() if line.startswith("- ")]


def test_every_document_gets_a_readable_title_from_its_own_text(catalogue: Catalogue) -> None:
    titles = [doc.title for doc in catalogue.documents]
    assert len(set(titles)) == len(titles)
    for doc in catalogue.documents:
        assert doc.title != f"Topic {doc.doc_id}" and len(doc.title.split()) <= MAX_WORDS
        text = set(stems(" ".join(item.text for item in doc.items)))
        assert set(stems(doc.title)) <= text, doc.title
        assert doc.topic == f"Topic {doc.number}: {doc.title}"


def test_citations_name_the_topic_not_the_file(catalogue: Catalogue) -> None:
    for doc in catalogue.documents:
        cite = catalogue.cite(doc.name, SectionKind.TIPS)
        assert cite == f"{doc.topic} — {SectionKind.TIPS.label}" and doc.name not in cite


def test_a_markdown_title_is_kept(tmp_path: Path) -> None:
    doc = "# Handling Refunds\n\n" + NEW_DOC.split("\n", 1)[1].replace("Topic Synopsis", "## Topic Synopsis")
    (tmp_path / "refunds.md").write_text(doc, encoding="utf-8")
    corpus = load_corpus([tmp_path])
    if corpus.ok:
        assert build_catalogue(corpus.documents).documents[0].title == "Handling Refunds"


@pytest.mark.parametrize("phrasing", ["topic {n}", "topic {word}", "topic 00{n}", "unit {n}",
                                      "topic number {n}"])
def test_topics_by_number(catalogue: Catalogue, phrasing: str) -> None:
    for doc in catalogue.documents:
        n = _number(doc)
        message = f"quiz me on {phrasing.format(n=n, word=NUMBER_WORDS[n])}"
        assert topic_numbers(message) == [n]
        assert find_topics(message, catalogue) == [doc]


@pytest.mark.parametrize("phrasing", ["quiz me on {title}", "exam tips for {title}",
                                      "what does the topic on {title} cover?"])
def test_topics_by_title(catalogue: Catalogue, phrasing: str) -> None:
    for doc in catalogue.documents:
        assert find_topics(phrasing.format(title=doc.title.lower()), catalogue)[0] == doc


@pytest.mark.parametrize("phrasing", ["quiz me on the {term} topic", "marking points for the {term} topic",
                                      "what does the topic on {term} cover?", "tips for the {term} unit"])
def test_topics_by_a_key_concept(catalogue: Catalogue, phrasing: str) -> None:
    for doc in catalogue.documents:
        for item in doc.section(SectionKind.CONCEPTS):
            for term in re.sub(r"\s*\((.*?)\)", r"|\1", item.term or "").split("|"):
                found = find_topics(phrasing.format(term=term.lower()), catalogue)
                assert doc in found, (phrasing, term)


def test_a_word_of_a_shared_concept_names_every_topic_with_it(catalogue: Catalogue) -> None:
    holders = {d.name for d in catalogue.documents
               if any("complaint" in (i.term or "").lower() for i in d.section(SectionKind.CONCEPTS))}
    found = {d.name for d in find_topics("quiz me on the complaints topic", catalogue)}
    assert holders and holders <= found


@pytest.mark.parametrize("message", ["exam tips for role plays", "what topics are there?",
                                     "what is teamwork in this unit", "explain the HEAT model"])
def test_messages_that_name_no_topic(catalogue: Catalogue, message: str) -> None:
    assert find_topics(message, catalogue) == []


@pytest.mark.parametrize(("phrasing", "kind"), [
    ("exam tips for topic {n}", "tips"), ("give me exam tips for topic {word}", "tips"),
    ("what tips are there for topic {n}?", "tips"), ("marking points for topic {n}", "marking"),
    ("what do examiners want in topic {n}?", "marking"),
    ("what do examiners look for in topic {word}?", "marking"),
])
def test_guidance_for_a_topic_is_all_of_that_topic(tutor: Tutor, phrasing: str, kind: str) -> None:
    cat = tutor.kb.catalogue
    for doc in cat.documents:
        n = _number(doc)
        reply = tutor.respond(phrasing.format(n=n, word=NUMBER_WORDS[n]))
        every = cat.tips if kind == "tips" else cat.marking_points
        assert reply.kind == kind
        assert _bullets(reply.text) == [g.text for g in every if g.source.doc == doc.name]
        assert doc.topic in reply.text
        assert all(source.startswith(doc.topic) for source in reply.sources)


def test_guidance_for_a_topic_named_by_a_key_concept(tutor: Tutor) -> None:
    cat = tutor.kb.catalogue
    for doc in cat.documents:
        term = doc.section(SectionKind.CONCEPTS)[0].term
        reply = tutor.respond(f"exam tips for the {term.lower()} topic")
        mine = {g.text for g in cat.tips if g.source.doc == doc.name}
        assert set(_bullets(reply.text)) & mine, term


def test_a_topic_that_does_not_exist(tutor: Tutor) -> None:
    missing = max(_number(d) for d in tutor.kb.catalogue.documents) + 3
    for message in (f"exam tips for topic {missing}", f"tell me about topic {missing}"):
        reply = tutor.respond(message)
        assert f"no topic {missing}" in reply.text


def test_the_topic_list_shows_numbers_and_titles_not_files(tutor: Tutor) -> None:
    reply = tutor.respond("what topics are there?")
    assert reply.kind == "topics"
    for doc in tutor.kb.catalogue.documents:
        assert doc.topic in reply.text and doc.name not in reply.text


def test_an_overview_of_a_topic(tutor: Tutor) -> None:
    cat = tutor.kb.catalogue
    for doc in cat.documents:
        reply = tutor.respond(f"tell me about topic {_number(doc)}")
        assert reply.kind == "topic" and doc.synopsis in reply.text
        assert all(i.text in reply.text for i in doc.section(SectionKind.CONCEPTS))
        assert all(m.name in reply.text for m in cat.models if m.source.doc == doc.name)


def test_a_new_document_gets_a_title_and_can_be_named(tmp_path: Path) -> None:
    folder = copy_seeds(tmp_path / "k")
    (folder / "005_escalation.txt").write_text(NEW_DOC, encoding="utf-8")
    cat = build_catalogue(load_corpus([folder]).documents)
    doc = cat.document("005")
    assert doc is not None and doc.title != "Topic 005"
    assert set(stems(doc.title)) <= set(stems(NEW_DOC))
    assert find_topics("quiz me on topic 5", cat) == [doc]
    assert doc in find_topics("exam tips for the escalation topic", cat)


@pytest.mark.parametrize(("form", "intent"), [
    ("what mistakes should I avoid in topic {n}?", "ask_question"),
    ("what do people get wrong in topic {n}?", "ask_exam_tips"),
    ("what should I avoid in {title}?", "ask_exam_tips"),
])
def test_mistakes_asked_of_a_topic_are_that_topics_mistakes_as_advice(
    tutor: Tutor, catalogue: Catalogue, form: str, intent: str
) -> None:
    from actions.answers.advice import advice
    from actions.answers.resolve import find_laws, find_models

    for doc in catalogue.documents:
        if "{title}" in form and (find_laws(doc.title, catalogue) or find_models(doc.title, catalogue)):
            continue  # "data protection" in a title names the law first
        reply = tutor.respond(form.format(n=_number(doc), title=doc.title.lower()), intent=intent)
        own = [advice(i.text) for i in doc.section(SectionKind.MISCONCEPTIONS)]
        others = [advice(i.text) for d in catalogue.documents if d is not doc
                  for i in d.section(SectionKind.MISCONCEPTIONS)]
        assert reply.kind == "advice" and all(a in reply.text for a in own), reply.text
        assert not any(a in reply.text for a in others if a not in own)
