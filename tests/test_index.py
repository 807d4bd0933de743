"""The index: hybrid search, save/load, incremental rebuilds, atomic swaps and hot reload."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from actions.knowledge.base import KnowledgeBase
from actions.knowledge.index import HybridIndex, Mode
from actions.knowledge.model import SectionKind
from actions.knowledge.parser import parse_text
from actions.knowledge.passages import Passage
from actions.knowledge.store import IndexStore
from actions.knowledge.validate import load_corpus

from .helpers import NEW_DOC, HashingEncoder, copy_seeds


def _random_index(n: int = 200, dim: int = 32, seed: int = 7) -> tuple[HybridIndex, np.ndarray]:
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    passages = [
        Passage(f"d.txt:{i}", "d.txt", SectionKind.CONCEPTS, i, f"passage number {i} word{i}")
        for i in range(n)
    ]
    return HybridIndex.build(passages, vectors), vectors


def test_a_vector_retrieves_its_own_passage_densely() -> None:
    index, vectors = _random_index()
    for i in (0, 17, 199):
        hits = index.search(vectors[i], "", k=3, mode=Mode.DENSE)
        assert hits[0].passage.line == i
        assert abs(hits[0].score - 1.0) < 1e-5


def test_bm25_matches_exact_rare_words() -> None:
    index, vectors = _random_index()
    hits = index.search(vectors[0], "word123", k=3, mode=Mode.BM25)
    assert hits[0].passage.line == 123


def test_hybrid_fuses_both_rankings() -> None:
    index, vectors = _random_index()
    hits = index.search(vectors[5], "word77", k=2, mode=Mode.HYBRID)
    assert {h.passage.line for h in hits} == {5, 77}


def test_queries_with_no_known_words_fall_back_to_dense() -> None:
    index, vectors = _random_index()
    assert index.search(vectors[3], "zzzz qqqq", k=1, mode=Mode.BM25) == []
    assert index.search(vectors[3], "zzzz qqqq", k=1)[0].passage.line == 3


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    index, vectors = _random_index()
    index.save(tmp_path / "i")
    loaded = HybridIndex.load(tmp_path / "i")
    assert loaded.passages == index.passages
    assert np.allclose(loaded.vectors, vectors)
    before = [h.passage.id for h in index.search(vectors[9], "word9", k=5)]
    assert [h.passage.id for h in loaded.search(vectors[9], "word9", k=5)] == before


def test_empty_index_answers_nothing() -> None:
    index = HybridIndex.build([], np.zeros((0, 8), dtype=np.float32))
    assert index.search(np.zeros(8, dtype=np.float32), "anything", k=3) == []


def test_rebuild_embeds_only_what_changed(tmp_path: Path) -> None:
    folder = copy_seeds(tmp_path / "k")
    store, encoder = IndexStore(tmp_path / "index"), HashingEncoder()
    first = store.build(load_corpus([folder]).documents, encoder)
    assert first.rebuilt and len(first.added) == 5 and first.reused == 0
    total = first.embedded

    again = store.build(load_corpus([folder]).documents, encoder)
    assert not again.rebuilt and again.embedded == 0 and len(again.unchanged) == 5

    (folder / "005_escalation.txt").write_text(NEW_DOC, encoding="utf-8")
    third = store.build(load_corpus([folder]).documents, encoder)
    assert third.added == ["005_escalation.txt"] and third.rebuilt
    new_items = len(parse_text(NEW_DOC, "005_escalation.txt").document.items)  # type: ignore[union-attr]
    assert third.embedded == new_items and third.reused == total  # only the new document's items

    (folder / "005_escalation.txt").unlink()
    fourth = store.build(load_corpus([folder]).documents, encoder)
    assert fourth.removed == ["005_escalation.txt"] and fourth.embedded == 0
    manifest = store.manifest()
    assert manifest is not None
    assert set(manifest["documents"]) == {p.name for p in folder.iterdir() if p.is_file()}
    assert manifest["model"] == encoder.name and manifest["dimension"] == encoder.dim


def test_readers_never_see_a_half_built_index(tmp_path: Path) -> None:
    folder = copy_seeds(tmp_path / "k")
    store, encoder = IndexStore(tmp_path / "index"), HashingEncoder()
    store.build(load_corpus([folder]).documents, encoder)
    errors: list[BaseException] = []
    sizes: set[int] = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                snapshot = store.load()
                assert snapshot is not None
                sizes.add(len(snapshot.index))
            except BaseException as err:  # any failure is the finding
                errors.append(err)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for round_ in range(6):
            path = folder / "005_escalation.txt"
            if round_ % 2 == 0:
                path.write_text(NEW_DOC, encoding="utf-8")
            else:
                path.unlink()
            store.build(load_corpus([folder]).documents, encoder)
    finally:
        stop.set()
        reader.join()
    assert errors == []
    assert len(sizes) == 2  # only ever the whole old build or the whole new one
    assert len(list((tmp_path / "index" / "builds").iterdir())) <= 3  # old builds are pruned


def test_a_running_knowledge_base_picks_up_a_rebuilt_index(tmp_path: Path) -> None:
    folder = copy_seeds(tmp_path / "k")
    encoder = HashingEncoder()
    running = KnowledgeBase(folder, tmp_path / "index", encoder=encoder)
    running.rebuild()
    assert "CARE" not in {m.name for m in running.catalogue.models}
    first_build = running.build_id

    (folder / "005_escalation.txt").write_text(NEW_DOC, encoding="utf-8")
    KnowledgeBase(folder, tmp_path / "index", encoder=encoder).rebuild()  # another process

    assert running.build_id != first_build
    assert "CARE" in {m.name for m in running.catalogue.models}
    hits = running.search("Connect Ask Resolve End escalation", k=1)
    assert hits[0].passage.doc == "005_escalation.txt"


def test_a_broken_document_leaves_the_built_index_alone(tmp_path: Path) -> None:
    folder = copy_seeds(tmp_path / "k")
    kb = KnowledgeBase(folder, tmp_path / "index", encoder=HashingEncoder())
    kb.rebuild()
    build = kb.build_id
    (folder / "006_broken.txt").write_text("Only a preview line\nand stray text\n")
    corpus, report = kb.rebuild()
    assert report is None and corpus.problems
    assert kb.store.current_id() == build
    assert len(kb.search("HEAT model", k=3)) == 3
