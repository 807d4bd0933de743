"""Draw the catalogue (models, laws, abbreviations, misconceptions, tips) out of parsed documents.

Nothing here knows a model's or a law's name: everything is found by the shapes in which
documents write them, so a tutor's new document adds to the catalogue with no code change.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from .model import (
    Abbreviation,
    Catalogue,
    Claim,
    Document,
    Guidance,
    Item,
    Law,
    Mention,
    Misconception,
    NamedModel,
    SectionKind,
    Source,
)
from .titles import titled


def _import_schwartz_hearst():
    """Import the Schwartz-Hearst module without the root-logger set-up it does on import."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    from abbreviations import schwartz_hearst

    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("abbreviations").setLevel(logging.WARNING)
    schwartz_hearst.log.setLevel(logging.WARNING)
    return schwartz_hearst


schwartz_hearst = _import_schwartz_hearst()

_QUOTE_OPEN = "'\"‘“"
_QUOTE_CLOSE = "'\"’”"
_QUOTED = rf"[{_QUOTE_OPEN}](?P<quoted>[^{_QUOTE_CLOSE}\n]{{2,80}})[{_QUOTE_CLOSE}]"
_KIND_WORDS = (
    r"model|method|framework|targets?|goals?|objectives?|technique|approach|process|"
    r"acronym|rule|principle|cycle|system|structure|formula"
)
# 'HEAT' model (Hear, ...) | SMART targets (Specific, ...) | 'LAST' (Listen, ...) model
_NAMED_LIST = re.compile(
    rf"(?:{_QUOTED}|\b(?P<caps>[A-Z]{{2,8}})\b)\s*(?P<kind>(?:{_KIND_WORDS})\s*)?"
    r"\((?P<steps>[^()]{3,200})\)\s*(?P<kind_after>" + _KIND_WORDS + r")?"
)
# 'Acknowledge, Respond, Follow-up' framework
_QUOTED_LIST = re.compile(rf"{_QUOTED}\s*(?P<kind>{_KIND_WORDS})\b", re.IGNORECASE)
_ACT = re.compile(
    r"\b(?P<name>(?:[A-Z][\w'’-]*\s+(?:(?:of|and|for|the)\s+)?){1,7}"
    r"(?:Act|Regulations?|Directive)(?:\s+of)?\s+(?P<year>(?:19|20)\d{2}))\b"
)
_ACRONYM = re.compile(r"\b[A-Z]{2,8}\b")
_COORDINATED = re.compile(r"^\s*(?:,\s*(?:and|or)?|and|or|&)\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z'\"‘“(])")

_BELIEF_VERBS = re.compile(
    r"^(?:assuming|believing|thinking|expecting|presuming|feeling)\s+(?:that\s+)?", re.I
)
_CONFUSING = re.compile(r"^(?:confusing|mixing up)\s+(?P<a>.+?)\s+with\s+(?P<b>.+)$", re.I)
_FAIL_TO = re.compile(r"^(?:failing|neglecting|forgetting|refusing)\s+to\s+", re.I)
_NEGATED_GERUND = re.compile(
    r"^(?:not|never|overlooking|ignoring|neglecting|skipping|avoiding)\s+", re.I
)
# Where a misconception's mistaken part ends and its consequence or correction starts.
_TAIL = re.compile(
    r"(?:;\s+|,\s+(?=which\b|leading\b|resulting\b|rather\b|relying\b|so\b|causing\b)"
    r"|,?\s+(?=without\b)|,\s+(?=neglecting\b|ignoring\b|failing\b))",
    re.I,
)
_EXAMPLE = re.compile(r",?\s*(?:such as|for example,?|for instance,?|e\.g\.,?)\s+", re.I)


def sentences(text: str) -> list[str]:
    """Split a bullet into sentences (abbreviations such as e.g. stay whole)."""
    protected = text.replace("e.g.", "e\u2024g\u2024").replace("i.e.", "i\u2024e\u2024")
    parts = _SENTENCE_END.split(protected)
    return [p.replace("\u2024", ".").strip() for p in parts if p.strip()]


