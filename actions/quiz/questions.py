"""Quiz questions generated from the catalogue alone: a new document brings new questions.

Every question carries what grading needs (expected answers, whether order matters, options) and
what the tutor shows (prompt, hint, explanation, source). Ids hash the kind and the item asked
about, so they stay the same across runs and processes.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from ..knowledge.model import Abbreviation, Catalogue, Law, Misconception, NamedModel, Source
from .laws import BLANK, LawGroup, law_groups
from .text import content_words, fold

_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
MAX_OPTIONS = 4


class Kind(StrEnum):
    """What a question asks."""

    MODEL_LETTER = "model_letter"  # What does the E in HEAT stand for?
    MODEL_STEP = "model_step"  # What is step 2 of the 'Acknowledge, Respond, Follow-up' framework?
    MODEL_STEPS = "model_steps"  # List the steps of LAST in order.
    MODEL_WHICH = "model_which"  # Which model's steps are Situation, Task, Action, Result?
    LAW_SITUATION = "law_situation"  # Which law applies to this situation?
    LAW_COVERS = "law_covers"  # What does the Equality Act 2010 cover?
    LAW_YEAR = "law_year"  # In which year was the Equality Act passed?
    ABBREVIATION = "abbreviation"  # What does FCR stand for?
    TRUE_FALSE = "true_false"  # True or false: the customer is always right.

    @property
    def group(self) -> str:
        """The family a learner asks for: models, legislation, abbreviations or misconceptions."""
        return self.value.split("_", 1)[0].replace("true", "misconception").replace("law", "legislation")


@dataclass(frozen=True)
class Question:
    """One quiz question with everything needed to ask, hint, grade and explain it."""

    id: str
    kind: Kind
    subject: str  # the model, law, abbreviation or belief asked about
    prompt: str
    answers: tuple[str, ...]  # a list of steps when ``steps`` is True, else accepted alternatives
    doc: str
    topic: str
    source: str  # citation: "Topic 002, Key Concepts & Core Principles"
    context: str  # the document text the question was drawn from
    explanation: str
    hint: str = ""
    options: tuple[str, ...] = ()
    ordered: bool = False
    steps: bool = False  # every answer is required (a list of steps), not one of several
    wrong: tuple[str, ...] = field(default=(), compare=False)  # known wrong answers (other areas, steps)
    # other models' names and steps: a list that is wholly another model's is not this one's
    rivals: tuple[tuple[str, tuple[str, ...]], ...] = field(default=(), compare=False)

    @property
    def lettered(self) -> bool:
        """Whether the question shows its options with letters (A, B, ...): a true/false
        question's two options are buttons only."""
        return bool(self.options) and self.kind is not Kind.TRUE_FALSE

    @property
    def answer_text(self) -> str:
        """The correct answer as a learner should see it."""
        return ", ".join(self.answers) if self.steps else self.answers[0]

    @property
    def group(self) -> str:
        return self.kind.group

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, so a quiz keeps the very question it asked across re-indexing."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        """The question :meth:`to_dict` saved."""
        tuples = {name: tuple(data.get(name, ())) for name in ("answers", "options", "wrong")}
        rivals = tuple((name, tuple(steps)) for name, steps in data.get("rivals", ()))
        return cls(**{**data, **tuples, "kind": Kind(data["kind"]), "rivals": rivals})


def question_id(kind: Kind, *item: str) -> str:
    """A short id stable across runs: a hash of the kind and the item asked about."""
    digest = hashlib.sha1("|".join((kind.value, *item)).encode()).hexdigest()
    return f"{kind.value[:3]}-{digest[:10]}"


def _cite(catalogue: Catalogue, source: Source) -> str:
    return catalogue.cite(source.doc, source.section)


def _options(qid: str, correct: str, pool: Iterable[str]) -> tuple[str, ...]:
    """The correct answer and up to three distractors from ``pool``, in an order fixed by the id."""
    seen = {fold(correct)}
    correct_words = set(content_words(correct))
    distractors = []
    for item in pool:
        # a distractor must not be the answer in another spelling or share a word with it
        if fold(item) not in seen and not set(content_words(item)) & correct_words:
            seen.add(fold(item))
            distractors.append(item)
    rng = random.Random(qid)
    picked = rng.sample(distractors, min(MAX_OPTIONS - 1, len(distractors)))
    options = [correct, *picked]
    rng.shuffle(options)
    return tuple(options) if len(options) > 1 else ()


def _kind_word(model: NamedModel) -> str:
    """How the document calls the model: model, framework, method, targets..."""
    lowered = model.context.lower()
    name_at = lowered.find(model.name.lower())
    after = lowered[name_at + len(model.name) :] if name_at >= 0 else ""
    for word in ("framework", "method", "model", "targets", "technique", "approach", "process"):
        if word in after[:60]:
            return "targets" if word == "targets" else word
    return "model"


def _model_label(model: NamedModel) -> str:
    word = _kind_word(model)
    return f"{model.name} {word}" if model.acronym else f"'{model.name}' {word}"


def _step_list(steps: Iterable[str]) -> str:
    return "\n".join(f"- {step}" for step in steps)


def model_questions(model: NamedModel, catalogue: Catalogue) -> list[Question]:
    """Letter or step-by-position questions, list-the-steps, and which-model."""
    cite = _cite(catalogue, model.source)
    doc = model.source.doc
    topic = catalogue.topic_of(doc)
    label = _model_label(model)
    n = len(model.steps)
    explanation = f"The {label} is: {', '.join(model.steps)}."
    other_steps = [s for m in catalogue.models if m is not model for s in m.steps]
    common = {
        "doc": doc,
        "topic": topic,
        "source": cite,
        "context": model.context,
        "explanation": explanation,
    }
    out: list[Question] = []
    for pos, step in enumerate(model.steps):
        if model.acronym:
            letter = model.name[pos]
            repeats = model.name.count(letter) > 1
            which = f"the {_ORDINALS[pos]} {letter}" if repeats else f"the {letter}"
            kind, prompt = Kind.MODEL_LETTER, f"What does {which} in {model.name} stand for?"
            hint = f"It is step {pos + 1} of {n} and starts with '{step[:2]}'."
        else:
            kind = Kind.MODEL_STEP
            prompt = f"In the {label}, what is step {pos + 1} of {n}?"
            hint = f"It starts with '{step[0]}'."
        qid = question_id(kind, model.name, str(pos))
        same_letter = [s for s in other_steps if s[:1].upper() == step[:1].upper()]
        pool = same_letter + [s for s in other_steps if s not in same_letter]
        out.append(
            Question(
                qid,
                kind,
                model.name,
                prompt,
                (step,),
                hint=hint,
                options=_options(qid, step, pool),
                wrong=tuple(s for s in model.steps if s != step),
                **common,
            )
        )
    qid = question_id(Kind.MODEL_STEPS, model.name)
    first_letters = ", ".join(step[0] for step in model.steps)
    out.append(
        Question(
            qid,
            Kind.MODEL_STEPS,
            model.name,
            f"List the steps of the {label} in order.",
            model.steps,
            hint=f"There are {n} steps, starting with the letters {first_letters}.",
            ordered=True,
            steps=True,
            rivals=tuple((m.name, m.steps) for m in catalogue.models if m is not model),
            **common,
        )
    )
    qid = question_id(Kind.MODEL_WHICH, model.name)
    if model.acronym:
        prompt = f"Which model's steps are {', '.join(model.steps)}?"
        hint = f"Its name is an acronym of {len(model.name)} letters."
    else:
        masked = model.context.replace(model.name, BLANK)
        prompt = f'Which {_kind_word(model)} fills the gap?\n"{masked}"'
        hint = f"It has {n} steps, starting with {model.steps[0]}."
    others = [m.name for m in catalogue.models if m is not model]
    out.append(
        Question(
            qid,
            Kind.MODEL_WHICH,
            model.name,
            prompt,
            (model.name,),
            hint=hint,
            options=_options(qid, model.name, others),
            **common,
        )
    )
    return out


def law_questions(group: LawGroup, groups: list[LawGroup], catalogue: Catalogue) -> list[Question]:
    """Which law applies to a situation, what each law covers, and each act's year."""
    out: list[Question] = []
    primary = group.primary
    mention = primary.mentions[0] if primary.mentions else None
    names = group.names
    other_primaries = [g.primary.name for g in groups if g is not group]
    other_phrases = tuple(g.phrase for g in groups if g is not group)
    area = f"{group.phrase}"
    also = f" ({' / '.join(names)})" if len(names) > 1 else ""
    explanation = f"{primary.name}{also} covers {area}."
    situations = list(group.situations)
    if not situations and mention is None:
        return out
    for situation in situations or [None]:
        if situation is None:
            assert mention is not None
            prompt = f"A customer's issue involves {area}. Which piece of legislation applies?"
            source, context, key = mention.source, mention.text, area
        else:
            topic = catalogue.topic_of(situation.source.doc)
            prompt = (
                f"Which piece of legislation applies here? (The blanks hide its name and area.)\n"
                f'"{situation.text}" ({topic})'
            )
            source, context, key = situation.source, situation.original, situation.original
        # the answer shown first is the name the blank hides ("(e.g., ____)" hid GDPR, not the
        # Data Protection Act 2018 of its group); every name of the group is accepted
        hidden = next((n for n in names if situation is not None
                       and n.lower() in situation.original.lower()), primary.name)
        qid = question_id(Kind.LAW_SITUATION, *sorted(names), key)
        out.append(
            Question(
                qid,
                Kind.LAW_SITUATION,
                primary.name,
                prompt,
                (hidden, *(n for n in names if n != hidden)),
                doc=source.doc,
                topic=catalogue.topic_of(source.doc),
                source=_cite(catalogue, source),
                context=context,
                explanation=explanation + (f' Source text: "{context}"' if situation else ""),
                hint=f"Think about {_hint_area(group)}.",
                options=_options(qid, hidden, other_primaries),
            )
        )
    for law in group.laws:
        if not law.mentions:
            continue
        source = law.mentions[0].source
        common = {
            "doc": source.doc,
            "topic": catalogue.topic_of(source.doc),
            "source": _cite(catalogue, source),
            "context": " ".join(m.text for m in law.mentions),
        }
        qid = question_id(Kind.LAW_COVERS, law.name)
        covers = group.phrase[:1].upper() + group.phrase[1:]
        out.append(
            Question(
                qid,
                Kind.LAW_COVERS,
                law.name,
                f"What area does the {law.name} cover?",
                (group.phrase, *group.cues),
                hint=f"It starts with '{group.phrase[:1].upper()}'.",
                explanation=explanation,
                wrong=other_phrases,
                options=_options(qid, covers, [p[:1].upper() + p[1:] for p in other_phrases]),
                **common,
            )
        )
        if law.year:
            qid = question_id(Kind.LAW_YEAR, law.name)
            base = law.name.removesuffix(str(law.year)).strip()
            years = [str(other.year) for other in catalogue.laws if other.year and other is not law]
            out.append(
                Question(
                    qid,
                    Kind.LAW_YEAR,
                    law.name,
                    f"Complete the name of the act: the {base} ____.",
                    (str(law.year),),
                    hint=f"It was passed in the {str(law.year)[:3]}0s.",
                    explanation=f"It is the {law.name}.",
                    options=_options(qid, str(law.year), years),
                    **common,
                )
            )
    return out


