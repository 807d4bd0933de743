"""The knowledge base a running process uses: the current index build and its catalogue.

It checks the index's ``current`` link on every call (one ``readlink``) and loads a new build when
``tutor index`` has swapped one in, so a running action server answers from it without restart.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from .catalogue import build_catalogue
from .embedding import Encoder, default_encoder
from .index import Hit, Mode
from .model import Catalogue, SectionKind
from .passages import Passage
from .store import BuildReport, IndexStore, Snapshot
from .validate import Corpus, load_corpus

log = logging.getLogger(__name__)


@dataclass
class Loaded:
    snapshot: Snapshot

    @cached_property
    def catalogue(self) -> Catalogue:
        return build_catalogue(self.snapshot.documents)


class KnowledgeBase:
    """Search and catalogue over the current index build, reloaded when a new one appears."""

    def __init__(
        self, knowledge_dir: Path, index_dir: Path, encoder: Encoder | None = None
    ) -> None:
        self.knowledge_dir = Path(knowledge_dir)
        self.store = IndexStore(Path(index_dir))
        self._encoder = encoder
        self._loaded: Loaded | None = None
        self._lock = threading.Lock()
        self._embed_cached = lru_cache(maxsize=64)(self._embed_one)

    def _embed_one(self, text: str) -> np.ndarray:
        return self.encoder.encode([text])[0]

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = default_encoder()
        return self._encoder

    def corpus(self) -> Corpus:
        """Parse and check the documents as they are on disk now."""
        return load_corpus([self.knowledge_dir])

    def rebuild(self, force: bool = False) -> tuple[Corpus, BuildReport | None]:
        """Re-index the documents; with any problem, keep the index that is already built."""
        corpus = self.corpus()
        if corpus.problems:
            return corpus, None
        return corpus, self.store.build(corpus.documents, self.encoder, force=force)

    def _current(self) -> Loaded:
        build = self.store.current_id()
        loaded = self._loaded
        if loaded is not None and loaded.snapshot.build_id == build:
            return loaded
        with self._lock:
            if self._loaded is None or self._loaded.snapshot.build_id != build:
                if build is None:
                    self.rebuild()
                snapshot = self.store.load()
                if snapshot is None:
                    raise RuntimeError(
                        f"no knowledge index under {self.store.root}; run 'tutor index'"
                    )
                log.info("loaded index build %s (%d passages)", snapshot.build_id,
                         len(snapshot.index))
                self._loaded = Loaded(snapshot)
            return self._loaded

    @property
    def catalogue(self) -> Catalogue:
        return self._current().catalogue

    @property
    def build_id(self) -> str:
        return self._current().snapshot.build_id

    def embed(self, text: str) -> np.ndarray:
        """The unit embedding of one text. The last few are cached: a turn embeds its message
        for several purposes (misconception check, then retrieval)."""
        return self._embed_cached(text)

    def forget_embeddings(self) -> None:
        """Empty the per-turn embedding cache (benchmarks time the encoding of every query)."""
        self._embed_cached.cache_clear()

    def search(
        self,
        query: str,
        k: int = 5,
        mode: Mode = Mode.HYBRID,
        sections: frozenset[SectionKind] | None = None,
        docs: frozenset[str] | None = None,
    ) -> list[Hit]:
        """The ``k`` best passages for ``query``, optionally only from some sections or documents."""
        index = self._current().snapshot.index
        vector = self.embed(query)
        if sections is None and docs is None:
            return index.search(vector, query, k=k, mode=mode)
        hits = index.search(vector, query, k=min(len(index), max(200, 20 * k)), mode=mode)
        return [
            h for h in hits
            if (sections is None or h.passage.section in sections)
            and (docs is None or h.passage.doc in docs)
        ][:k]

    def passages(self, sections: frozenset[SectionKind],
                 docs: frozenset[str] | None = None) -> list[Passage]:
        """Every passage of ``sections`` (and ``docs``), in index order."""
        return [p for p in self._current().snapshot.index.passages
                if p.section in sections and (docs is None or p.doc in docs)]

    def search_many(
        self, queries: list[str], k: int = 5, mode: Mode = Mode.HYBRID
    ) -> list[list[Hit]]:
        """Search several queries with one batched encode."""
        loaded = self._current()
        vectors = self.encoder.encode(queries)
        return [
            loaded.snapshot.index.search(v, q, k=k, mode=mode)
            for q, v in zip(queries, vectors, strict=True)
        ]
