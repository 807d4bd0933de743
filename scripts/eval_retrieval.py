"""Retrieval evaluation: how often the expected content is in the top 1 and top 3 passages.

Runs ``../shared/eval/qa.yml`` (or ``--cases FILE``) through dense-only, BM25-only and hybrid search
over a fresh index of ``knowledge/`` and prints the hit counts side by side.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.knowledge.base import KnowledgeBase  # noqa: E402
from actions.knowledge.index import Mode  # noqa: E402


def contains_all(text: str, groups: list[list[str]]) -> bool:
    """True when every group has at least one alternative in ``text`` (case-insensitive)."""
    low = text.lower()
    return all(any(alt.lower() in low for alt in group) for group in groups)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=Path, default=ROOT.parent / "shared/eval/qa.yml")
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--verbose", action="store_true", help="Print every miss.")
    args = parser.parse_args()
    cases = yaml.safe_load(args.cases.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        base = KnowledgeBase(args.knowledge, Path(tmp))
        corpus, report = base.rebuild()
        if report is None:
            print("\n".join(map(str, corpus.problems)))
            return 1
        questions = [c["q"] for c in cases]
        print(f"{len(cases)} questions, {len(base.catalogue.documents)} documents\n")
        print(f"{'ranking':<8} {'top-1':>7} {'top-3':>7}")
        results = {}
        for mode in (Mode.DENSE, Mode.BM25, Mode.HYBRID):
            rankings = base.search_many(questions, k=3, mode=mode)
            top1 = top3 = 0
            for case, hits in zip(cases, rankings, strict=True):
                texts = [h.passage.text for h in hits]
                hit1 = bool(texts) and contains_all(texts[0], case["expect"])
                hit3 = contains_all(" ".join(texts), case["expect"])
                top1 += hit1
                top3 += hit3
                if args.verbose and not hit3:
                    print(f"  miss [{mode}] {case['q']!r} -> {[t[:60] for t in texts]}")
            results[mode] = (top1, top3)
            print(f"{mode.value:<8} {top1:>3}/{len(cases):<3} {top3:>3}/{len(cases):<3}")
    hybrid = results[Mode.HYBRID][1]
    beats = all(hybrid > results[m][1] for m in (Mode.DENSE, Mode.BM25))
    print(f"\nhybrid top-3 beats dense-only and BM25-only: {'yes' if beats else 'no'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
