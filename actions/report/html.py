"""The report as one self-contained HTML page: tables, and charts drawn by matplotlib as inline SVG
(nothing is loaded from anywhere when the page is opened)."""

from __future__ import annotations

import io
from html import escape
from typing import Any

CSS = """body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border-bottom:1px solid #ddd;
padding:.3rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}th{background:#f4f4f4}
.flag{color:#b00020}.num{text-align:right}figure{margin:0 0 1rem}h2{margin-top:2.5rem}
.totals span{display:inline-block;margin-right:1.5rem}"""


def _svg(draw) -> str:
    """Run ``draw(ax)`` on a new figure and return the figure as an inline SVG element. The figure
    is made without pyplot (no GUI backend, no global figure list; pyplot's import is most of it)."""
    import matplotlib
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 3.6))
    ax = fig.subplots()
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text stays text: small and searchable
        draw(ax)
        fig.tight_layout()
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None})
    svg = out.getvalue()
    return svg[svg.index("<svg"):]


def _barh(labels: list[str], values: list[float], xlabel: str, colour: str = "#3b6ea5"):
    def draw(ax) -> None:
        shown = [label if len(label) <= 60 else label[:57] + "..." for label in labels][::-1]
        ax.barh(range(len(values)), values[::-1], color=colour)
        ax.set_yticks(range(len(values)), shown, fontsize=8)
        ax.set_xlabel(xlabel)
    return draw


def _chart(title: str, draw) -> str:
    return f"<figure>{_svg(draw)}<figcaption>{escape(title)}</figcaption></figure>"


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def render_html(report: dict[str, Any]) -> str:
    """The whole page."""
    t = report["totals"]
    parts = [f"<h1>Tutors' report</h1><p>Generated {escape(report['generated'])}"
             + (f", activity since {escape(report['since'])}" if report["since"] else "") + ".</p>",
             '<p class="totals">' + "".join(f"<span><b>{v}</b> {escape(k.replace('_', ' '))}</span>"
                                           for k, v in t.items()) + "</p>"]

    groups = report["unanswered"]
    parts.append("<h2>Unanswered questions (knowledge gaps)</h2>")
    if groups:
        top = groups[:12]
        parts.append(_chart("Messages the documents could not answer, grouped by meaning",
                            _barh([g["example"] for g in top], [g["count"] for g in top], "messages")))
        parts.append(_table(["messages", "learners", "example", "other wordings"],
                            [[g["count"], g["learners"], escape(g["example"]),
                              escape(" · ".join(g["examples"][1:]))] for g in groups[:50]]))
    else:
        parts.append("<p>None in this period.</p>")

    mcs = report["misconceptions"]
    parts.append("<h2>Misconceptions voiced</h2>")
    if mcs:
        top_mcs = mcs[:12]
        parts.append(_chart("Corrections per misconception", _barh(
            [m["belief"] or m["key"] for m in top_mcs], [m["count"] for m in top_mcs], "corrections",
            "#a55b3b")))
        parts.append(_table(["corrections", "learners", "misconception", "document", "example"],
                            [[m["count"], m["learners"], escape(m["belief"] or m["key"]), escape(m["topic"]),
                              escape(m["example"])] for m in mcs]))
    else:
        parts.append("<p>None in this period.</p>")

    quiz = report["quiz"]
    parts.append("<h2>Quiz questions</h2>")
    if quiz:
        def facility(ax) -> None:
            ax.hist([q["facility"] * 100 for q in quiz], bins=range(0, 105, 5), color="#4a8a4a")
            ax.axvline(95, color="#b00020", linestyle="--")
            ax.axvline(20, color="#b00020", linestyle="--")
            ax.set_xlabel("facility index (% answered correctly)")
            ax.set_ylabel("questions")
        parts.append(_chart("Facility index of the questions asked (dashed: too easy above 95%, suspect "
                            "below 20%)", facility))
        parts.append(_table(
            ["question", "attempts", "facility", "commonest wrong answers", "contested", "flags"],
            [[escape(q["prompt"] or q["question_id"]) + f"<br><small>{escape(q['source'] or '')}</small>",
              q["attempts"], f"{q['facility']:.0%}",
              escape("; ".join(f"{w['answer']} ({w['count']})" for w in q["wrong_answers"])),
              q["contested"], '<span class="flag">' + escape("; ".join(q["flags"])) + "</span>"]
             for q in quiz]))
    else:
        parts.append("<p>No quiz answers in this period.</p>")

    coverage = report["coverage"]
    parts.append("<h2>Coverage</h2>")
    if coverage:
        def cover(ax) -> None:
            docs = list(dict.fromkeys(c["doc"] for c in coverage))
            labels = [d.split("_", 1)[0] for d in docs]
            none = [sum(1 for c in coverage if c["doc"] == d and not c["questions"]) for d in docs]
            some = [sum(1 for c in coverage if c["doc"] == d and c["questions"]) for d in docs]
            ax.bar(labels, some, color="#4a8a4a", label="tested by a quiz question")
            ax.bar(labels, none, bottom=some, color="#cccccc", label="no quiz question")
            ax.set_ylabel("key concepts, exam tips and marking points")
            ax.legend(fontsize=8)
        parts.append(_chart("Items of each document that the quiz tests", cover))
        parts.append(_table(["document", "section", "item", "quiz questions", "asked about"],
                            [[escape(c["doc"].split("_", 1)[0]), escape(c["section"]), escape(c["text"]),
                              c["questions"], c["asked"]] for c in coverage]))

    learners = report["learners"]
    parts.append(f"<h2>Learners</h2><p>{learners['active']} active learners, {learners['quizzing']} "
                 "of them took quizzes.</p>")
    if learners["topics"]:
        topics = learners["topics"]
        shares = [100 * (x["mastery"] or 0) for x in topics]
        parts.append(_chart("Share of learners who mastered each topic (mean score at least 80% over 3 or "
                            "more answers)", _barh([x["topic"] for x in topics], shares, "% of learners")))
        parts.append(_table(["topic", "learners", "answers", "mean score", "mastered"],
                            [[escape(x["topic"]), x["learners"], x["attempts"], f"{x['mean_score']:.0%}",
                              f"{x['mastered']} of {x['judged']}"] for x in topics]))
    days = learners["messages_per_day"]
    if len(days) > 1:
        def activity(ax) -> None:
            ax.plot(range(len(days)), list(days.values()), color="#3b6ea5")
            step = max(1, len(days) // 8)
            ax.set_xticks(range(0, len(days), step), list(days)[::step], fontsize=8)
            ax.set_ylabel("messages")
        parts.append(_chart("Messages per day", activity))
    return (f"<!doctype html><html lang='en'><meta charset='utf-8'><title>Tutors' report</title>"
            f"<style>{CSS}</style><body>{''.join(parts)}</body></html>")