def _split_steps(raw: str) -> tuple[str, ...]:
    parts = re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+and\s+", raw.strip())
    return tuple(p.strip(" .;") for p in parts if p.strip(" .;"))


def _initials(steps: Iterable[str]) -> str:
    return "".join(step[0].upper() for step in steps if step)


def _is_acronym(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Z]{2,8}", name))


def extract_models(items: Iterable[Item]) -> list[NamedModel]:
    """Named models with ordered steps, in document order, first definition of a name wins."""
    found: dict[str, NamedModel] = {}
    for item in items:
        for sentence in sentences(item.text):
            for model in _models_in(sentence, item.source):
                found.setdefault(model.name.lower(), model)
    return list(found.values())


def _models_in(sentence: str, source: Source) -> Iterable[NamedModel]:
    for match in _NAMED_LIST.finditer(sentence):
        name = (match["quoted"] or match["caps"] or "").strip()
        steps = _split_steps(match["steps"])
        if len(steps) < 2 or any(len(step.split()) > 5 for step in steps):
            continue
        spelled = _is_acronym(name) and _initials(steps) == name
        named_kind = bool(match["kind"] or match["kind_after"]) and bool(match["quoted"])
        if spelled or named_kind:
            yield NamedModel(name, steps, source, sentence, acronym=spelled)
    for match in _QUOTED_LIST.finditer(sentence):
        steps = _split_steps(match["quoted"])
        if len(steps) >= 2 and all(len(step.split()) <= 4 for step in steps):
            yield NamedModel(match["quoted"].strip(), steps, source, sentence, acronym=False)


def extract_laws(items: list[Item]) -> list[Law]:
    """Acts and regulations (``... Act 2015``), plus acronyms listed alongside them (GDPR)."""
    names: dict[str, int | None] = {}
    for item in items:
        for sentence in sentences(item.text):
            acts = list(_ACT.finditer(sentence))
            for act in acts:
                name = re.sub(r"^(?:\S+\s+)*?[Tt]he\s+", "", act["name"])
                if not any(known.lower() == name.lower() for known in names):
                    names[name] = int(act["year"])
            for acronym in _acronyms_beside(sentence, acts):
                names.setdefault(acronym, None)
    laws = []
    for name, year in names.items():
        mentions = tuple(
            Mention(sentence, item.source)
            for item in items
            for sentence in sentences(item.text)
            if _mentions(sentence, name, year)
        )
        laws.append(Law(name, year, mentions))
    return laws


def _acronyms_beside(sentence: str, acts: list[re.Match[str]]) -> list[str]:
    """Acronyms coordinated with an act in a list: 'the X Act 2015, Y Act 2010, and GDPR'."""
    found = []
    for acronym in _ACRONYM.finditer(sentence):
        for act in acts:
            between = (
                sentence[act.end(): acronym.start()]
                if acronym.start() >= act.end()
                else sentence[acronym.end(): act.start()]
            )
            if _COORDINATED.match(between):
                found.append(acronym.group())
                break
    return found


def _mentions(sentence: str, name: str, year: int | None) -> bool:
    if year is None:
        return re.search(rf"\b{re.escape(name)}\b", sentence) is not None
    base = re.escape(name[: -len(str(year))].strip())
    return re.search(rf"\b{base}\b", sentence, re.I) is not None


def extract_abbreviations(items: Iterable[Item], exclude: set[str]) -> list[Abbreviation]:
    """Abbreviation-definition pairs by the Schwartz-Hearst algorithm, e.g. ``... (NPS)``."""
    found: dict[str, Abbreviation] = {}
    for item in items:
        pairs = schwartz_hearst.extract_abbreviation_definition_pairs(doc_text=item.text)
        for short, long in pairs.items():
            if short in exclude or not _is_acronym(short):
                continue
            if short not in item.text or "," in long or len(long.split()) > 8:
                continue
            found.setdefault(short, Abbreviation(short, long.strip(), item.source))
    return list(found.values())