def _hint_area(group: LawGroup) -> str:
    return (
        " ".join(f"{w[0]}{'.' * (len(w) - 1)}" for w in group.keywords) + f" ({len(group.keywords)} word(s))"
    )


def abbreviation_questions(abbr: Abbreviation, catalogue: Catalogue) -> list[Question]:
    """What an abbreviation stands for."""
    qid = question_id(Kind.ABBREVIATION, abbr.short)
    others = [a.long for a in catalogue.abbreviations if a is not abbr]
    return [
        Question(
            qid, Kind.ABBREVIATION, abbr.short, f"What does {abbr.short} stand for?", (abbr.long,),
            doc=abbr.source.doc,
            topic=catalogue.topic_of(abbr.source.doc),
            source=_cite(catalogue, abbr.source),
            context=abbr.long,
            explanation=f"{abbr.short} stands for {abbr.long}.",
            hint=f"{len(abbr.long.split())} words: " + " ".join(w[0] + "…" for w in abbr.long.split()),
            options=_options(qid, abbr.long, others),
        )
    ]


def _true_statement(belief: str) -> str | None:
    """The correct practice a misconception's belief denies, when it can be said plainly."""
    if belief.startswith("there is no need to "):
        return "You need to " + belief.removeprefix("there is no need to ")
    if belief.startswith("it's fine to "):
        return "You should not " + belief.removeprefix("it's fine to ")
    if belief.endswith(" is fine"):
        return belief[:1].upper() + belief[1:].removesuffix(" is fine") + " is a mistake"
    return None


