"""``tutor report`` on the real engine over the seed documents, with real SQLite and PostgreSQL:
what a learner could not get answered, the misconception they voiced and the quiz question they
missed all show; the HTML page draws its charts inline."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actions.answers.context import Context
from actions.answers.reply import Reply
from actions.config import settings
from actions.knowledge.cli import app
from actions.logbook import Logbook, record, turn_info, use_logbook
from actions.quiz.desk import QuizDesk
from actions.quiz.progress import Progress
from actions.quiz.tables import dispose_engines
from actions.report.build import ReportInputs, build_report
from actions.report.clusters import group_messages
from actions.report.commands import embed_report_items, make_report, report_encoder
from actions.report.coverage import covered_items
from actions.report.html import render_html
from actions.report.vectors import CachedEncoder

from .engine import shared_tutor
from .helpers import HashingEncoder, is_right_option, postgres_schema

pytestmark = pytest.mark.slow
KEY = b"report-test-key"
UNANSWERABLE = "what is the capital of Peru?"
BELIEF = "the customer is always right"


@pytest.fixture(params=["sqlite", "postgresql"])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Progress, Logbook]]:
    if request.param == "sqlite":
        yield Progress(f"sqlite:///{tmp_path / 'p.db'}"), Logbook(f"sqlite:///{tmp_path / 'l.db'}", KEY)
        dispose_engines()
        return
    with postgres_schema("report_test") as (url, schema):
        yield Progress(url, schema=schema), Logbook(url, KEY, schema=schema)


class Learner:
    """Talks to the real tutor and quiz desk as the Rasa actions do, logging each turn."""

    def __init__(self, name: str, desk: QuizDesk) -> None:
        self.name, self.desk, self.context = name, desk, Context()

    def say(self, message: str, reply: Reply | None = None) -> Reply:
        if reply is None:
            reply = shared_tutor().respond(message, self.context)
            self.context = reply.context or self.context
        embed = shared_tutor().kb.embed  # as the action logs it: the vector the engine just used
        assert record(turn_info(self.name, message, "", reply, self.desk.progress, embed=embed))
        return reply

    def miss_a_question(self) -> tuple[str, str]:
        self.say("quiz me on HEAT", self.desk.command(self.name, "start", "quiz me on HEAT"))
        question = self.desk.session(self.name).current()
        assert question is not None
        wrong = next((o for o in question.options if not is_right_option(question, o)),
                     "Listen, Resolve")
        verdict = self.say(wrong, self.desk.answer(self.name, wrong))
        assert verdict.kind in ("quiz_verdict", "quiz_summary") and not verdict.text.startswith("Correct")
        return question.id, wrong


def test_what_a_learner_could_not_get_answered_voiced_and_missed_shows(stores, tmp_path: Path) -> None:
    progress, logbook = stores
    tutor = shared_tutor()
    desk = QuizDesk(tutor.kb, progress, random.Random(3))
    use_logbook(logbook)
    try:
        ana, ben = Learner("web:ana", desk), Learner("slack:ben", desk)
        assert ana.say(UNANSWERABLE).kind == "not_found"
        ben.say("What's the capital city of Peru")
        correction = ana.say(BELIEF)
        assert correction.kind == "correction" and correction.context and correction.context.misconception
        ana.say("what does HEAT stand for?")
        missed, wrong = ana.miss_a_question()
        ben_missed, ben_wrong = ben.miss_a_question()
        ben.say("I was right", desk.contest(ben.name))
    finally:
        use_logbook(None)

    class Counting:
        def __init__(self) -> None:
            self.texts: list[str] = []

        def encode(self, texts: list[str]):
            self.texts += texts
            return tutor.kb.encoder.encode(texts)

    counting = Counting()
    vectors = CachedEncoder(counting, tmp_path / "vectors.npz", name="minilm")
    report = build_report(ReportInputs(logbook, progress, tutor.kb.catalogue, vectors))
    assert counting.texts and not any("Peru" in t or BELIEF in t for t in counting.texts)  # logged vectors
    report = json.loads(json.dumps(report))  # all of it is JSON

    gaps = report["unanswered"]
    assert gaps[0]["count"] == 2 and gaps[0]["learners"] == 2 and "Peru" in gaps[0]["example"]
    voiced = {m["key"]: m for m in report["misconceptions"]}
    mc = voiced[correction.context.misconception]
    assert mc["count"] == 1 and mc["doc"] in mc["key"] and mc["belief"] and mc["example"] == BELIEF
    by_id = {q["question_id"]: q for q in report["quiz"]}
    assert by_id[missed]["attempts"] >= 1 and {"answer": wrong, "count": 1} in by_id[missed]["wrong_answers"]
    assert by_id[missed]["facility"] < 1 and "HEAT" in by_id[missed]["prompt"] + by_id[missed]["answer"]
    assert by_id[ben_missed]["contested"] == 1 and ben_wrong in by_id[ben_missed]["contested_answers"]
    heat = [c for c in report["coverage"] if "HEAT" in c["text"]]
    assert heat and all(c["questions"] > 0 for c in heat) and any(c["asked"] >= 1 for c in heat)
    assert report["learners"]["active"] == 2 and report["learners"]["quizzing"] == 2
    assert report["totals"]["unanswered"] == 2 and report["totals"]["corrections"] == 1

    page = render_html(report)
    assert page.count("<svg") >= 4 and "Peru" in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page) and "<script" not in page


def test_unanswered_questions_are_grouped_by_meaning() -> None:
    messages = [("a", "how do I write a CV?"), ("b", "How do I write a CV"), ("c", "tips for writing my CV"),
                ("d", "what should my CV include?"), ("a", "what is the capital of Peru?"),
                ("e", "which city is Peru's capital?"), ("f", "can I bring my dog to the exam?")]
    groups = group_messages(messages, shared_tutor().kb.encoder)
    assert [(g.count, g.learners) for g in groups] == [(4, 4), (2, 2), (1, 1)]
    assert groups[0].example == "How do I write a CV" or groups[0].example == "how do I write a CV?"


@pytest.fixture
def own_state(tmp_path: Path, monkeypatch) -> Iterator[Path]:
    """The settings' state folder (SQLite progress and log, the report's caches) in ``tmp_path``."""
    monkeypatch.setenv("TUTOR_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("TUTOR_LOG_KEY", "k")
    monkeypatch.delenv("TUTOR_LOG_URL", raising=False)
    monkeypatch.delenv("TUTOR_DATABASE_URL", raising=False)
    settings.cache_clear()
    yield tmp_path
    use_logbook(None)
    settings.cache_clear()
    dispose_engines()


def test_the_report_command_prints_json_writes_html_and_limits_the_period(own_state: Path) -> None:
    tmp_path = own_state
    logbook = Logbook.from_settings()
    desk = QuizDesk(shared_tutor().kb, Progress(settings().progress_url), random.Random(1))
    use_logbook(logbook)
    Learner("web:cleo", desk).say(UNANSWERABLE)
    use_logbook(None)
    runner = CliRunner()
    page = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "--json", "--html", str(page)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["unanswered"][0]["example"] == UNANSWERABLE and "<svg" in page.read_text()
    later = json.loads(runner.invoke(app, ["report", "--json", "--since", "2999-01-01"]).output)
    assert later["totals"]["messages"] == 0 and later["unanswered"] == []
    plain = runner.invoke(app, ["report"])
    assert plain.exit_code == 0 and UNANSWERABLE in plain.output
    bad = runner.invoke(app, ["report", "--since", "last tuesday"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_after_tutor_index_the_first_report_loads_no_model(own_state: Path) -> None:
    """``tutor index`` (MiniLM loaded for the index) puts the report's items into the report's
    vector cache; a report then embeds nothing, since logged messages carry their vectors."""
    tmp_path = own_state
    kb = shared_tutor().kb
    documents = kb.catalogue.documents
    assert embed_report_items(documents, HashingEncoder(), tmp_path) == 0  # only MiniLM's vectors
    items = len(covered_items(kb.catalogue))
    assert embed_report_items(documents, kb.encoder, tmp_path) == items > 0
    assert embed_report_items(documents, kb.encoder, tmp_path) == 0  # all cached already

    desk = QuizDesk(kb, Progress(settings().progress_url), random.Random(1))
    use_logbook(Logbook.from_settings())
    learner = Learner("web:dee", desk)
    learner.say(UNANSWERABLE)
    learner.say("what does HEAT stand for?")
    learner.say(BELIEF)
    learner.say("what do you keep about me?", Reply("Here is what I keep about you", kind="learner_data"))
    use_logbook(None)

    def no_model():
        raise AssertionError("the report loaded MiniLM")

    cached = report_encoder(tmp_path)
    cached._encoder = no_model  # as report_encoder's loader, but failing if called
    report = make_report(knowledge=kb.knowledge_dir, encoder=cached)
    assert report["totals"]["messages"] == 4 and report["unanswered"][0]["example"] == UNANSWERABLE
    assert any(c["asked"] for c in report["coverage"] if "HEAT" in c["text"])
    assert report["totals"]["corrections"] == 1
