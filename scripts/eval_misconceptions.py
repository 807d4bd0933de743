"""Misconception detection on the engine alone (no Rasa): precision, recall, F1, false corrections.

Usage: .venv/bin/python scripts/eval_misconceptions.py [--dev FILE] [--own FILE] [--folds 5]
       [--unseen own:12] [--misses] [--show-unseen] [--skip-unseen]

Prints, for the detector with its shipped parameters and for a baseline (plain MiniLM cosine
between the message and the closest claim or belief, over a threshold):
  (a) the shared development set (../shared/eval/misconceptions.yml),
  (b) our own cases (knowledge/examples/misconceptions.yml and the unseen blocks in
      tests/data/misconception_cases*.yml: every `held*` / `not_held*` block; each block is also
      printed on its own),
  (c) stratified k-fold cross-validation over the union of (a) and (b) less the `--unseen`
      blocks, where the parameters (threshold, margin and penalty; the baseline's threshold) are
      fitted on the training folds only and scored on the held-out fold, so the figure says how
      well the fitting generalises,
  (c') the same with each block left out in turn (fitted on the other blocks, scored on it),
      which is closer to how a block written later in another style fares,
  (d) the shipped detector's false corrections on every not-held message (the unseen blocks' only
      with --show-unseen: once read, a block is no longer unseen), the parameters fitted on all
      cases but the unseen blocks (what actions/answers/misconceptions.py ships), and the time the
      detector takes per message.
--skip-unseen leaves the unseen blocks out altogether (not even their totals are printed): for
runs made while tuning, so that the unseen block is scored only before and after a round.
A held message counts as corrected when any misconception is quoted; `right` also checks that the
quoted one has every `expect` group. (c) and (c') refit only the three parameters: the reading
rules (actions/answers/stance.py) and the rows were written while reading the errors of the blocks
fitted on, so both still flatter the detector; only a block never read measures it.

The learned judge (actions/answers/misconception_judge.py) learns from the own blocks that ship
in knowledge/examples/misconceptions.yml (own:1 to own:26). Each own block is scored with
a judge fitted on the others (left out in turn); the development set and the unseen block with the
judge that ships (fitted on every own block, never on those). Own cases are read from that file
and from --own (the unseen blocks). Misses and false corrections listed are the judge's.

The unseen block is own:27 (tests/data/misconception_cases.yml), written 2026-12-02 by a helper
who saw only the topic documents (learners whose first language is not English: formal or
unusual grammar, literal translations, "is it correct that", question tags, a few unpunctuated
voice-to-text run-ons; 23 held, 20 not held) and committed before it was run, after own:26
(scored twice) joined the examples. Scored once before the round: judge F1 0.96 (P 0.92, R 1.00,
2/20 false); rules 0.60. The round changed two settings, swept on the own blocks left out in
turn: the judge's bar 0.7 -> 0.72 and its lower bar when the rules hold a message too 0.4 -> 0.5
(F1 0.908 -> 0.910, false corrections 66 -> 54 of 1233, 0.88 in 20; dev unchanged, 1.00, 0/16).
own:27 after: F1 0.98 (P 0.96, R 1.00), 1/20; own:26 (now learned from) 0.90, 1/20.

The round before: its unseen block was own:26, written 2026-12-02 by a helper
who saw only the topic documents (a class study-group chat: @replies, "+1", emoji and imo/tbf/ngl,
past-tense shift stories, long rambles and one-liners) and committed before it was run, after
own:23 (scored twice) joined the examples. Scored once before the round: judge F1 0.90 (P 0.95,
R 0.86, 1/20 false); rules 0.50. The round changed one setting, the judge's lower bar when the
rules hold a message too, 0.15 -> 0.4 (swept on the own blocks left out in turn: 74 -> 64 of
1213 false corrections, F1 0.908 -> 0.907; dev unchanged). Own blocks left out in turn after:
F1 0.91 (P 0.94, R 0.87), 65/1213 false; own:26 after: F1 0.90, 1/20.

The round before: its unseen block was own:23, written 2026-12-02 by a helper
who saw only the topic documents (plain one- or two-sentence chat messages typed the night before
the exam, with typos) and committed before it was run, after own:20 (scored twice) joined the
examples. Scored once before the round: judge F1 1.00 (21/21, 0/20 false); rules 0.69. Then two
more helpers' training blocks joined the examples, with no change to the code or thresholds
(own:24: voice-to-text, note-form answers, older returners, learners agreeing with a supervisor,
the voices own:20 was written in; own:25: plain chat, rhetorical challenges, routines reported,
mixed messages). Own blocks left out in turn: F1 0.89 (75/973 false) -> 0.91 (P 0.93, R 0.88,
79/1193); own:23 after: F1 1.00, 0/20.

Two rounds before: its unseen block was own:20, written 2026-12-02 by a helper
who saw only the topic documents (older returners' hedged sentences, note-form exam answers,
learners agreeing with a supervisor, voice-to-text with misheard words) and committed before it
was run, after own:18 (scored twice) joined the examples. Scored once before the round: judge
F1 0.81 (P 0.94, R 0.71, 1/20 false); rules 0.52. The round: two training blocks by two more
helpers (own:21: second-language learners, dyslexic spelling, shift stories, sarcasm, short
messages; own:22: journal entries, note-form answers, chat-speak, workplace jargon, team rules;
105 held and 100 not held each) joined the examples (own blocks left out in turn: F1 0.82, 89/973
false), and the judge's linear feature reads TF-IDF word and character n-grams beside the
embedding (C 8 -> 100; left out in turn 0.89, 75/973; see misconception_judge). After it: own:20
judge F1 0.84 (P 0.94, R 0.76, 1/20 false).

The round before: its unseen block was own:18, written 2026-12-02 by a helper
who saw only the topic documents (dictated run-ons, slang, learners arguing a point, trainee
supervisors) and committed before it was run. Scored once with the judge of the round below (its
first scoring, so a fair figure for that judge on unseen wording): F1 0.88 (P 0.90, R 0.86, 2/20
false); rules 0.56. Then own:15 (scored twice) and a training block own:19 by a third helper (105
held, 100 not held) went into the examples, with no change to the code or thresholds; after it:
own:18 judge F1 0.90 (P 0.95, R 0.86, 1/20 false); own blocks left out in turn 0.83 (66/753).

The round before: its unseen block was own:15, written 2026-12-02 by a helper who
saw only the topic documents, in voices the examples lacked (second-language learners, phone
texts, reflective logs), and committed before it was run. Scored once before the round: rules F1
0.65 (4/20 false), judge F1 0.72 (P 0.87, R 0.62, 2/20). The round: own:12 and own:14 (each scored
twice) moved into the examples; two helpers who saw only the documents wrote training blocks in
other voices, own:16 and own:17 (105 held, 90 not held each); the judge gained a linear feature
(a logistic regression over the embedding, fed out of fold; own blocks left out in turn F1 0.72 ->
0.78 at the old threshold; C 1, 4, 16: 0.75, 0.78, 0.78; the linear "none" probability as a
feature too: 0.78, dropped) and a threshold of 0.7 (0.8: F1 0.78, 44/633 false; 0.7: 0.81, 50;
0.6: 0.84, 60). After it: own:15 judge F1 0.83 (P 0.85, R 0.81, 3/20 false).

The previous round's unseen blocks were own:12 (held_12/not_held_12, then in
tests/data/misconception_cases.yml, written from the documents and committed before it was run
through the detector; scored once before this
round: rules F1 0.62, judge F1 0.74, P 0.93, R 0.62, false corrections 1/20) and own:14
(tests/data/misconception_cases_h13.yml, written by a helper who saw neither the held-out sets nor
own:12, with a training block own:13 in the examples; never read while tuning). This round: the
examples' labels that resolved to the wrong bullet were fixed and own:13 added; after it, own:12
judge F1 0.78 (P 0.93, R 0.67, 1/20) and own:14 0.37 (P 0.55, R 0.29, 5/20: another writer's
informal style, which own:13 left out in turn also shows, F1 0.51). Tried and dropped, own blocks
left out in turn: a cross-encoder fine-tuned from MiniLM (scripts/experiment_cross_encoder.py;
alone F1 0.42-0.66, with the judge within 0.01 of it, 47 ms a message); comparing a message's
sentences with the examples as well as the whole (0.77 -> 0.77); the share of the 12 nearest
examples that hold each misconception as a feature (0.77 -> 0.79, 26 -> 25 false, but "handling
complaints is only ever the team leader's responsibility" dropped from p 0.66 to 0.15).
own:10 was the unseen block of the previous round. Scored once before it: rules F1 0.61 (P 0.77,
R 0.50, false corrections 3/20), judge F1 0.74 (P 0.78, R 0.70, 4/20); and once after it: judge
F1 0.72 (P 0.81, R 0.65, 3/20). That round: negation-parity features (tried, dropped), a lower bar
(judging.AGREED) when the rules hold the message too, the documents' own words as examples, a
training block own:11 of hard cases (correct practice in the first person, double negatives), and
the threshold raised to 0.8. A learner trial typed a message close to one of own:10's correct views
during the round ("I keep my arms uncrossed when a customer is talking"). own:10 then moved into
the examples.
own:9 was the unseen block of the round that built the judge: rules F1 0.63 (P 0.85, R 0.50,
2/22) before it, judge 0.73 (P 0.79, R 0.68, 4/22) after; it then moved into the examples.
Earlier rounds, rules only: own:8 0.71 then 0.73, own:7 0.84, own:6 0.57 then 0.67: the
reading rules written from a block's errors barely carried over to unseen wording, which is why
the judge exists.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.answers import misconception_judge as judging  # noqa: E402
from actions.answers.misconceptions import (  # noqa: E402
    MisconceptionDetector,
    Params,
    document_examples,
    evidence,
)
from actions.knowledge.base import KnowledgeBase  # noqa: E402

DEV = ROOT.parent / "shared/eval/misconceptions.yml"
OWN = (ROOT / "tests/data/misconception_cases.yml",)
EXAMPLES = ROOT / "knowledge/examples/misconceptions.yml"
THRESHOLDS = np.round(np.arange(0.10, 0.80, 0.01), 2)
MARGINS = np.round(np.arange(-0.30, 0.31, 0.02), 2)
PENALTIES = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 2.0)
SEED = 7
UNSEEN = ("own:27",)  # blocks written before this round's tuning: scored, never fitted on or read
FALSE_CORRECTION_COST = 0.01  # fitting maximises F1 less this per false correction


@dataclass(frozen=True)
class Case:
    say: str
    held: bool
    block: str
    expect: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Figures:
    precision: float
    recall: float
    f1: float
    false_corrections: int
    not_held: int
    right: int  # held messages corrected with the expected misconception
    held: int

    def line(self, label: str) -> str:
        return (f"{label:<36} P {self.precision:.2f}  R {self.recall:.2f}  F1 {self.f1:.2f}  "
                f"false corrections {self.false_corrections}/{self.not_held}  "
                f"right misconception {self.right}/{self.held}")


def load(path: Path, name: str) -> list[Case]:
    """Every case of every `held*` and `not_held*` block of ``path``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for key, cases in data.items():
        held = not key.startswith("not_held")
        block = f"{name}:{key.removeprefix('not_').removeprefix('held').lstrip('_') or '1'}"
        out += [Case(c["say"], held, block, tuple(tuple(g) for g in c.get("expect", [])))
                for c in cases]
    return out


