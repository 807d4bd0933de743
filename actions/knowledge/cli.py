"""The ``tutor`` command: validate documents, build the index, search it, inspect the catalogue."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from ..config import settings
from .base import KnowledgeBase
from .index import Mode
from .model import Catalogue
from .validate import load_corpus

app = typer.Typer(
    help="Revision tutor knowledge tools: check topic documents, index them, search and inspect.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

KnowledgeOpt = Annotated[
    Path | None, typer.Option("--knowledge", help="Folder of topic documents.")
]
IndexOpt = Annotated[Path | None, typer.Option("--index-dir", help="Where the index is kept.")]


def _base(knowledge: Path | None, index_dir: Path | None) -> KnowledgeBase:
    conf = settings()
    return KnowledgeBase(knowledge or conf.knowledge_dir, index_dir or conf.index_dir)


@app.command()
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders.")] = None,
) -> None:
    """Check topic documents; print FILE:LINE: problems and exit 1 if there are any."""
    corpus = load_corpus(paths or [settings().knowledge_dir])
    for problem in corpus.problems:
        typer.echo(str(problem))
    if corpus.problems:
        raise typer.Exit(1)
    typer.echo(f"{len(corpus.documents)} document(s) valid")


@app.command()
def index(
    knowledge: KnowledgeOpt = None,
    index_dir: IndexOpt = None,
    force: Annotated[bool, typer.Option(help="Rebuild even if nothing changed.")] = False,
) -> None:
    """Build or refresh the index, printing what changed."""
    base = _base(knowledge, index_dir)
    corpus, report = base.rebuild(force=force)
    if report is None:
        for problem in corpus.problems:
            typer.echo(str(problem), err=True)
        typer.echo("index not changed: fix the problems above and run 'tutor index' again",
                   err=True)
        raise typer.Exit(1)
    for label, names in (("added", report.added), ("changed", report.changed),
                         ("removed", report.removed)):
        for name in names:
            typer.echo(f"{label}: {name}")
    if report.rebuilt:
        typer.echo(
            f"index rebuilt: {len(corpus.documents)} documents, {report.embedded} passages "
            f"embedded, {report.reused} reused, {report.seconds:.2f}s"
        )
    else:
        typer.echo(f"index up to date: {len(report.unchanged)} documents unchanged")
    from ..answers.misconceptions import MisconceptionDetector
    from ..report.commands import embed_report_items  # MiniLM is loaded: the report's items too

    started = time.perf_counter()
    if MisconceptionDetector(base).judge() is not None:  # fitted now, not in a learner's turn
        typer.echo(f"misconception judge ready ({time.perf_counter() - started:.1f}s)")

    if embedded := embed_report_items(corpus.documents, base.encoder):
        typer.echo(f"report: {embedded} key concepts, tips and marking points embedded for 'tutor report'")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="The question; '-' reads one per line from stdin.")],
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="How many passages.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
    mode: Annotated[Mode, typer.Option(help="Ranking to use.")] = Mode.HYBRID,
    knowledge: KnowledgeOpt = None,
    index_dir: IndexOpt = None,
) -> None:
    """Ranked passages for QUERY."""
    base = _base(knowledge, index_dir)
    if query == "-":
        queries = [line.strip() for line in sys.stdin if line.strip()]
        for q, hits in zip(queries, base.search_many(queries, k=k, mode=mode), strict=True):
            typer.echo(json.dumps({"query": q, "results": [_hit_json(h) for h in hits]},
                                  ensure_ascii=False))
        return
    if not query.strip():
        typer.echo("error: the query is empty; ask a question, e.g. tutor search "
                   "'what does HEAT stand for?'", err=True)
        raise typer.Exit(2)
    hits = base.search(query, k=k, mode=mode)
    if as_json:
        typer.echo(json.dumps([_hit_json(h) for h in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        typer.echo("no passages matched")
    for rank, hit in enumerate(hits, start=1):
        p = hit.passage
        typer.echo(f"{rank}. [{hit.score:.3f}] {p.doc} · {p.section.label} (line {p.line})")
        typer.echo(f"   {p.text}")


def _hit_json(hit) -> dict[str, object]:
    p = hit.passage
    return {"doc": p.doc, "section": p.section.label, "line": p.line, "text": p.text,
            "score": round(hit.score, 6)}


@app.command()
def inspect(
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
    knowledge: KnowledgeOpt = None,
) -> None:
    """Show the catalogue learned from the documents: models, laws, abbreviations, misconceptions."""
    from .catalogue import build_catalogue

    corpus = load_corpus([knowledge or settings().knowledge_dir])
    for problem in corpus.problems:
        typer.echo(str(problem), err=True)
    data = catalogue_json(build_catalogue(corpus.documents))
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for doc in data["documents"]:
        counts = ", ".join(f"{n} {kind}" for kind, n in doc["counts"].items())
        typer.echo(f"{doc['name']} ({doc['title']}): {counts}")
    typer.echo("\nModels:")
    for m in data["models"]:
        typer.echo(f"  {m['name']}: {', '.join(m['steps'])}  [{m['doc']}]")
    typer.echo("Legislation:")
    for law in data["legislation"]:
        typer.echo(f"  {law['name']}  [{', '.join(law['docs'])}]")
    typer.echo("Abbreviations:")
    for a in data["abbreviations"]:
        typer.echo(f"  {a['short']} = {a['long']}")
    typer.echo("Misconceptions:")
    for mc in data["misconceptions"]:
        typer.echo(f"  - {mc['belief']}  [{mc['doc']}]")


def catalogue_json(cat: Catalogue) -> dict[str, list[dict[str, object]]]:
    """The catalogue as plain JSON-ready data, with counts per document."""
    per_doc: dict[str, Counter[str]] = {d.name: Counter() for d in cat.documents}
    rows: dict[str, list[dict[str, object]]] = {
        "models": [
            {"name": m.name, "steps": list(m.steps), "doc": m.source.doc, "line": m.source.line}
            for m in cat.models
        ],
        "legislation": [
            {"name": law.name, "year": law.year, "doc": law.docs[0] if law.docs else None,
             "docs": list(law.docs), "mentions": [m.text for m in law.mentions]}
            for law in cat.laws
        ],
        "abbreviations": [
            {"short": a.short, "long": a.long, "doc": a.source.doc} for a in cat.abbreviations
        ],
        "misconceptions": [
            {"text": m.text, "belief": m.belief, "correction": m.correction,
             "doc": m.source.doc, "line": m.source.line}
            for m in cat.misconceptions
        ],
        "tips": [{"text": t.text, "doc": t.source.doc} for t in cat.tips],
        "marking_points": [{"text": t.text, "doc": t.source.doc} for t in cat.marking_points],
    }
    for kind in ("models", "abbreviations", "misconceptions", "tips", "marking_points"):
        for row in rows[kind]:
            per_doc[str(row["doc"])][kind] += 1
    for law in cat.laws:
        for doc in law.docs:
            per_doc[doc]["legislation"] += 1
    order = ("models", "legislation", "abbreviations", "misconceptions", "tips", "marking_points")
    rows_docs = [
        {"name": d.name, "title": d.title, "counts": {k: per_doc[d.name][k] for k in order}}
        for d in cat.documents
    ]
    return {"documents": rows_docs, **rows}


# ---- tutors: learners' activity and data, and a document before it is added ----------------------
# The work is done in actions/report and actions/learners (imported when a command runs, so the
# knowledge commands stay quick to start).


@app.command()
def report(
    html: Annotated[Path | None, typer.Option("--html", help="Write one self-contained HTML page.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print everything as JSON.")] = False,
    since: Annotated[str | None, typer.Option("--since", help="Only activity from this date (YYYY-MM-DD).")]
    = None,
    knowledge: KnowledgeOpt = None,
) -> None:
    """Learners' activity: unanswered questions, misconceptions, quiz questions, coverage, mastery."""
    from ..report import commands

    try:
        start = commands.parse_since(since)
    except ValueError:
        typer.echo(f"error: --since {since!r} is not a date; write it as YYYY-MM-DD", err=True)
        raise typer.Exit(2) from None
    data = commands.make_report(start, knowledge)
    if html is not None:
        from ..report.html import render_html

        html.write_text(render_html(data), encoding="utf-8")
    if as_json:
        typer.echo(commands.dumps(data))
    else:
        typer.echo("\n".join(commands.report_text(data)))
        if html is not None:
            typer.echo(f"\nreport written to {html}")


