"""Messages grouped by similar meaning: average-linkage agglomerative clustering (SciPy's
``linkage``, UPGMA) of their MiniLM vectors, cut at a cosine distance, so that "what's an NPS?" and
"explain net promoter score" land together while "how do I write a CV?" stays apart.

SciPy rather than scikit-learn's ``AgglomerativeClustering`` (the same average linkage): importing
scikit-learn took 1-3 s of every report, about half of a warm one (cProfile, 50,000 messages)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

DISTANCE = 0.45  # cosine distance at which groups stop merging (similarity 0.55 on average)
MAX_CLUSTERED = 2000  # distinct texts clustered directly; rarer ones join the nearest group


@dataclass(frozen=True)
class Group:
    """Messages of similar meaning: how many, from how many learners, and the commonest wordings."""

    count: int
    learners: int
    example: str
    examples: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {"count": self.count, "learners": self.learners, "example": self.example,
                "examples": list(self.examples)}


def normalise(text: str) -> str:
    """The wording that counts as the same message: lower case, single spaces, no end punctuation."""
    return re.sub(r"\s+", " ", text.casefold()).strip(" ?!.,;:'\"")


def group_messages(messages: list[tuple[str, str]], encoder, distance: float = DISTANCE) -> list[Group]:
    """``messages`` as (learner, text), grouped by meaning; the largest groups first."""
    counts: Counter[str] = Counter()
    learners: dict[str, set[str]] = {}
    shown: dict[str, Counter[str]] = {}
    for learner, text in messages:
        key = normalise(text)
        if not key:
            continue
        counts[key] += 1
        learners.setdefault(key, set()).add(learner)
        shown.setdefault(key, Counter())[text.strip()] += 1
    if not counts:
        return []
    texts = [t for t, _ in counts.most_common()]
    vectors = encoder.encode([shown[t].most_common(1)[0][0] for t in texts])  # a wording as logged
    labels = _cluster(vectors[:MAX_CLUSTERED], distance)
    if len(texts) > MAX_CLUSTERED:  # the rare tail joins its nearest group, or stands alone
        centroids = np.stack([vectors[:MAX_CLUSTERED][labels == g].mean(0) for g in range(labels.max() + 1)])
        centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
        sims = vectors[MAX_CLUSTERED:] @ centroids.T
        nearest = sims.argmax(1)
        fresh = labels.max() + 1 + np.arange(len(nearest))
        labels = np.concatenate([labels, np.where(sims.max(1) >= 1 - distance, nearest, fresh)])
    members: dict[int, list[str]] = {}
    for text, label in zip(texts, labels.tolist(), strict=True):
        members.setdefault(label, []).append(text)
    groups = []
    for keys in members.values():
        wordings = Counter()
        for key in keys:
            wordings.update(shown[key])
        common = [w for w, _ in wordings.most_common(3)]
        groups.append(Group(sum(counts[k] for k in keys), len(set().union(*(learners[k] for k in keys))),
                            common[0], tuple(common)))
    return sorted(groups, key=lambda g: (-g.count, g.example))


def _cluster(vectors: np.ndarray, distance: float) -> np.ndarray:
    """Labels 0..k-1: clusters merged while their average cosine distance is below ``distance``."""
    if len(vectors) == 1:
        return np.zeros(1, dtype=int)
    from scipy.cluster.hierarchy import fcluster, linkage

    tree = linkage(np.asarray(vectors, dtype=np.float64), method="average", metric="cosine")
    return fcluster(tree, t=np.nextafter(distance, 0), criterion="distance") - 1