def figures(cases: list[Case], picked: list[int | None], texts: list[str]) -> Figures:
    """Scores of ``picked`` (a misconception index or None per case) against the labels."""
    pairs = list(zip(cases, picked, strict=True))
    tp = sum(p is not None and c.held for c, p in pairs)
    fp = sum(p is not None and not c.held for c, p in pairs)
    fn = sum(p is None and c.held for c, p in pairs)
    right = sum(
        p is not None and c.held
        and all(any(alt.lower() in texts[p].lower() for alt in group) for group in c.expect)
        for c, p in pairs
    )
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Figures(precision, recall, f1, fp, sum(not c.held for c in cases), right,
                   sum(c.held for c in cases))


def _objective(labels: np.ndarray, fired: np.ndarray) -> float:
    tp = int((fired & labels).sum())
    fp = int((fired & ~labels).sum())
    fn = int((~fired & labels).sum())
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return f1 - FALSE_CORRECTION_COST * fp


class Evaluation:
    """Every case scored once; parameters are then applied (and fitted) without re-encoding."""

    def __init__(self, detector: MisconceptionDetector, cases: list[Case]) -> None:
        self.detector = detector
        self.cases = cases
        self.labels = np.array([c.held for c in cases])
        detector.scores("warm up the parser and the encoder")
        started, cpu = time.perf_counter(), time.process_time()
        scores = [detector.scores(c.say) for c in cases]
        self.scores = scores
        self.ms_per_message = 1000 * (time.perf_counter() - started) / max(len(cases), 1)
        self.cpu_ms_per_message = 1000 * (time.process_time() - cpu) / max(len(cases), 1)
        table = detector._rows()
        n = len(table.misconceptions)
        self.texts = [m.text for m in table.misconceptions]
        self.asserts = np.array([s is not None for s in scores])
        blank = np.full(n, -1.0)
        self.about = np.stack([s.about if s else blank for s in scores])
        penalties = {*PENALTIES, detector.params.penalty}
        self.gaps = {p: np.stack([s.gap(p) if s else blank for s in scores]) for p in penalties}
        # baseline: plain cosine of the whole message with each belief and claim, as written
        owners = [i for i, m in enumerate(table.misconceptions) for _ in (*m.claims, m.belief)]
        rows = detector.kb.encoder.encode(
            [t for m in table.misconceptions for t in (*(c.text for c in m.claims), m.belief)])
        sims = detector.kb.encoder.encode([c.say for c in cases]) @ rows.T
        owner = np.array(owners)
        self.cosine = np.stack([sims[:, owner == i].max(axis=1) for i in range(n)], axis=1)

    def _choice(self, idx: list[int], penalty: float) -> tuple[np.ndarray, ...]:
        """Per case: the misconception chosen, the message's closeness to it (with the share of
        the gap that ``evidence`` adds) and how far it takes its mistaken side over its correct
        side (as MisconceptionDetector.decide computes them)."""
        best = self.about[idx].argmax(axis=1)
        rows = np.arange(len(idx))
        gap = self.gaps[penalty][idx][rows, best]
        closeness = np.where(self.asserts[idx], evidence(self.about[idx][rows, best], gap), -1.0)
        return best, closeness, gap

    def picked(self, idx: list[int], params: Params) -> list[int | None]:
        best, closeness, gap = self._choice(idx, params.penalty)
        fired = (closeness >= params.threshold) & (gap >= params.margin)
        return [int(b) if f else None for b, f in zip(best, fired, strict=True)]

    def baseline(self, idx: list[int], threshold: float) -> list[int | None]:
        best = self.cosine[idx].argmax(axis=1)
        return [int(b) if self.cosine[i, b] >= threshold else None
                for i, b in zip(idx, best, strict=True)]

    def fit(self, idx: list[int]) -> Params:
        """The parameters with the best objective on ``idx`` (ties: the stricter)."""
        labels = self.labels[idx]
        best_key, best = None, None
        for penalty in PENALTIES:
            _, closeness, gap = self._choice(idx, penalty)
            for t, m in itertools.product(THRESHOLDS, MARGINS):
                key = (_objective(labels, (closeness >= t) & (gap >= m)), t, m, -penalty)
                if best_key is None or key > best_key:
                    best_key, best = key, Params(float(t), float(m), float(penalty))
        assert best is not None
        return best

    def fit_baseline(self, idx: list[int]) -> float:
        labels = self.labels[idx]
        top = self.cosine[idx].max(axis=1)
        return float(max(THRESHOLDS, key=lambda t: (_objective(labels, top >= t), t)))