@app.command()
def export(learner: Annotated[str, typer.Argument(help="The learner's id (Rasa's sender id).")]) -> None:
    """Print, as JSON, everything kept about a learner: progress, logged messages, conversation."""
    from ..learners import export_learner
    from ..report.commands import dumps

    typer.echo(dumps(export_learner(learner)))


@app.command()
def forget(
    learner: Annotated[str, typer.Argument(help="The learner's id (Rasa's sender id).")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete everything kept about a learner: progress, log entries and the Rasa conversation."""
    from ..learners import forget_learner

    if not yes:
        typer.confirm(f"Delete everything kept about {learner!r}?", abort=True)
    counts = forget_learner(learner)
    typer.echo(", ".join(f"{store}: {n}" for store, n in counts.items()))
    typer.echo(f"deleted {sum(counts.values())} row(s) about {learner!r}")


@app.command()
def preview(
    file: Annotated[Path, typer.Argument(help="The topic document to preview.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
    knowledge: KnowledgeOpt = None,
) -> None:
    """What a document would add (catalogue, sample quiz questions) and warnings, before adding it."""
    from ..report.commands import dumps, preview_text, report_encoder
    from ..report.preview import preview as run_preview

    encoder = report_encoder()
    result = run_preview(file, knowledge or settings().knowledge_dir, encoder)
    encoder.save()
    typer.echo(dumps(result.to_dict()) if as_json else "\n".join(preview_text(result)))
    if result.problems:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
