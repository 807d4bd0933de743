"""Index benchmark: build time and query latency at 5, 500 and 5,000 documents.

Larger sets are generated from the real topic documents: each generated document takes the
sections of a real one and rewrites every bullet with a case-study clause made of words drawn
from the corpus, so every passage is distinct (the embedding cache cannot short-cut the build).
Also prints build throughput against the model's raw ``encode`` throughput on the same passages.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from actions.knowledge.base import KnowledgeBase  # noqa: E402
from actions.knowledge.embedding import default_encoder  # noqa: E402
from actions.knowledge.parser import document_paths  # noqa: E402
from actions.knowledge.passages import passages_of  # noqa: E402


def generate(
    seeds: list[Path], count: int, target: Path, rng: random.Random, bullets: int | None
) -> None:
    """Write ``count`` documents into ``target``: the seeds first, then rewritten copies keeping
    at most ``bullets`` bullets per section (all when None)."""
    target.mkdir(parents=True, exist_ok=True)
    texts = [p.read_text(encoding="utf-8") for p in seeds]
    vocab = sorted({w for t in texts for w in re.findall(r"[a-z]{5,}", t.lower())})
    for i in range(count):
        source = texts[i % len(texts)]
        if i < len(texts):
            (target / seeds[i].name).write_text(source, encoding="utf-8")
            continue
        lines: list[str] = []
        kept = 0
        for line in source.splitlines():
            if not line.startswith("- "):
                kept = 0
            elif bullets is not None and kept >= bullets:
                continue
            else:
                kept += 1
            if line.startswith("- "):
                extra = " ".join(rng.sample(vocab, 6))
                line = f"{line.rstrip('.')}; in case study {i} this means {extra}."
            lines.append(line)
        (target / f"{i:05d}_generated.txt").write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 500, 5000])
    parser.add_argument("--queries", type=int, default=60, help="Timed queries per size.")
    parser.add_argument("--bullets", type=int, default=None,
                        help="Bullets per section in generated documents (default: all, as in the "
                             "seeds; 1 makes 5,000 documents buildable in minutes on 2 cores).")
    parser.add_argument("--raw-sample", type=int, default=4000,
                        help="Passages timed through raw encode (all when fewer).")
    args = parser.parse_args()
    rng = random.Random(1)
    seeds = document_paths(ROOT / "knowledge")
    questions = [c["q"] for c in yaml.safe_load(
        (ROOT.parent / "shared/eval/qa.yml").read_text(encoding="utf-8"))]
    encoder = default_encoder()
    encoder.encode(["warm up the model"] * 8)
    print(f"{'docs':>6} {'passages':>9} {'build s':>8} {'build p/s':>10} {'encode p/s':>11} "
          f"{'ratio':>6} {'q median ms':>12} {'q p95 ms':>9}")
    medians: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            folder = Path(tmp) / f"k{size}"
            generate(seeds, size, folder, rng, args.bullets)
            kb = KnowledgeBase(folder, Path(tmp) / f"i{size}", encoder=encoder)
            started = time.perf_counter()
            corpus, report = kb.rebuild()
            build = time.perf_counter() - started
            assert report is not None, corpus.problems
            passages = [p.search_text for d in corpus.documents for p in passages_of(d)]
            sample = passages if len(passages) <= args.raw_sample else rng.sample(
                passages, args.raw_sample)
            started = time.perf_counter()
            encoder.encode(sample)
            raw = len(sample) / (time.perf_counter() - started)
            built = len(passages) / build
            kb.search("warm up", k=5)
            timings = []
            for n in range(args.queries):
                query = questions[n % len(questions)]
                kb.forget_embeddings()
                started = time.perf_counter()
                kb.search(query, k=5)
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            medians[size] = statistics.median(timings)
            p95 = timings[int(0.95 * (len(timings) - 1))]
            print(f"{size:>6} {len(passages):>9} {build:>8.1f} {built:>10.0f} {raw:>11.0f} "
                  f"{built / raw:>6.0%} {medians[size]:>12.1f} {p95:>9.1f}")
    smallest, largest = min(medians), max(medians)
    print(f"\nquery latency at {largest} documents is {medians[largest] / medians[smallest]:.2f}x "
          f"that at {smallest} (median)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