THRESHOLDS_JUDGE = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.72, 0.8)


class JudgeEvaluation:
    """The learned judge (actions/answers/misconception_judge.py) scored without its own cases:
    each own block with a judge fitted on the other own blocks (leave one block out); the
    development set and the unseen blocks with the judge fitted on every own block, which is
    what ships (the development set and unseen blocks are never learned from)."""

    def __init__(self, ev: Evaluation, unseen: tuple[str, ...]) -> None:
        detector, cases = ev.detector, ev.cases
        self.ev = ev
        items = detector._rows().misconceptions
        self.n = len(items)
        def target(case: Case) -> int:  # -2: held, but its misconception is not found
            if not case.held:
                return -1
            found = judging.resolve([list(g) for g in case.expect], items)
            return -2 if found is None else found

        self.examples = [judging.Example(c.say, target(c), c.block) for c in cases]
        self.readings = [detector.reading(c.say, s) if s is not None else None
                         for c, s in zip(cases, ev.scores, strict=True)]
        self.vectors = detector.kb.encoder.encode([c.say for c in cases])  # unit length
        # the documents' own examples are learned from in every fit, and never scored
        documents = document_examples(items)
        self.examples += documents
        self.readings += [detector.reading(e.say) for e in documents]
        self.vectors = np.concatenate(
            [self.vectors, detector.kb.encoder.encode([e.say for e in documents])])
        blocks = np.array([c.block for c in cases] + [e.block for e in documents])
        learnable = np.array([(b.startswith("own:") and b not in unseen) or b == "documents"
                              for b in blocks])
        self.best = np.full(len(blocks), -1)
        self.chance = np.zeros(len(blocks))
        started = time.perf_counter()
        for block in dict.fromkeys(blocks[learnable & (blocks != "documents")]):
            self._judge(blocks == block, learnable & (blocks != block))
        self._judge(~learnable, learnable)  # the judge that ships scores dev and unseen
        self.best, self.chance = self.best[:len(cases)], self.chance[:len(cases)]
        self.fit_seconds = (time.perf_counter() - started) / (len(set(blocks[learnable])) + 1)

    def _judge(self, test: np.ndarray, use: np.ndarray) -> judging.Judge:
        judge = judging.Judge.fit(self.readings, self.vectors, self.examples, self.n, use)
        for i in np.flatnonzero(test):
            if self.readings[i] is not None:
                p = judge.probabilities(self.readings[i])
                self.best[i], self.chance[i] = int(p.argmax()), float(p.max())
        return judge

    def picked(self, idx: list[int], threshold: float) -> list[int | None]:
        """As MisconceptionDetector.check decides: the judge's choice when its probability
        reaches ``threshold``, or judging.AGREED when the rules hold the message too."""
        rules = self.ev.picked(idx, self.ev.detector.params)
        return [int(self.best[i]) if self.readings[i] is not None and self.chance[i] >= (
                    threshold if r is None else min(threshold, judging.AGREED)) else None
                for i, r in zip(idx, rules, strict=True)]


