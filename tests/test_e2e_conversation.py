"""End-to-end: a learner talks to the real Rasa server and action server over the REST webhook.

Expected content is read from the documents' catalogue (``actions.knowledge``), never hard-coded.
Some assertions depend on the tutor's answer logic (model steps, misconceptions), so they check
what a learner must see, not how the reply is worded.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from actions.dialogue.base import FALLBACK_TEXT
from actions.knowledge.catalogue import build_catalogue
from actions.knowledge.model import SECTION_LABELS, Catalogue
from actions.knowledge.validate import load_corpus

from .servers import ROOT, TutorServers

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

RESPONSES = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text())["responses"]

# A topic document added while the bot runs: its model and act appear in no other document.
LATE_DOC = """\
Escalation and handover. This topic covers passing a customer to the right colleague.
Topic Synopsis
This topic covers how to hand a customer issue over to a specialist team without losing information.
Key Concepts & Core Principles
- Warm handover: Introducing the customer to the specialist with the 'BRIDGE' model \
(Brief, Reassure, Introduce, Document, Guide, End).
- Record keeping: Keeping handover notes in line with the Telecommunications Privacy Regulations 2031.
Exam Tips & Revision Strategies
- Name each step of the BRIDGE model in order when you describe a handover.
Common Misconceptions & Mistakes to Avoid
- Believing that a cold transfer is just as good as a warm handover.
Examiner Marking Points
- Award credit for explaining why a warm handover improves the customer experience.
"""


@pytest.fixture(scope="module")
def catalogue(servers: TutorServers) -> Catalogue:
    """What the documents the servers read define (before any test adds one)."""
    corpus = load_corpus([servers.knowledge_dir])
    assert not corpus.problems
    return build_catalogue(corpus.documents)


def new_sender() -> str:
    return f"learner-{uuid.uuid4().hex[:8]}"


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def corrected(text: str) -> bool:
    """True when the reply corrects a misconception (a section *name* in a citation does not count)."""
    for label in SECTION_LABELS.values():
        text = text.replace(label, "")
    return "misconception" in text.lower()


def response_text(name: str) -> str:
    return RESPONSES[name][0]["text"]


def test_greet_offers_buttons(servers: TutorServers) -> None:
    replies = servers.say(new_sender(), "hello")
    assert texts(replies) == response_text("utter_greet")
    payloads = [b["payload"] for r in replies for b in r.get("buttons", [])]
    assert "/list_topics" in payloads


@pytest.mark.parametrize(("message", "response"), [
    ("thanks a lot", "utter_thanks"),
    ("goodbye", "utter_goodbye"),
])
def test_chitchat(servers: TutorServers, message: str, response: str) -> None:
    assert texts(servers.say(new_sender(), message)) == response_text(response)


@pytest.mark.parametrize("message", [
    "I don't really need to watch my posture or eye contact with customers",  # heard as goodbye
    "no, honestly the customer is always right whatever they say",
])
def test_a_statement_heard_as_small_talk_is_read_by_the_tutor(servers: TutorServers,
                                                             message: str) -> None:
    text = texts(servers.say(new_sender(), message))
    assert "misconception" in text.lower()
    assert text not in {response_text(r) for r in ("utter_goodbye", "utter_thanks", "utter_deny",
                                                    "utter_affirm")}


def test_capabilities(servers: TutorServers) -> None:
    text = texts(servers.say(new_sender(), "what can you do?"))
    assert text.strip()
    assert FALLBACK_TEXT not in text


def test_list_topics_names_every_document(servers: TutorServers, catalogue: Catalogue) -> None:
    text = texts(servers.say(new_sender(), "what topics are there?"))
    for doc in catalogue.documents:
        assert doc.topic in text


def test_a_button_payload_works(servers: TutorServers, catalogue: Catalogue) -> None:
    text = texts(servers.say(new_sender(), "/list_topics"))
    assert all(doc.topic in text for doc in catalogue.documents)


def test_model_question_gives_its_steps(servers: TutorServers, catalogue: Catalogue) -> None:
    acronyms = [m for m in catalogue.models if m.acronym]
    model = next((m for m in acronyms if m.name == "HEAT"), acronyms[0])
    text = texts(servers.say(new_sender(), f"What does {model.name} stand for?")).lower()
    assert all(step.lower() in text for step in model.steps), text


def test_law_question_names_the_act(servers: TutorServers, catalogue: Catalogue) -> None:
    law = next(law for law in catalogue.laws if law.name.startswith("Equality Act"))
    text = texts(servers.say(new_sender(), "What is the Equality Act?"))
    assert law.name in text


def test_exam_tips_come_from_the_documents(servers: TutorServers, catalogue: Catalogue) -> None:
    text = texts(servers.say(new_sender(), "any exam tips?"))
    assert any(tip.text[:40] in text for tip in catalogue.tips), text


def test_a_general_answer_names_its_source(servers: TutorServers, catalogue: Catalogue) -> None:
    text = texts(servers.say(new_sender(), "Why is customer feedback important?"))
    assert any(doc.name in text or doc.topic in text for doc in catalogue.documents), text
    assert any(label in text for label in SECTION_LABELS.values()), text


def test_a_misconception_is_corrected(servers: TutorServers) -> None:
    text = texts(servers.say(new_sender(), "I think the customer is always right"))
    assert corrected(text), text


def test_a_correct_statement_is_not_corrected(servers: TutorServers) -> None:
    text = texts(servers.say(new_sender(),
                             "I think we should log every customer interaction accurately"))
    assert text.strip()
    assert not corrected(text), text


@pytest.mark.parametrize("body", [b"", b"null", b"[]", b"{not json", b'{"sender": "x"}',
                                  b'{"message": "hi"}', b'{"sender": "x", "message": 42}',
                                  b'{"sender": 7, "message": "hi"}'])
def test_malformed_requests_get_400_saying_what_is_expected(servers: TutorServers,
                                                            body: bytes) -> None:
    resp = httpx.post(servers.webhook, content=body,
                      headers={"Content-Type": "application/json"}, timeout=30)
    assert resp.status_code == 400
    assert set(resp.json()["expected"]) == {"sender", "message"}
    assert resp.json()["error"]


@pytest.mark.parametrize("message", ["", "   \n\t ", "\x00\x07\x1b", "x" * 2500,
                                     "<script>alert('hi')</script>", "<img src=x onerror=alert(1)>"])
def test_awkward_messages_get_a_helpful_reply_and_the_bot_goes_on(servers: TutorServers,
                                                                  message: str) -> None:
    sender = new_sender()
    replies = servers.say(sender, message)
    assert len(replies) == 1 and replies[0]["text"].strip()
    assert texts(servers.say(sender, "hi")) == response_text("utter_greet")


def test_markup_around_a_question_is_stripped(servers: TutorServers, catalogue: Catalogue) -> None:
    text = texts(servers.say(new_sender(), "<b>what topics are there?</b>\x07"))
    assert all(doc.topic in text for doc in catalogue.documents)


def test_conversation_survives_a_rasa_restart(servers: TutorServers) -> None:
    sender = new_sender()
    servers.say(sender, "hello")
    servers.say(sender, "what topics are there?")

    def user_texts() -> list[str]:
        return [e["text"] for e in servers.tracker(sender)["events"] if e["event"] == "user"]

    assert user_texts() == ["hello", "what topics are there?"]
    servers.restart_rasa()
    assert user_texts() == ["hello", "what topics are there?"]
    assert texts(servers.say(sender, "thanks")) == response_text("utter_thanks")
    assert user_texts() == ["hello", "what topics are there?", "thanks"]


def test_a_new_document_is_answered_without_restart(servers: TutorServers) -> None:
    (Path(servers.knowledge_dir) / "900_bridge.txt").write_text(LATE_DOC, encoding="utf-8")
    try:
        assert "added: 900_bridge.txt" in servers.index()
        text = texts(servers.say(new_sender(), "What does BRIDGE stand for?")).lower()
        for step in ("brief", "reassure", "introduce", "document", "guide", "end"):
            assert step in text, text
    finally:
        (Path(servers.knowledge_dir) / "900_bridge.txt").unlink()
        servers.index()
