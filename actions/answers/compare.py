"""Comparisons side by side: "difference between HEAT and LATER", "compare STAR with GDPR".

Two models, two laws, or a model and a law: each one's steps (or what the documents say of it)
and where the course uses it, then what they share and where they differ. A name the documents
do not hold is said to be missing rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from ..knowledge.model import Catalogue, Law, NamedModel
from .compose import and_list as _and
from .compose import bulleted
from .resolve import find_laws, find_models, law_initials

# Words that ask for a comparison.
COMPARISON = re.compile(
    r"\b(compar\w*|differen\w*|differ|distinguish|versus|vs\.?|contrast|similar\w*|in common|alike|"
    r"same as|share)\b"
    # a choice between two: "which one should I use, STAR or SMART?", "which is better, X or Y?"
    r"|\bwhich (?:one |of (?:them|the two) )?(?:should|shall|do|would|to)\b.{0,25}\b(?:use|pick|"
    r"choose|go with)\b|\bwhich (?:is|one is|would be) (?:better|best|more useful)\b", re.I)
# Words that point back at two things at once: "how do they differ?", "compare the two".
BOTH = re.compile(r"\b(them|they|these|those|the two|both|each other|one another)\b", re.I)
_ACRONYM = re.compile(r"\b[A-Z]{2,8}\b")
_QUOTED = re.compile(r"['\"‘“](?P<name>[^'\"’”]{2,40})['\"’”]")
_SAME_STEP = 85  # rapidfuzz ratio at which two steps are the same word spelled two ways


@dataclass(frozen=True)
class Subject:
    """One side of a comparison: a model, a law, or a name the documents do not hold."""

    name: str
    model: NamedModel | None = None
    law: Law | None = None

    @property
    def known(self) -> bool:
        return self.model is not None or self.law is not None

    @property
    def docs(self) -> tuple[str, ...]:
        if self.model is not None:
            return (self.model.source.doc,)
        return self.law.docs if self.law is not None else ()


def asks_comparison(message: str) -> bool:
    """True when the message's words ask for a comparison."""
    return bool(COMPARISON.search(message))


def subject_for(model: NamedModel | None, law: Law | None) -> Subject | None:
    """A comparison side for the model or law found for a name kept in the context: what the
    conversation is about ("how is it different from X?"), or what it was about before."""
    if model is not None:
        return Subject(model.name, model=model)
    return Subject(law.name, law=law) if law is not None else None


def subjects(message: str, catalogue: Catalogue) -> list[Subject]:
    """The models, laws and unknown names a comparison is about, in the order the message says them."""
    found: list[tuple[int, Subject]] = []
    for model in find_models(message, catalogue):
        at = message.lower().find(model.name.lower())
        found.append((at if at >= 0 else len(message), Subject(model.name, model=model)))
    initials = {law.name: law_initials(law) for law in catalogue.laws}
    for law in find_laws(message, catalogue):
        stem = law.name.split()[0].lower()
        at = message.lower().find(stem)
        if at < 0 and initials[law.name]:  # "compare the CRA and GDPR"
            said = re.search(rf"\b{initials[law.name]}\b", message, re.I)
            at = said.start() if said else -1
        found.append((at if at >= 0 else len(message), Subject(law.name, law=law)))
    known = ({s.name.lower() for _, s in found} | {a.short.lower() for a in catalogue.abbreviations}
             | {i.lower() for i in initials.values() if i})
    for match in [*_ACRONYM.finditer(message), *_QUOTED.finditer(message)]:
        name = match.groupdict().get("name") or match.group()
        covered = any(name.lower() in k or k in name.lower() for k in known)
        if not covered:
            found.append((match.start(), Subject(name)))
            known.add(name.lower())
    return [s for _, s in sorted(found, key=lambda pair: pair[0])]


def side_by_side(first: Subject, second: Subject, catalogue: Catalogue) -> tuple[str, list[str]]:
    """The comparison's text and the sources it cites (both subjects known)."""
    parts, sources = [f"**{first.name}** and **{second.name}**, side by side:"], []
    for subject in (first, second):
        text, cited = _describe(subject, catalogue)
        parts.append(text)
        sources.extend(cited)
    parts.append(_shared(first, second, catalogue))
    return "\n\n".join(parts), list(dict.fromkeys(sources))


def _describe(subject: Subject, catalogue: Catalogue) -> tuple[str, list[str]]:
    if subject.model is not None:
        model = subject.model
        where = catalogue.topic_of(model.source.doc)
        steps = "\n".join(f"{n}. {step}" for n, step in enumerate(model.steps, 1))
        text = (f"**{model.name}** ({len(model.steps)} steps, in order; {where}):\n{steps}\n"
                f"Where your course uses it: {model.context}")
        return text, [catalogue.cite(model.source.doc, model.source.section)]
    law = subject.law
    assert law is not None
    mentions = list(dict.fromkeys(m.text for m in law.mentions))[:2]
    where = "; ".join(catalogue.topic_of(doc) for doc in law.docs)
    text = f"**{law.name}** (a law; {where}). What your course says:\n" + bulleted(mentions)
    return text, [catalogue.cite(m.source.doc, m.source.section) for m in law.mentions[:2]]


def _shared(first: Subject, second: Subject, catalogue: Catalogue) -> str:
    lines = []
    if first.model is not None and second.model is not None:
        common = [a for a in first.model.steps
                  if any(fuzz.ratio(a.lower(), b.lower()) >= _SAME_STEP for b in second.model.steps)]
        only_first = [s for s in first.model.steps if s not in common]
        only_second = [b for b in second.model.steps
                       if not any(fuzz.ratio(a.lower(), b.lower()) >= _SAME_STEP for a in common)]
        if common:
            lines.append(f"What they share: both include {_and(common)}.")
        else:
            lines.append("What they share: no step in common.")
        lines.append(f"Where they differ: only {first.name} has {_and(only_first) or 'no other step'}; "
                     f"only {second.name} has {_and(only_second) or 'no other step'}.")
        if len(first.model.steps) != len(second.model.steps):
            lines.append(f"{first.name} has {len(first.model.steps)} steps, "
                         f"{second.name} has {len(second.model.steps)}.")
    else:
        kinds = {s.name: "a model" if s.model is not None else "a law" for s in (first, second)}
        if kinds[first.name] != kinds[second.name]:
            lines.append(f"Where they differ: {first.name} is {kinds[first.name]}, "
                         f"{second.name} is {kinds[second.name]}.")
    both = [doc for doc in first.docs if doc in second.docs]
    if both:
        lines.append(f"Both appear in {_and([catalogue.topic_of(d) for d in both])}.")
    else:
        lines.append(f"Your course covers them in different topics: {first.name} in "
                     f"{_and([catalogue.topic_of(d) for d in first.docs])}, {second.name} in "
                     f"{_and([catalogue.topic_of(d) for d in second.docs])}.")
    return "\n".join(lines)
