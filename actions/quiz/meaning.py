"""Whether a learner's word means the expected one, by MiniLM sentence embeddings of the two words.

Used only where spelling cannot tell: one word of a term's expansion ("call" for "contact" in
First Contact Resolution) and the area a law covers ("information" for "data"). The threshold is
calibrated for all-MiniLM-L6-v2 ('call'/'contact' 0.50 and 'client'/'customer' 0.61 pass;
'national'/'net' 0.48, 'customer'/'contact' 0.47, 'service'/'satisfaction' 0.42 and
'resource'/'relationship' 0.31 do not; tests/test_quiz_grading.py checks these pairs); any other
encoder gives no synonym credit rather than an uncalibrated guess.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from ..knowledge.embedding import MODEL_NAME, Encoder, default_encoder

SYNONYM_THRESHOLD = 0.49


class Meaning:
    """Word similarity from an encoder, loaded on first use and cached per word."""

    def __init__(self, encoder: Callable[[], Encoder] = default_encoder) -> None:
        self._encoder = encoder
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def similarity(self, given: str, expected: str) -> float | None:
        """Cosine similarity of two words, or None when the encoder is not the calibrated one."""
        encoder = self._encoder()
        if encoder.name != MODEL_NAME:
            return None
        with self._lock:
            missing = [w for w in dict.fromkeys((given, expected)) if w not in self._vectors]
            if missing:
                self._vectors.update(zip(missing, encoder.encode(missing), strict=True))
            return float(self._vectors[given] @ self._vectors[expected])

    def close(self, given: str, expected: str) -> bool:
        """True when ``given`` means ``expected`` closely enough to stand in for it."""
        score = self.similarity(given, expected)
        return score is not None and score >= SYNONYM_THRESHOLD


@lru_cache(maxsize=1)
def default_meaning() -> Meaning:
    """The process's word similarity over the shared MiniLM encoder (loaded on first use)."""
    return Meaning()
