"""What the ``tutor`` commands ``report``, ``export``, ``forget`` and ``preview`` do, kept out of
:mod:`actions.knowledge.cli` so that it stays a thin list of commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..config import settings
from .vectors import CachedEncoder

VECTOR_CACHE = "report_vectors.npz"  # in the state folder: MiniLM vectors of texts, by text hash


def load_encoder():
    """MiniLM for a report, imported only when a report needs it. (Its module has torch's OpenMP
    threads sleep while they wait: on the 2 shared cores, busy, 99 key concepts took 12-17 s to
    embed with spinning threads and 2-3 s without.)"""
    from ..knowledge.embedding import default_encoder

    return default_encoder()


def report_encoder(state_dir: Path | None = None) -> CachedEncoder:
    """MiniLM (loaded only if a text is not cached) with the report's vector cache in the state folder."""
    from ..knowledge.embedding import MODEL_NAME

    folder = state_dir or settings().state_dir
    return CachedEncoder(load_encoder, folder / VECTOR_CACHE, name=MODEL_NAME)


def embed_report_items(documents: list[Any], encoder: Any, state_dir: Path | None = None) -> int:
    """Put the vectors of the documents' key concepts, tips and marking points into the report's
    vector cache, with MiniLM already loaded (``tutor index`` calls this after a build), so that
    a report need not load MiniLM for them: that was most of a first report (cold 26 s against
    8 s warm, under load). Returns how many were embedded (0 for another encoder, or all cached)."""
    from ..knowledge.catalogue import build_catalogue
    from ..knowledge.embedding import MODEL_NAME
    from .coverage import covered_items

    if getattr(encoder, "name", None) != MODEL_NAME:
        return 0  # a test's encoder: its vectors must not stand in for MiniLM's
    path = (state_dir or settings().state_dir) / VECTOR_CACHE
    cached = CachedEncoder(encoder, path, name=MODEL_NAME)
    texts = [item.text for _, item in covered_items(build_catalogue(documents))]
    missing = cached.missing(texts)
    if missing:
        cached.encode(missing)
        cached.save()
    return len(missing)


def parse_since(value: str | None) -> datetime | None:
    """``--since``: an ISO date or date-time (UTC when no zone is given)."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def make_report(since: datetime | None = None, knowledge: Path | None = None, encoder=None) -> dict[str, Any]:
    """The report over the configured log, progress database and documents."""
    from ..knowledge.catalogue import build_catalogue
    from ..knowledge.validate import load_corpus
    from ..logbook import Logbook
    from ..quiz.progress import Progress
    from .build import ReportInputs, build_report

    conf = settings()
    catalogue = build_catalogue(load_corpus([knowledge or conf.knowledge_dir]).documents)
    cached = encoder or report_encoder()
    inputs = ReportInputs(Logbook.from_settings(), Progress(conf.progress_url), catalogue, cached)
    report = build_report(inputs, since)
    if isinstance(cached, CachedEncoder):
        cached.save()
    return report


def report_text(report: dict[str, Any]) -> list[str]:
    """A short plain-text summary for the terminal."""
    t = report["totals"]
    lines = [f"{t['messages']} messages, {t['learners']} learners, {t['quiz_attempts']} quiz answers"
             + (f" since {report['since']}" if report["since"] else "")]
    lines.append("\nUnanswered questions (most asked first):")
    lines += [f"  {g['count']:>5}  {g['example']}" for g in report["unanswered"][:10]] or ["  none"]
    lines.append("\nMisconceptions voiced:")
    lines += [f"  {m['count']:>5}  {m['belief'] or m['key']}  [{m['doc']}]"
              for m in report["misconceptions"][:10]] or ["  none"]
    lines.append("\nQuiz questions to look at:")
    flagged = [q for q in report["quiz"] if q["flags"]]
    lines += [f"  {q['facility']:>4.0%} of {q['attempts']:>4}  {q['prompt'] or q['question_id']}: "
              + "; ".join(q["flags"]) for q in flagged[:10]] or ["  none"]
    untested = [c for c in report["coverage"] if not c["questions"]]
    lines.append(f"\nCoverage: {len(untested)} of {len(report['coverage'])} key concepts, exam tips and "
                 "marking points have no quiz question")
    lines.append("\nMastery per topic (learners at 80%+ of those with 3+ answers):")
    lines += [f"  {x['topic']}: {x['mastered']} of {x['judged']}" for x in report["learners"]["topics"]] or [
        "  no quiz answers"]
    return lines


def preview_text(result) -> list[str]:
    """``tutor preview`` in the terminal."""
    data = result.to_dict()
    if data["problems"]:
        return data["problems"]
    ex = data["extracted"]
    lines = [f"{data['document']} would add:"]
    lines.append("Models:")
    lines += [f"  {m['name']}: {', '.join(m['steps'])}" for m in ex["models"]] or ["  none"]
    lines.append("Legislation:")
    lines += [f"  {law['name']}" for law in ex["legislation"]] or ["  none"]
    lines.append("Abbreviations:")
    lines += [f"  {a['short']} = {a['long']}" for a in ex["abbreviations"]] or ["  none"]
    lines.append("Misconceptions:")
    lines += [f"  - {m['belief']}" for m in ex["misconceptions"]] or ["  none"]
    lines.append(f"\nQuiz: {data['new_questions']} new question(s); for example:")
    for q in data["sample_questions"]:
        lines.append(f"  [{q['kind']}] {q['prompt']}  -> {q['answer']}")
    drift = data["drift"]
    lines.append(f"\nKey concepts against the synopsis (cosine similarity; below {drift['threshold']} is "
                 "off its subject):")
    lines += [f"  {c['similarity']:.2f}  {c['term'] or c['text'][:50]}" for c in drift["concepts"]]
    lines.append("\nWarnings:" if data["warnings"] else "\nNo warnings.")
    lines += [f"  ! {w}" for w in data["warnings"]]
    return lines


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)
