"""Evaluate the running bot over REST on the development cases, and NLU by cross-validation.

Prints: questions answered with the expected content, multi-turn scenarios passed, misconception
precision/recall/F1, false corrections on correct statements, the engine-level k-fold misconception
figures (``scripts/eval_misconceptions.py``), and intent F1 from ``rasa test nlu --cross-validation``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from botclient import ROOT, Learner, add_target_options, rasa_url

sys.path.insert(0, str(ROOT))
from actions.knowledge.model import SECTION_LABELS

EVAL = ROOT.parent / "shared" / "eval"
OWN = ROOT / "tests" / "data"  # cases written before tuning, beside the shared development set


def contains_all(text: str, groups: list[list[str]]) -> bool:
    low = text.lower()
    return all(any(str(alt).lower() in low for alt in group) for group in groups)


def eval_questions(url: str, client: httpx.Client, cases: list[dict], verbose: bool,
                   label: str = "questions answered with the expected content") -> None:
    good = 0
    for case in cases:
        reply = Learner(url, client).reply_text(case["q"])
        ok = contains_all(reply, case["expect"])
        good += ok
        if verbose and not ok:
            print(f"  miss: {case['q']!r} -> {reply[:160]!r}")
    print(f"{label}: {good}/{len(cases)}")


NOT_FOUND = "couldn't find anything"


def scenario_failures(url: str, client: httpx.Client, scenario: dict) -> list[str]:
    """Play one multi-turn scenario as a fresh learner; what went wrong, turn by turn."""
    learner = Learner(url, client)
    failures = []
    for n, turn in enumerate(scenario["turns"], 1):
        reply = learner.reply_text(turn["say"])
        low = reply.lower()
        if "expect" in turn and (not contains_all(reply, turn["expect"]) or NOT_FOUND in low):
            failures.append(f"turn {n} {turn['say']!r} lacks {turn['expect']}: {reply[:160]!r}")
        for word in turn.get("forbid", []):
            if word.lower() in low:
                failures.append(f"turn {n} {turn['say']!r} says {word!r}: {reply[:160]!r}")
    return failures


def eval_scenarios(url: str, client: httpx.Client, scenarios: list[dict], verbose: bool,
                   label: str = "multi-turn scenarios passed") -> None:
    passed = 0
    for scenario in scenarios:
        failures = scenario_failures(url, client, scenario)
        passed += not failures
        if verbose:
            for failure in failures:
                print(f"  {scenario['name']}: {failure}")
    print(f"{label}: {passed}/{len(scenarios)}")


def corrects(reply: str) -> bool:
    """The reply corrects a misconception: it says so, not merely cites the section named
    'Common Misconceptions & Mistakes to Avoid' (an answer about what to avoid does that)."""
    for label in SECTION_LABELS.values():
        reply = reply.replace(label, "")
    return "misconception" in reply.lower()


def eval_misconceptions(url: str, client: httpx.Client, cases: dict, verbose: bool,
                        label: str = "misconceptions") -> None:
    tp = fn = fp = content = 0
    held = [c for key, block in cases.items() if not key.startswith("not_held") for c in block]
    not_held = [c for key, block in cases.items() if key.startswith("not_held") for c in block]
    for case in held:
        reply = Learner(url, client).reply_text(case["say"])
        corrected = corrects(reply)
        tp += corrected
        fn += not corrected
        content += corrected and contains_all(reply, case.get("expect", []))
        if verbose and not corrected:
            print(f"  not corrected: {case['say']!r} -> {reply[:120]!r}")
    for case in not_held:
        reply = Learner(url, client).reply_text(case["say"])
        wrong = corrects(reply)
        fp += wrong
        if verbose and wrong:
            print(f"  false correction: {case['say']!r}")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"{label}: precision {precision:.2f}, recall {recall:.2f}, F1 {f1:.2f} "
          f"({tp}/{len(held)} corrected, {content} with the expected content); "
          f"false corrections {fp}/{len(not_held)}")


def eval_misconceptions_kfold() -> None:
    """The engine-level figures of the rules (k-fold) and of the learned judge (each own block
    left out in turn; the development set), without the unseen block."""
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "eval_misconceptions.py"),
                             "--skip-unseen"],
                            cwd=ROOT, capture_output=True, text=True, timeout=3600)
    lines = [line for line in result.stdout.splitlines()
             if "fold" in line.lower() or line.startswith(("(dev) judge", "(own (leave"))]
    print("misconceptions, engine k-fold (scripts/eval_misconceptions.py):")
    print("\n".join(f"  {line.strip()}" for line in lines) or result.stderr[-1000:])


def eval_nlu(folds: int) -> None:
    rasa = ROOT / ".venv-rasa" / "bin" / "rasa"
    with tempfile.TemporaryDirectory() as out:
        result = subprocess.run(
            [str(rasa), "test", "nlu", "--nlu", "data/nlu", "--config", "bot/config.yml",
             "--cross-validation", "--folds", str(folds), "--out", out],
            cwd=ROOT, capture_output=True, text=True, timeout=3600,
        )
        report = Path(out) / "intent_report.json"
        if result.returncode != 0 or not report.exists():
            print("NLU cross-validation failed:\n" + result.stderr[-2000:])
            return
        data = json.loads(report.read_text())
    weighted = data.get("weighted avg", {})
    macro = data.get("macro avg", {})
    print(f"NLU intent F1 ({folds}-fold cross-validation): weighted {weighted.get('f1-score', 0):.3f}, "
          f"macro {macro.get('f1-score', 0):.3f}, accuracy {data.get('accuracy', 0):.3f}")
    worst = sorted(
        (v["f1-score"], k) for k, v in data.items() if isinstance(v, dict) and "support" in v
        and k not in {"weighted avg", "macro avg", "micro avg"}
    )[:3]
    print("  weakest intents: " + ", ".join(f"{k} {f:.2f}" for f, k in worst))


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    add_target_options(parser)
    parser.add_argument("--no-nlu", action="store_true", help="Skip NLU cross-validation.")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--score-unseen", action="store_true",
                        help="Also play the unseen misconception blocks (tests/data/"
                             "misconception_cases*.yml): once before and once after a round.")
    args = parser.parse_args()
    qa = yaml.safe_load((EVAL / "qa.yml").read_text(encoding="utf-8"))
    mc = yaml.safe_load((EVAL / "misconceptions.yml").read_text(encoding="utf-8"))
    scenarios = yaml.safe_load((EVAL / "scenarios.yml").read_text(encoding="utf-8"))
    with rasa_url(args) as url, httpx.Client(timeout=120) as client:
        eval_questions(url, client, qa, args.verbose)
        eval_questions(url, client, _load(OWN / "qa_heldout.yml"), args.verbose,
                       "  own held-out questions")
        eval_scenarios(url, client, scenarios, args.verbose)
        eval_scenarios(url, client, _load(OWN / "scenarios_heldout.yml"), args.verbose,
                       "  own held-out scenarios")
        for name in ("qa_heldout2.yml",):
            if (OWN / name).exists():
                eval_questions(url, client, _load(OWN / name), args.verbose,
                               f"  own held-out questions ({name})")
        if (OWN / "scenarios_heldout2.yml").exists():
            eval_scenarios(url, client, _load(OWN / "scenarios_heldout2.yml"), args.verbose,
                           "  own held-out scenarios (scenarios_heldout2.yml)")
        eval_misconceptions(url, client, mc, args.verbose)
        if args.score_unseen:
            for path in sorted(OWN.glob("misconception_cases*.yml")):
                eval_misconceptions(url, client, _load(path), args.verbose,
                                    f"  own unseen misconceptions ({path.name})")
        else:
            print("  own unseen misconceptions: not played (--score-unseen)")
    eval_misconceptions_kfold()
    if not args.no_nlu:
        eval_nlu(args.folds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