def extract_misconception(item: Item) -> Misconception:
    """The belief a misconception bullet describes, in plain words, with its correction."""
    text = item.text.rstrip(". ")
    main, tail = _split_tail(text)
    main, example = _split_example(main)
    parts = [p for p in re.split(r";\s+", main) if p]
    claims = [_claim(part) for part in parts]
    if done := _DONE_BUT.match(parts[0]):
        # "Gathering feedback but neglecting to close the loop": the mistaken learner does the
        # first part (held) and leaves the second undone (the claim read from the whole part)
        claims.insert(0, Claim(done["done"][:1].lower() + done["done"][1:], negated=False))
    if example:
        claims.extend(_example_claims(example, parts[0], claims[-1] if done else claims[0]))
    for extra in re.split(r";\s+", tail):
        if _FAIL_TO.match(extra) or _NEGATED_GERUND.match(extra):
            claims.append(_claim(extra))
        elif tail.startswith(extra) and text[len(main):].lstrip(" ,").startswith(";"):
            # "Confusing A with B; A is about C": the sentence after the semicolon is the truth
            claims.append(Claim(extra[:1].lower() + extra[1:], negated=True))
    claims.extend(_neglected_in(tail))
    if instead := _INSTEAD.match(tail):  # "..., relying instead on vague assessments"
        claims.append(Claim(f"{instead['verb']} {instead['what']}".strip(" ."), negated=False))
    claims.extend(_sameness(c) for c in list(claims) if c.negated and _DIFFERENTIATE.match(c.text))
    if without := re.match(r"without\s+(?P<what>.+?)(?:,\s+(?:which|leading|resulting|rather)\b|$)",
                           tail, re.I):
        # "X without Y": the mistaken learner does X and leaves Y undone
        claims.append(Claim(without["what"], negated=not claims[0].negated))
    belief = _plain_belief(parts[0])
    if tail.lower().startswith("without") and belief.endswith(" is fine"):
        without = re.split(r",\s+(?=which|leading|resulting|rather|causing)", tail)[0]
        belief = belief.removesuffix(" is fine") + f" {without} is fine"
    return Misconception(item.text, belief, tail.strip(), tuple(claims), item.source)


# "A but B" in a bullet's mistaken part: A is done, B is the mistake.
_DONE_BUT = re.compile(r"^(?P<done>.+?)\s+but\s+(?=\w+ing\b|not\b|never\b)", re.I)
# Alternatives that are each an action: "crossing arms or avoiding eye contact".
_ACTION_ALTERNATIVES = re.compile(r",?\s+or\s+(?=\w+ing\b)", re.I)


def _example_claims(example: str, part: str, main: Claim) -> list[Claim]:
    """The claims an example gives ("..., such as discussing account details without proper
    verification"). An example that is an action is done by the mistaken learner when the bullet
    says what they do ("mishandling data, such as discussing account details") or names a thing
    they overlook ("overlooking non-verbal cues, such as crossing arms": the cues are what they do
    unheeded); it is left undone when it is an instance of a verb they fail at ("failing to follow
    up, such as calling back"). Alternative actions are claims of their own, each read with its
    own polarity ("avoiding eye contact" is not making it)."""
    sub, form = _read_claim(example)
    if form != "action":  # "for example, not informing customers ...": its own polarity
        return [Claim(sub.text, sub.negated)]
    _, main_form = _read_claim(part)
    overlooked_thing = main_form == "neglect" and not re.match(
        r"^\S+\s+(?:the\s+need\s+to\b|to\b|\w+ing\b)", part.strip(), re.I)
    if not (overlooked_thing and re.match(r"^\w+ing\b", sub.text)):
        return [Claim(sub.text, main.negated)]
    return [Claim(alt.strip(" ,"), negated=False) for alt in _ACTION_ALTERNATIVES.split(sub.text)
            if alt.strip(" ,")]