def misconception_questions(item: Misconception, catalogue: Catalogue) -> list[Question]:
    """True-or-false statements: the mistaken belief (false) and, where it reads well, the fix (true)."""
    common = {
        "doc": item.source.doc,
        "topic": catalogue.topic_of(item.source.doc),
        "source": _cite(catalogue, item.source),
        "context": item.text,
        "options": ("True", "False"),
        "hint": "Think about what an examiner would want you to avoid.",
    }
    statement = item.belief[:1].upper() + item.belief[1:]
    out = [
        Question(
            question_id(Kind.TRUE_FALSE, statement),
            Kind.TRUE_FALSE,
            item.belief,
            f"True or false: {statement}.",
            ("False",),
            explanation=f'False. The course lists this as a mistake to avoid: "{item.text}"',
            **common,
        )
    ]
    if truth := _true_statement(item.belief):
        out.append(
            Question(
                question_id(Kind.TRUE_FALSE, truth),
                Kind.TRUE_FALSE,
                item.belief,
                f"True or false: {truth}.",
                ("True",),
                explanation=f'True. The opposite is a listed mistake: "{item.text}"',
                **common,
            )
        )
    return out


def generate(catalogue: Catalogue) -> list[Question]:
    """Every question the catalogue supports, in catalogue order, ids unique."""
    out: list[Question] = []
    for model in catalogue.models:
        out.extend(model_questions(model, catalogue))
    groups = law_groups(catalogue)
    for group in groups:
        out.extend(law_questions(group, groups, catalogue))
    for abbr in catalogue.abbreviations:
        out.extend(abbreviation_questions(abbr, catalogue))
    for item in catalogue.misconceptions:
        out.extend(misconception_questions(item, catalogue))
    return list({q.id: q for q in out}.values())


def questions_about(questions: Iterable[Question], law: Law | NamedModel | Abbreviation) -> list[Question]:
    """Questions whose subject or accepted answers name ``law``, ``model`` or ``abbreviation``."""
    name = getattr(law, "name", None) or getattr(law, "short", "")
    return [q for q in questions if q.subject == name or (not q.steps and name in q.answers)]