def folds(cases: list[Case], k: int, seed: int = SEED) -> list[list[int]]:
    """Stratified folds: held and not-held cases dealt out in turn after a seeded shuffle."""
    rng = np.random.default_rng(seed)
    out: list[list[int]] = [[] for _ in range(k)]
    for label in (True, False):
        idx = [i for i, c in enumerate(cases) if c.held is label]
        for n, i in enumerate(rng.permutation(idx)):
            out[n % k].append(int(i))
    return out


def _show(p: Params) -> str:
    return f"(threshold {p.threshold:.2f}, margin {p.margin:+.2f}, penalty {p.penalty:.2f})"


def report(dev: Path = DEV, own: tuple[Path, ...] = OWN, k: int = 5, knowledge: Path = ROOT / "knowledge",
           misses: bool = False, unseen: tuple[str, ...] = UNSEEN,
           show_unseen: bool = False, skip_unseen: bool = False) -> dict[str, Figures]:
    """Print the figures and return them by name."""
    cases = load(dev, "dev") + load(EXAMPLES, "own") + [c for path in own for c in load(path, "own")]
    if skip_unseen:
        cases = [c for c in cases if c.block not in unseen]
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(knowledge, Path(tmp))
        kb.rebuild()
        detector = MisconceptionDetector(kb, examples=Path(tmp) / "none.yml")  # rules alone
        ev = Evaluation(detector, cases)
        jev = JudgeEvaluation(ev, unseen)
    shipped = detector.params
    print(f"{sum(c.block.startswith('dev') for c in cases)} dev cases, "
          f"{sum(c.block.startswith('own') for c in cases)} own cases, {len(ev.texts)} "
          f"misconceptions; shipped parameters {_show(shipped)}")
    everything = list(range(len(cases)))
    sets = {"dev": [i for i in everything if cases[i].block.startswith("dev")],
            "own": [i for i in everything if cases[i].block.startswith("own")]}
    sets |= {block: [i for i in everything if cases[i].block == block]
             for block in dict.fromkeys(c.block for c in cases) if block.startswith("own:")}
    out: dict[str, Figures] = {}
    seen = [i for i in everything if cases[i].block not in unseen]
    base_t = ev.fit_baseline(seen)
    for name, idx in sets.items():
        sub = [cases[i] for i in idx]
        out[name] = figures(sub, ev.picked(idx, shipped), ev.texts)
        out[f"{name}_baseline"] = figures(sub, ev.baseline(idx, base_t), ev.texts)
        print(out[name].line(f"({name}) detector"))
        print(out[f"{name}_baseline"].line(f"({name}) baseline cosine >= {base_t:.2f}"))
    print("(baseline threshold fitted on all cases but the unseen blocks, so its other lines "
          "flatter it)")
    picked: list[int | None] = [None] * len(cases)
    base: list[int | None] = [None] * len(cases)
    fitted = []
    kfold_cases = [cases[i] for i in seen]
    for fold in folds(kfold_cases, k):
        test = [seen[i] for i in fold]
        train = [i for i in seen if i not in set(test)]
        params = ev.fit(train)
        fitted.append(params)
        for i, p in zip(test, ev.picked(test, params), strict=True):
            picked[i] = p
        for i, p in zip(test, ev.baseline(test, ev.fit_baseline(train)), strict=True):
            base[i] = p
    out["kfold"] = figures(kfold_cases, [picked[i] for i in seen], ev.texts)
    out["kfold_baseline"] = figures(kfold_cases, [base[i] for i in seen], ev.texts)
    without = f" (without {', '.join(unseen)})" if unseen else ""
    print(out["kfold"].line(f"({k}-fold{without}) detector"))
    print(out["kfold_baseline"].line(f"({k}-fold{without}) baseline"))
    print("fitted per fold: " + ", ".join(_show(p) for p in fitted))
    # leave one block out: each block (written at one sitting, in one style) scored with the
    # parameters fitted on the others, as an unseen block is; stratified folds mix every block's
    # styles into training, so they flatter the fitting more
    blocks = list(dict.fromkeys(cases[i].block for i in seen))
    lobo: list[int | None] = [None] * len(cases)
    for block in blocks:
        test = [i for i in seen if cases[i].block == block]
        params = ev.fit([i for i in seen if cases[i].block != block])
        for i, p in zip(test, ev.picked(test, params), strict=True):
            lobo[i] = p
    out["lobo"] = figures(kfold_cases, [lobo[i] for i in seen], ev.texts)
    print(out["lobo"].line(f"(leave one block out{without})"))
    print(f"fitted on all cases{without}: {_show(ev.fit(seen))}")
    print(f"learned judge (threshold {judging.THRESHOLD}, {judging.AGREED} when the rules hold "
          f"it too; fitted in {jev.fit_seconds:.1f} s): "
          "each own block judged by a judge fitted on the other own blocks; dev and unseen "
          "blocks by the one fitted on every own block (what ships; never fitted on them)")
    judged = {name: figures([cases[i] for i in idx], jev.picked(idx, judging.THRESHOLD), ev.texts)
              for name, idx in sets.items() if name != "own"}
    own_seen = [i for i in sets["own"] if cases[i].block not in unseen]
    judged["own (leave one block out)"] = figures(
        [cases[i] for i in own_seen], jev.picked(own_seen, judging.THRESHOLD), ev.texts)
    for name, fig in judged.items():
        print(fig.line(f"({name}) judge"))
        out[f"judge {name}"] = fig
    print("  by threshold, own blocks left out in turn: " + "; ".join(
        f"{t}: F1 {figures([cases[i] for i in own_seen], jev.picked(own_seen, t), ev.texts).f1:.2f}"
        f" ({figures([cases[i] for i in own_seen], jev.picked(own_seen, t), ev.texts).false_corrections}"
        " false)" for t in THRESHOLDS_JUDGE))
    print(f"detector: {ev.ms_per_message:.1f} ms per message, {ev.cpu_ms_per_message:.1f} ms of "
          f"CPU (parse, encode, compare; {len(cases)} messages, one at a time; the wall time "
          f"depends on the machine's load, the CPU time less)")
    shipped_picks = jev.picked(everything, judging.THRESHOLD)
    shown = [show_unseen or c.block not in unseen for c in cases]
    print("false corrections by the judge (own blocks: left out in turn)" + ("" if show_unseen else
          f" (unseen blocks not shown: {', '.join(unseen)})") + ":")
    for case, p, show in zip(cases, shipped_picks, shown, strict=True):
        if p is not None and not case.held and show:
            print(f"    [{case.block}] {case.say} -> {ev.texts[p][:70]}")
    if misses:
        print("held messages it misses or corrects with the wrong misconception:")
        for case, p, show in zip(cases, shipped_picks, shown, strict=True):
            if show and case.held and (p is None or figures([case], [p], ev.texts).right == 0):
                quoted = f" -> {ev.texts[p][:60]}" if p is not None else ""
                print(f"    [{case.block}] {'wrong' if p is not None else 'missed'}: {case.say}{quoted}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEV)
    parser.add_argument("--own", type=Path, nargs="*", default=list(OWN))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--misses", action="store_true", help="Also list every held message missed.")
    parser.add_argument("--unseen", nargs="*", default=list(UNSEEN),
                        help="Blocks scored but left out of fitting and k-fold (default: %(default)s).")
    parser.add_argument("--show-unseen", action="store_true",
                        help="Also list the unseen blocks' errors (they are no longer unseen then).")
    parser.add_argument("--skip-unseen", action="store_true",
                        help="Leave the unseen blocks out altogether (for runs made while tuning).")
    args = parser.parse_args()
    report(args.dev, args.own, args.folds, misses=args.misses, unseen=tuple(args.unseen),
           show_unseen=args.show_unseen, skip_unseen=args.skip_unseen)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
