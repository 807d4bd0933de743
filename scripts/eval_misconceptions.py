"""Misconception detection on the engine alone (no Rasa): precision, recall, F1, false corrections.

Usage: .venv/bin/python scripts/eval_misconceptions.py [--dev FILE] [--own FILE] [--folds 5]

Prints, for the detector with its default parameters and for a baseline (plain MiniLM cosine with
the closest claim, over a threshold):
  (a) the shared development set (../shared/eval/misconceptions.yml),
  (b) our own held-out cases (tests/data/misconception_cases.yml),
  (c) stratified k-fold cross-validation over their union, where the parameters (threshold and
      margin; the baseline's threshold) are fitted on the training folds and scored on the
      held-out fold, so the figure says how well the fitting generalises.
A held message counts as corrected when any misconception is quoted; `right` also checks that the
quoted one has every `expect` group.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.answers.misconceptions import MisconceptionDetector, Scores  # noqa: E402
from actions.knowledge.base import KnowledgeBase  # noqa: E402

DEV = ROOT.parent / "shared/eval/misconceptions.yml"
OWN = ROOT / "tests/data/misconception_cases.yml"
THRESHOLDS = np.round(np.arange(0.30, 0.80, 0.01), 2)
MARGINS = np.round(np.arange(-0.10, 0.16, 0.02), 2)
SEED = 7


@dataclass(frozen=True)
class Case:
    say: str
    held: bool
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
        return (f"{label:<34} P {self.precision:.2f}  R {self.recall:.2f}  F1 {self.f1:.2f}  "
                f"false corrections {self.false_corrections}/{self.not_held}  "
                f"right misconception {self.right}/{self.held}")


def load(path: Path) -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    held = [Case(c["say"], True, tuple(tuple(g) for g in c.get("expect", []))) for c in data["held"]]
    return held + [Case(c["say"], False) for c in data["not_held"]]


def figures(cases: list[Case], picked: list[int | None], texts: list[str]) -> Figures:
    """Scores of ``picked`` (a misconception index or None per case) against the labels."""
    tp = sum(p is not None and c.held for c, p in zip(cases, picked, strict=True))
    fp = sum(p is not None and not c.held for c, p in zip(cases, picked, strict=True))
    fn = sum(p is None and c.held for c, p in zip(cases, picked, strict=True))
    right = sum(
        p is not None and c.held
        and all(any(alt.lower() in texts[p].lower() for alt in group) for group in c.expect)
        for c, p in zip(cases, picked, strict=True)
    )
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Figures(precision, recall, f1, fp, sum(not c.held for c in cases), right,
                   sum(c.held for c in cases))


def _objective(cases: list[Case], picked: list[int | None], texts: list[str]) -> float:
    """What fitting maximises: F1, less a little for every false correction (the costlier error)."""
    f = figures(cases, picked, texts)
    return f.f1 - 0.02 * f.false_corrections


class Evaluation:
    """Every case scored once; parameters are then applied (and fitted) without re-encoding."""

    def __init__(self, detector: MisconceptionDetector, cases: list[Case]) -> None:
        self.detector = detector
        self.cases = cases
        self.scores: list[Scores | None] = [detector.scores(c.say) for c in cases]
        table = detector._rows()
        self.texts = [m.text for m in table.misconceptions]
        # baseline: the message's plain cosine with every claim row, best row per misconception
        n = len(self.texts)
        self.cosine = np.array([
            [float((table.vectors[table.owners == i] @ detector.kb.embed(c.say)).max()) for i in range(n)]
            for c in cases
        ])

    def picked(self, idx: list[int], threshold: float, margin: float) -> list[int | None]:
        return [self.detector.decide(self.scores[i], threshold, margin) for i in idx]

    def baseline(self, idx: list[int], threshold: float) -> list[int | None]:
        best = self.cosine[idx].argmax(axis=1)
        return [int(b) if self.cosine[i, b] >= threshold else None
                for i, b in zip(idx, best, strict=True)]

    def fit(self, idx: list[int]) -> tuple[float, float]:
        cases = [self.cases[i] for i in idx]
        grid = [(t, m) for t in THRESHOLDS for m in MARGINS]
        return max(grid, key=lambda p: (_objective(cases, self.picked(idx, *p), self.texts),
                                        p[0], p[1]))

    def fit_baseline(self, idx: list[int]) -> float:
        cases = [self.cases[i] for i in idx]
        return max(THRESHOLDS, key=lambda t: (_objective(cases, self.baseline(idx, t), self.texts), t))


def folds(cases: list[Case], k: int, seed: int = SEED) -> list[list[int]]:
    """Stratified folds: held and not-held cases dealt out in turn after a seeded shuffle."""
    rng = np.random.default_rng(seed)
    out: list[list[int]] = [[] for _ in range(k)]
    for label in (True, False):
        idx = [i for i, c in enumerate(cases) if c.held is label]
        for n, i in enumerate(rng.permutation(idx)):
            out[n % k].append(int(i))
    return out


def report(dev: Path = DEV, own: Path = OWN, k: int = 5, knowledge: Path = ROOT / "knowledge",
           misses: bool = False) -> dict:
    """Print the figures and return them by name."""
    dev_cases, own_cases = load(dev), load(own)
    cases = dev_cases + own_cases
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(knowledge, Path(tmp))
        kb.rebuild()
        detector = MisconceptionDetector(kb)
        ev = Evaluation(detector, cases)
    t, m = detector.threshold, detector.margin
    n_dev = len(dev_cases)
    sets = {"dev": list(range(n_dev)), "own": list(range(n_dev, len(cases)))}
    base_t = 0.45
    out: dict[str, Figures] = {}
    print(f"{len(dev_cases)} dev cases, {len(own_cases)} own cases, "
          f"{len(detector._rows().misconceptions)} misconceptions; defaults threshold {t} margin {m}")
    for name, idx in sets.items():
        sub = [cases[i] for i in idx]
        out[f"{name}"] = figures(sub, ev.picked(idx, t, m), ev.texts)
        out[f"{name}_baseline"] = figures(sub, ev.baseline(idx, base_t), ev.texts)
        print(out[name].line(f"({name}) detector"))
        print(out[f"{name}_baseline"].line(f"({name}) baseline cosine >= {base_t}"))
        if misses:
            for i, p in zip(idx, ev.picked(idx, t, m), strict=True):
                if (p is not None) != cases[i].held:
                    quoted = f" -> {ev.texts[p][:60]}" if p is not None else ""
                    print(f"    {'missed' if cases[i].held else 'false'}: {cases[i].say}{quoted}")
    picked: list[int | None] = [None] * len(cases)
    base: list[int | None] = [None] * len(cases)
    fitted = []
    for test in folds(cases, k):
        train = [i for i in range(len(cases)) if i not in set(test)]
        params = ev.fit(train)
        fitted.append(params)
        for i, p in zip(test, ev.picked(test, *params), strict=True):
            picked[i] = p
        for i, p in zip(test, ev.baseline(test, ev.fit_baseline(train)), strict=True):
            base[i] = p
    out["kfold"] = figures(cases, picked, ev.texts)
    out["kfold_baseline"] = figures(cases, base, ev.texts)
    print(out["kfold"].line(f"({k}-fold) detector"))
    print(out["kfold_baseline"].line(f"({k}-fold) baseline cosine"))
    print("fitted per fold (threshold, margin): "
          + ", ".join(f"({a:.2f}, {b:+.2f})" for a, b in fitted))
    print("fitted on all cases: (threshold, margin) = ({:.2f}, {:+.2f})".format(
        *ev.fit(list(range(len(cases))))))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEV)
    parser.add_argument("--own", type=Path, default=OWN)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--misses", action="store_true", help="Also list every wrong decision.")
    args = parser.parse_args()
    report(args.dev, args.own, args.folds, misses=args.misses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