# What a consequence or contrast clause says the mistaken learner leaves undone:
# "rather than understanding their own role", "... or ignoring company policies".
_NEGLECTED = re.compile(
    r"\b(?:rather than|instead of|(?<!^)ignoring|(?<!^)neglecting|(?<!^)overlooking)\s+"
    r"(?:understanding\s+|recognizing\s+|recognising\s+|considering\s+)?(?P<what>[^,;]+)", re.I
)


# A tail that goes on with what the mistaken learner does in place of the right thing.
_INSTEAD = re.compile(r"^(?P<verb>\w+ing)\s+instead\s+(?P<what>[^,;]+)", re.I)


def _neglected_in(tail: str) -> list[Claim]:
    """Correct-view propositions a tail names as left undone (the mistaken learner's negation)."""
    return [Claim(m["what"].strip(" ."), negated=True) for m in _NEGLECTED.finditer(tail)]


_DIFFERENTIATE = re.compile(
    r"^(?:differentiate|distinguish|tell apart)\s+between\s+(?P<a>.+?)\s+and\s+(?P<b>.+)$", re.I
)


def _sameness(claim: Claim) -> Claim:
    """Not telling A and B apart is holding that they are the same: "A and B are the same"."""
    match = _DIFFERENTIATE.match(claim.text)
    assert match is not None
    return Claim(f"{match['a']} and {match['b']} are the same", negated=False)


def _split_tail(text: str) -> tuple[str, str]:
    match = _TAIL.search(text)
    if not match:
        return text, ""
    return text[: match.start()].strip(" ,"), text[match.end():].strip(" ,")


def _split_example(text: str) -> tuple[str, str]:
    match = _EXAMPLE.search(text)
    if not match:
        return text, ""
    return text[: match.start()].strip(" ,"), text[match.end():].strip(" ,")


def _claim(part: str) -> Claim:
    """The proposition a mistaken learner holds, and whether they hold its negation."""
    return _read_claim(part)[0]


def _read_claim(part: str) -> tuple[Claim, str]:
    """A claim and the form it was written in: belief, fail, neglect or action."""
    part = part.strip(" ,.")
    if " but " in part:
        part = part.split(" but ", 1)[1]
    if match := _CONFUSING.match(part):
        return Claim(f"{match['a']} is the same as {match['b']}", negated=False), "belief"
    if match := _BELIEF_VERBS.match(part):
        return Claim(part[match.end():], negated=False), "belief"
    if match := _FAIL_TO.match(part):
        return Claim(part[match.end():], negated=True), "fail"
    if match := _NEGATED_GERUND.match(part):
        return Claim(part[match.end():], negated=True), "neglect"
    return Claim(part[:1].lower() + part[1:], negated=False), "action"


def _plain_belief(part: str) -> str:
    """Say the mistaken belief the way a learner might: 'the customer is always right'."""
    claim, form = _read_claim(part)
    if form == "fail":
        return f"there is no need to {claim.text}"
    if form == "neglect":
        verb = part.split()[0].lower().removesuffix("ing")
        verb = {"not": "skip", "never": "skip", "overlook": "overlook", "ignor": "ignore",
                "neglect": "neglect", "skipp": "skip", "avoid": "avoid"}.get(verb, "skip")
        return f"it's fine to {verb} {claim.text}"
    if form == "action":
        return f"{claim.text} is fine"
    return claim.text


def build_catalogue(documents: list[Document]) -> Catalogue:
    """Everything the tutor knows by name, drawn from ``documents`` (untitled ones get a title)."""
    documents = titled(documents)
    items = [item for doc in documents for item in doc.items]
    models = extract_models(items)
    laws = extract_laws(items)
    exclude = {m.name for m in models} | {law.name for law in laws}
    return Catalogue(
        documents=list(documents),
        models=models,
        laws=laws,
        abbreviations=extract_abbreviations(items, exclude),
        misconceptions=[
            extract_misconception(item)
            for item in items
            if item.kind is SectionKind.MISCONCEPTIONS
        ],
        tips=[Guidance(i.text, i.source) for i in items if i.kind is SectionKind.TIPS],
        marking_points=[Guidance(i.text, i.source) for i in items if i.kind is SectionKind.MARKING],
    )
