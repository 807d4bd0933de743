"""The knowledge base a running process uses: the current index build and its catalogue.

It checks the index's ``current`` link on every call (one ``readlink``) and loads a new build when
``tutor index`` has swapped one in, so a running action server answers from it without restart.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .catalogue import build_catalogue
from .embedding import Encoder, default_encoder
from .index import Hit, Mode
from .model import Catalogue
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

    def search(self, query: str, k: int = 5, mode: Mode = Mode.HYBRID) -> list[Hit]:
        """The ``k`` best passages for ``query``."""
        loaded = self._current()
        vector = self.encoder.encode([query])[0]
        return loaded.snapshot.index.search(vector, query, k=k, mode=mode)

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
