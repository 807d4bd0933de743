"""Hybrid retrieval: dense vectors in faiss plus BM25 (bm25s), fused by reciprocal rank.

MiniLM alone ranks acronym questions ("What does HEAT stand for?") poorly; BM25 matches exact names.
Reciprocal rank fusion combines the two rankings without having to calibrate their scores.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import bm25s
import bm25s.stopwords
import faiss
import numpy as np
import Stemmer

from .passages import Passage

# Flat search is exact and fastest for small sets; HNSW keeps large sets fast.
_HNSW_THRESHOLD = 20_000
_RRF_K = 60
_CANDIDATES = 50
_STEMMER = Stemmer.Stemmer("english")
# English function words, plus the words questions are phrased with, which carry no topic.
_QUESTION_WORDS = ("tell", "explain", "describe", "stand", "stands", "mean", "means", "meaning",
                   "please", "know", "give", "define", "definition")
_STOPWORDS = sorted(set(bm25s.stopwords.STOPWORDS_EN_PLUS) | set(_QUESTION_WORDS))


class Mode(StrEnum):
    HYBRID = "hybrid"
    DENSE = "dense"
    BM25 = "bm25"


@dataclass(frozen=True)
class Hit:
    """A ranked passage: ``score`` orders the ranking, ``similarity`` is its cosine to the query."""

    passage: Passage
    score: float
    similarity: float = 0.0


def _tokenize(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(
        texts, stopwords=_STOPWORDS, stemmer=_STEMMER, return_ids=False, show_progress=False
    )


def _tokenize_ids(texts: list[str]) -> bm25s.tokenization.Tokenized:
    return bm25s.tokenize(texts, stopwords=_STOPWORDS, stemmer=_STEMMER, show_progress=False)


def _dense_index(vectors: np.ndarray) -> faiss.Index:
    dim = vectors.shape[1]
    if len(vectors) >= _HNSW_THRESHOLD:
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 64
        index.hnsw.efSearch = 64
    else:
        index = faiss.IndexFlatIP(dim)
    index.add(vectors)
    return index


class HybridIndex:
    """Passages with their unit vectors, searchable densely, lexically, or both."""

    def __init__(
        self,
        passages: list[Passage],
        vectors: np.ndarray,
        dense: faiss.Index | None,
        bm25: bm25s.BM25 | None,
    ) -> None:
        if len(passages) != len(vectors):
            raise ValueError(f"{len(passages)} passages but {len(vectors)} vectors")
        self.passages = passages
        self.vectors = vectors
        self._dense = dense
        self._bm25 = bm25
        self._rows = {p.id: row for row, p in enumerate(passages)}

    @classmethod
    def build(cls, passages: list[Passage], vectors: np.ndarray) -> HybridIndex:
        """Index ``passages`` whose unit embeddings are the rows of ``vectors``."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if not passages:
            return cls([], vectors.reshape(0, vectors.shape[-1] if vectors.ndim == 2 else 0),
                       None, None)
        bm25 = bm25s.BM25()
        bm25.index(_tokenize_ids([p.search_text for p in passages]), show_progress=False)
        return cls(passages, vectors, _dense_index(vectors), bm25)

    def __len__(self) -> int:
        return len(self.passages)

    def search(
        self, query_vector: np.ndarray, query: str, k: int = 5, mode: Mode = Mode.HYBRID
    ) -> list[Hit]:
        """The ``k`` best passages for ``query`` (whose embedding is ``query_vector``)."""
        if not self.passages or k <= 0 or self._dense is None or self._bm25 is None:
            return []
        depth = min(len(self.passages), max(k, _CANDIDATES))
        if mode is Mode.DENSE:
            hits = self._dense_ranking(query_vector, depth)[:k]
        elif mode is Mode.BM25:
            hits = self._bm25_ranking(query, depth)[:k]
        else:
            hits = self._fuse(
                [self._dense_ranking(query_vector, depth), self._bm25_ranking(query, depth)], k
            )
        return [self._with_similarity(hit, query_vector) for hit in hits]

    def _with_similarity(self, hit: Hit, query_vector: np.ndarray) -> Hit:
        row = self._rows[hit.passage.id]
        return Hit(hit.passage, hit.score, float(self.vectors[row] @ query_vector))

    def _dense_ranking(self, query_vector: np.ndarray, depth: int) -> list[Hit]:
        assert self._dense is not None
        if isinstance(self._dense, faiss.IndexHNSW):
            self._dense.hnsw.efSearch = max(64, depth)
        scores, ids = self._dense.search(query_vector.reshape(1, -1).astype(np.float32), depth)
        return [
            Hit(self.passages[i], float(s)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0
        ]

    def _bm25_ranking(self, query: str, depth: int) -> list[Hit]:
        tokens = _tokenize([query])
        if not tokens or not tokens[0]:
            return []
        assert self._bm25 is not None
        vocab = self._bm25.vocab_dict
        if not any(token in vocab for token in tokens[0]):
            return []
        # n_threads=0 scores in this thread; 1 would start a thread pool for every query
        ids, scores = self._bm25.retrieve(
            [[t for t in tokens[0] if t in vocab]], k=depth, show_progress=False, n_threads=0
        )
        return [
            Hit(self.passages[int(i)], float(s))
            for i, s in zip(ids[0], scores[0], strict=True)
            if s > 0
        ]

    @staticmethod
    def _fuse(rankings: list[list[Hit]], k: int) -> list[Hit]:
        fused: dict[str, float] = {}
        by_id: dict[str, Passage] = {}
        for ranking in rankings:
            for rank, hit in enumerate(ranking):
                fused[hit.passage.id] = fused.get(hit.passage.id, 0.0) + 1.0 / (_RRF_K + rank + 1)
                by_id[hit.passage.id] = hit.passage
        best = sorted(fused.items(), key=lambda kv: kv[1], reverse=True)[:k]
        return [Hit(by_id[pid], score) for pid, score in best]

    def save(self, folder: Path) -> None:
        """Write passages, vectors, the faiss index and the BM25 index into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "passages.json").write_text(
            json.dumps([p.to_json() for p in self.passages], ensure_ascii=False),
            encoding="utf-8",
        )
        np.save(folder / "vectors.npy", self.vectors)
        if self._dense is not None and self._bm25 is not None:
            faiss.write_index(self._dense, str(folder / "dense.faiss"))
            self._bm25.save(str(folder / "bm25"))

    @classmethod
    def load(cls, folder: Path) -> HybridIndex:
        """Read an index written by :meth:`save`."""
        passages, vectors = read_vectors(folder)
        if not passages:
            return cls([], vectors, None, None)
        dense = faiss.read_index(str(folder / "dense.faiss"))
        bm25 = bm25s.BM25.load(str(folder / "bm25"))
        return cls(passages, vectors, dense, bm25)


def read_vectors(folder: Path) -> tuple[list[Passage], np.ndarray]:
    """The passages and vectors of a saved index, without loading its search structures."""
    raw = json.loads((folder / "passages.json").read_text(encoding="utf-8"))
    return [Passage.from_json(p) for p in raw], np.load(folder / "vectors.npy")
