"""Report benchmark: ``tutor report`` over generated activity of 1,000 learners and 50,000 messages.

The activity is drawn from the real documents' catalogue: questions about its models, terms,
tips and marking points, unanswerable questions (a few hundred wordings of off-course subjects),
misconceptions voiced, and quiz answers (right and wrong) to the real question bank, each quiz
answer both logged and stored as an attempt, with a few verdicts contested. Everything is in
fresh SQLite databases in a temporary folder.

Questions and statements are logged with their MiniLM vector, as the action server logs them
(the answer engine embedded the message that turn; ``turn_info(..., embed=kb.embed)`` takes it
from its cache), so a report embeds no message, only the documents' key concepts, tips and
marking points (73 texts).

Prints, in this process (MiniLM loaded already): the first report (the items embedded into the
report's vector cache) and a later one, and the HTML time. Then what a tutor waits for: the
``tutor`` command run as a new process, ``tutor report --json --html FILE``, twice:

- cold: the report's vector cache (``<state>/report_vectors.npz``) deleted and matplotlib's font
  cache empty (``MPLCONFIGDIR`` a new folder), so the process imports and loads MiniLM, embeds the
  items and rebuilds the font list; Python's bytecode caches and the OS page cache are kept;
- warm: the same command again, with both caches kept;
- first after ``tutor index``: both caches cleared again, then the items embedded into the report's
  cache as ``tutor index`` does once it has built the index (MiniLM is loaded there anyway), so
  the report loads no model.

The load average is printed with them: the machine's 2 cores are shared, and the figures move
with what else runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from actions.knowledge.catalogue import build_catalogue  # noqa: E402
from actions.knowledge.embedding import MODEL_NAME, default_encoder  # noqa: E402
from actions.knowledge.model import Catalogue, SectionKind  # noqa: E402
from actions.knowledge.validate import load_corpus  # noqa: E402
from actions.logbook import Logbook, TurnInfo  # noqa: E402
from actions.logbook.turns import pack  # noqa: E402
from actions.quiz.progress import Progress  # noqa: E402
from actions.quiz.selection import QuestionBank  # noqa: E402
from actions.quiz.tables import Attempt, Override  # noqa: E402
from actions.report.build import ReportInputs, build_report  # noqa: E402
from actions.report.commands import VECTOR_CACHE, embed_report_items  # noqa: E402
from actions.report.html import render_html  # noqa: E402
from actions.report.vectors import CachedEncoder  # noqa: E402

OFF_COURSE = ["the capital of {}", "a good recipe for {}", "the rules of {}", "the history of {}",
              "how to fix my {}", "the price of a {}", "who invented the {}", "where to buy a {}"]
THINGS = ["Peru", "lasagne", "cricket", "chess", "bicycle", "laptop", "printer", "the telephone", "football",
          "Norway", "pancakes", "guitar", "the bus pass", "my phone", "the canteen", "parking", "Spain",
          "Excel", "the library", "exam room", "the timetable", "Wi-Fi", "the car park", "my locker",
          "the coffee machine", "Python", "Japan", "the bank holiday", "the uniform", "the fire alarm",
          "the register", "the lift", "the badge", "the microwave", "basketball", "tennis", "the printer ink"]
KEY = b"bench-key"
LEADS = ["what is {}?", "can you tell me {}?", "do you know {}?", "I need {}", "tell me {}"]


def asked_pool(cat: Catalogue) -> list[tuple[str, tuple[str, ...]]]:
    """Questions learners ask about the course, with the names the reply would be about."""
    pool = [(f"what does {m.name} stand for?", (m.name,)) for m in cat.models]
    pool += [(f"explain the steps of {m.name}", (m.name,)) for m in cat.models]
    pool += [(f"what is the {law.name}?", (law.name,)) for law in cat.laws]
    pool += [(f"what does {a.short} mean?", (a.short,)) for a in cat.abbreviations]
    for doc in cat.documents:
        for item in doc.section(SectionKind.CONCEPTS):
            pool += [(f"what is {item.term}?", ()), (f"how do I use {str(item.term).lower()} at work?", ())]
        for item in doc.section(SectionKind.TIPS) + doc.section(SectionKind.MARKING):
            pool.append((f"how do I {' '.join(item.text.split()[1:9]).lower()}?", ()))
    return pool


def generate(logbook: Logbook, progress: Progress, cat: Catalogue, learners: int, messages: int,
             rng: random.Random, encoder) -> None:
    bank = QuestionBank(cat).questions
    asked = asked_pool(cat)
    gaps = [lead.format(t.format(x)) for lead in LEADS for t in OFF_COURSE for x in THINGS]
    gaps = rng.sample(gaps, 400)
    keys = [f"{m.source.doc}:{m.source.line}" for m in cat.misconceptions]
    beliefs = {f"{m.source.doc}:{m.source.line}": m.belief for m in cat.misconceptions}
    texts = list(dict.fromkeys([t for t, _ in asked] + gaps + list(beliefs.values())))
    vectors = {t: pack(v) for t, v in zip(texts, encoder.encode(texts), strict=True)}
    skill = {f"learner-{n}": rng.betavariate(4, 2) for n in range(learners)}
    hard = {q.id: rng.betavariate(2, 2) for q in bank}
    start = datetime.now(UTC) - timedelta(days=60)
    turns, attempts, overrides = [], [], []
    for n in range(messages):
        who = f"learner-{rng.randrange(learners)}"
        at = start + timedelta(seconds=rng.uniform(0, 60 * 86400))
        roll = rng.random()
        if roll < 0.35:
            text, names = rng.choice(asked)
            turns.append(TurnInfo(who, text, "answer", subjects=names, at=at, vector=vectors[text]))
        elif roll < 0.47:
            gap = rng.choice(gaps)
            turns.append(TurnInfo(who, gap, "not_found", at=at, vector=vectors[gap]))
        elif roll < 0.55:
            key = rng.choice(keys)
            turns.append(TurnInfo(who, beliefs[key], "correction", misconception=key, at=at,
                                  vector=vectors[beliefs[key]]))
        elif roll < 0.95:
            q = rng.choice(bank)
            right = rng.random() < skill[who] * (1.2 - hard[q.id])
            wrong = [o for o in q.options if o not in q.answers] or ["I don't know", "Listen"]
            answer = q.answer_text if right else rng.choice(wrong)
            turns.append(TurnInfo(who, answer, "quiz_verdict", question_id=q.id, answer=answer,
                                  correct=right, attempt_id=n, at=at))
            attempts.append({"learner": who, "question_id": q.id, "kind": q.kind.value, "topic": q.topic,
                             "subject": q.subject, "score": 1.0 if right else 0.0, "correct": right,
                             "answered_at": at})
            if not right and rng.random() < 0.03:
                overrides.append({"learner": who, "question_id": q.id, "kind": q.kind.value, "topic": q.topic,
                                  "subject": q.subject, "prompt": q.prompt, "answer": answer,
                                  "original_score": 0.0, "created_at": at})
        else:
            turns.append(TurnInfo(who, "how am I doing?", "progress", at=at))
    for chunk in range(0, len(turns), 10000):
        logbook.add_many(turns[chunk:chunk + 10000])
    with progress.engine.begin() as conn:
        conn.execute(insert(Attempt), attempts)
        if overrides:
            conn.execute(insert(Override), overrides)


def run_command(folder: Path, html: Path) -> tuple[float, dict]:
    """``tutor report --json --html`` as a new process over the generated databases: the seconds it
    took, and the report it printed."""
    env = {**os.environ, "TUTOR_STATE_DIR": str(folder / "state"),
           "TUTOR_LOG_URL": f"sqlite:///{folder / 'log.db'}", "TUTOR_LOG_KEY": KEY.decode(),
           "TUTOR_DATABASE_URL": f"sqlite:///{folder / 'progress.db'}",
           "TUTOR_KNOWLEDGE_DIR": str(ROOT / "knowledge"), "MPLCONFIGDIR": str(folder / "matplotlib")}
    env.pop("OMP_WAIT_POLICY", None)  # the command chooses it itself
    began = time.perf_counter()
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "tutor"), "report", "--json", "--html", str(html)],
                          env=env, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        sys.exit(f"tutor report failed:\n{done.stderr[-3000:]}")
    return seconds, json.loads(done.stdout)


def load() -> str:
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=50000)
    parser.add_argument("--html", type=Path, help="also write the report's page here")
    args = parser.parse_args()
    rng = random.Random(11)
    cat = build_catalogue(load_corpus([ROOT / "knowledge"]).documents)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        logbook = Logbook(f"sqlite:///{folder / 'log.db'}", KEY, days=90)
        progress = Progress(f"sqlite:///{folder / 'progress.db'}")
        began = time.perf_counter()
        encoder = default_encoder()
        encoder.encode(["warm up"])
        print(f"MiniLM loaded in {time.perf_counter() - began:.1f}s (once per process)")
        began = time.perf_counter()
        generate(logbook, progress, cat, args.learners, args.messages, rng, encoder)
        print(f"generated {args.messages:,} messages of {args.learners:,} learners in "
              f"{time.perf_counter() - began:.1f}s")

        for label in ("first report (items embedded)", "a later report"):
            cached = CachedEncoder(encoder, folder / "vectors.npz", name=MODEL_NAME)
            began = time.perf_counter()
            report = build_report(ReportInputs(logbook, progress, cat, cached))
            seconds = time.perf_counter() - began
            cached.save()
            print(f"in this process, MiniLM loaded: {label}: {seconds:.2f}s ({_parts(report)})")
        began = time.perf_counter()
        page = render_html(report)
        print(f"HTML with charts: {time.perf_counter() - began:.2f}s, {len(page) / 1024:.0f} KiB")
        if args.html:
            args.html.write_text(page, encoding="utf-8")
        t = report["totals"]
        print(f"  {t['messages']:,} messages, {t['learners']:,} learners, "
              f"{t['quiz_attempts']:,} quiz answers, "
              f"{len(report['unanswered'])} groups of unanswered questions from {t['unanswered']:,}, "
              f"{sum(1 for q in report['quiz'] if q['flags'])} quiz questions flagged")

        print(f"tutor report --json --html, a new process each time ({load()}):")
        cache = folder / "state" / VECTOR_CACHE
        cache.unlink(missing_ok=True)
        shutil.rmtree(folder / "matplotlib", ignore_errors=True)
        cold, cold_report = run_command(folder, folder / "cold.html")
        print(f"  cold: {cold:.1f}s (cleared: the report's vector cache and matplotlib's font cache, so "
              f"MiniLM is loaded; {_parts(cold_report)})")
        warm, warm_report = run_command(folder, folder / "warm.html")
        print(f"  warm: {warm:.1f}s (both caches kept; {_parts(warm_report)})")
        cache.unlink()
        shutil.rmtree(folder / "matplotlib")
        began = time.perf_counter()
        embedded = embed_report_items(cat.documents, encoder, folder / "state")
        step = time.perf_counter() - began
        first, first_report = run_command(folder, folder / "first.html")
        print(f"  first after 'tutor index' (both caches cleared, then the {embedded} items embedded as "
              f"'tutor index' now does, in {step:.1f}s): {first:.1f}s ({_parts(first_report)}) ({load()})")
        assert warm_report["totals"] == cold_report["totals"] == first_report["totals"] == report["totals"]


def _parts(report: dict) -> str:
    return ", ".join(f"{k} {v:.2f}s" for k, v in report["timings"].items())


if __name__ == "__main__":
    main()
