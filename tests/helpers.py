"""Small real components for tests: a deterministic encoder and document writers."""
# ruff: noqa: E501  (NEW_DOC is a topic document whose lines are as long as real ones)

from __future__ import annotations

import hashlib
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
import sqlalchemy as sa

if TYPE_CHECKING:
    from actions.quiz.desk import QuizDesk
    from actions.quiz.questions import Question

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"


class HashingEncoder:
    """A fast, deterministic bag-of-words encoder (no model) for testing the vector layer."""

    name = "test-hashing-encoder"
    dim = 64

    def __init__(self) -> None:
        self.calls = 0
        self.encoded = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.encoded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


def is_right_option(question: Question, option: str) -> bool:
    """True when ``option`` is one of the question's answers, in any case ("What area does the
    Equality Act 2010 cover?" offers "Equality" for the answer "equality"): tests that pick a
    wrong option skip these."""
    return option.lower() in {answer.lower() for answer in question.answers}


def copy_seeds(target: Path, examples: bool = True) -> Path:
    """Copy the real topic documents (and, with ``examples``, the labelled learner examples that
    the misconception judge learns from) into ``target``; return it. Tests on HashingEncoder
    leave the examples out: a judge fitted on hashed words says little, the rules decide."""
    target.mkdir(parents=True, exist_ok=True)
    for doc in KNOWLEDGE.iterdir():
        if doc.is_file():
            shutil.copy(doc, target / doc.name)
        elif doc.name == "examples" and examples:
            shutil.copytree(doc, target / doc.name, dirs_exist_ok=True)
    return target


NEW_DOC = """\
Escalation basics. This extra topic covers escalation.
Topic Synopsis
This extra topic covers when and how to escalate a customer issue to a supervisor.
Key Concepts & Core Principles
- Escalation: Passing an issue upwards using the 'CARE' model (Connect, Ask, Resolve, End) so nothing is lost.
- Service levels: Meeting the Average Handling Time (AHT) agreed with the client under the Consumer Protection Regulations 2008.
Exam Tips & Revision Strategies
- Name the CARE model's steps in order when describing an escalation.
Common Misconceptions & Mistakes to Avoid
- Assuming that escalating a call means you have failed, which stops staff asking for help in time.
Examiner Marking Points
- Award credit for explaining when escalation is appropriate.
"""


def postgres_url() -> str:
    """The local PostgreSQL server's test database; a test that needs it fails (never skips)
    when it is down."""
    for user in ("postgres", "root"):
        url = f"postgresql+psycopg://{user}@127.0.0.1:5432/test"
        try:
            engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
            with engine.connect() as conn:
                conn.execute(sa.text("select 1"))
            engine.dispose()
            return url
        except Exception:
            continue
    pytest.fail("no PostgreSQL server answered at 127.0.0.1:5432 (database 'test', users postgres/root)")


@contextmanager
def postgres_schema(prefix: str) -> Iterator[tuple[str, str]]:
    """A fresh schema on the local PostgreSQL test database, as (url, schema); dropped afterwards,
    once every pooled connection of the project's engines is closed. Fails when PostgreSQL is down."""
    from actions.quiz.tables import dispose_engines

    url, schema = postgres_url(), f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url, schema
    finally:
        dispose_engines()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def seed_desk(folder: Path, seed: int) -> QuizDesk:
    """A quiz desk over copies of the seed documents (hashing encoder, no model), its progress in
    SQLite in ``folder``, questions drawn with ``seed``."""
    import random

    from actions.knowledge.base import KnowledgeBase
    from actions.quiz.desk import QuizDesk
    from actions.quiz.progress import Progress

    kb = KnowledgeBase(copy_seeds(folder / "k", examples=False), folder / "i",
                       encoder=HashingEncoder())
    kb.rebuild()
    return QuizDesk(kb, Progress(f"sqlite:///{folder / 'progress.db'}"), random.Random(seed))
