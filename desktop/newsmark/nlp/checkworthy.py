"""Check-worthiness of a sentence: a small linear model over words, tags and the parse.

The model is logistic regression over sparse binary features of one sentence
(:func:`sentence_features`): its lower-cased words and word pairs (digits read
as ``0``), its fine-grained tags and tag pairs, the labels of its entities,
its dependency labels, the lemma and tag of its root, what kind of word its
subject is, its length (in buckets of five tokens) and whether it holds a
number. The feature vector is scaled to unit length, so a sentence's logit is
``bias + sum(weights[f] for f in features) / sqrt(len(features))``.

The shipped weights (``resources/models/checkworthy-en.json``) were trained by
:mod:`newsmark.services.checkworthy_training` on the CheckThat! 2024 English
*train* split only (ClaimBuster, CC BY 4.0; see the README's "Data and
models" section), never on dev. The file is plain JSON — format name, feature
version, bias, operating threshold (a logit), the weights by feature name and
the record of how it was made — read by :meth:`CheckworthyModel.load`; nothing
is unpickled or executed.

:meth:`CheckworthyModel.score` maps a sentence to ``(0, 1)`` such that the
operating point chosen on the held-out part of train is exactly ``0.5``: the
claim detector's ``min_factual_score`` (0.5 by default) then means "the
model's own decision", and a higher value asks for more confidence.

No spaCy or numpy import at module level: scoring is plain Python over the
numbers of ``Doc.to_array`` (:class:`DocFeatures`, spaCy's attribute ids
imported when it is first used); :func:`fit` (training only) imports numpy.
The model adds about 4 ms per 1,000 words to the claim detector
(``tests/perf/bench_checkworthy.py``; figures in docs/quality.md).
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable, Sequence

    from spacy.tokens import Doc, Span

FORMAT = "newsmark-checkworthy"
FORMAT_VERSION = 1
FEATURES_VERSION = 1
MODEL_FILE = "checkworthy-en.json"

_DIGIT = re.compile(r"\d")


class CheckworthyModelError(ValueError):
    """A model file that cannot be used; the message names the file and what is wrong."""


def default_model_path() -> Path:
    """Where the shipped model lives: ``resources/models/checkworthy-en.json``."""
    from newsmark.paths import resources_dir

    return resources_dir() / "models" / MODEL_FILE


# ---------------------------------------------------------------- features


def _length_bucket(n: int) -> str:
    return f"len:{min(n // 5, 8)}"


class DocFeatures:
    """Feature extraction for the sentences of one parsed ``Doc``.

    The token attributes are read once, as numbers, with ``Doc.to_array`` (one
    C call instead of a Python ``Token`` object per token and attribute); the
    strings behind them are looked up once per process and kept in a cache.
    """

    __slots__ = ("rows",)

    def __init__(self, doc: Doc) -> None:
        from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, LEMMA, LIKE_NUM, LOWER, POS, TAG

        self.rows: list[list[int]] = doc.to_array([LOWER, TAG, DEP, POS, LEMMA, ENT_IOB, ENT_TYPE, LIKE_NUM]).tolist()
        _remember(doc.vocab.strings)

    def span(self, start: int, end: int) -> list[str]:
        """The feature names of tokens ``[start, end)`` (duplicates removed, order kept)."""
        text = _STRING_CACHE.get
        strings = _STRINGS[0]

        def s(h: int) -> str:
            got = text(h)
            if got is None:
                got = strings[h] if h else ""
                if len(_STRING_CACHE) < _STRING_CACHE_LIMIT:
                    _STRING_CACHE[h] = got
            return got

        words: list[str] = []
        tags: list[str] = []
        out: list[str] = []
        ents: list[str] = []
        has_num = False
        for lower, tag, dep, pos, lemma, iob, ent_type, like_num in self.rows[start:end]:
            word = _WORD_CACHE.get(lower)
            if word is None:
                word = _DIGIT.sub("0", s(lower))
                if len(_WORD_CACHE) < _STRING_CACHE_LIMIT:
                    _WORD_CACHE[lower] = word
            words.append(word)
            tag_text = s(tag)
            tags.append(tag_text)
            dep_text = s(dep)
            if dep_text == "ROOT":
                out += ["root:" + s(lemma).lower(), "roottag:" + tag_text]
            elif dep_text in ("nsubj", "nsubjpass"):
                pos_text = s(pos)
                out.append("subj:" + (s(lower) if pos_text == "PRON" else pos_text))
            out.append("d:" + dep_text)
            if iob == 3:
                ents.append("e:" + s(ent_type))
            if like_num:
                has_num = True
        feats: list[str] = ["w:" + w for w in words]
        padded = ["<s>", *words, "</s>"]
        feats += ["b:" + a + " " + b for a, b in zip(padded, padded[1:])]
        feats += ["p:" + t for t in tags]
        padded = ["<s>", *tags, "</s>"]
        feats += ["pp:" + a + " " + b for a, b in zip(padded, padded[1:])]
        feats += ents
        feats += out
        feats.append(_length_bucket(len(words)))
        if has_num:
            feats.append("hasnum")
        return list(dict.fromkeys(feats))


_STRING_CACHE: dict[int, str] = {}
_WORD_CACHE: dict[int, str] = {}
_STRING_CACHE_LIMIT = 500_000
_STRINGS: list[Any] = [None]


def _remember(strings: Any) -> None:
    """The caches map hashes to text; spaCy's hashes are the same in every vocabulary, so one cache serves all."""
    _STRINGS[0] = strings


def sentence_features(sent: Span) -> list[str]:
    """The features of a sentence (any ``Span``, or ``doc[:]`` for a whole text).

    For many sentences of one document, make one :class:`DocFeatures` and call
    its ``span`` instead. Entities count where they begin (a token tagged ``B``).
    """
    return DocFeatures(sent.doc).span(sent.start, sent.end)


# ---------------------------------------------------------------- the model


@dataclass(slots=True)
class CheckworthyModel:
    """Weights by feature name, a bias and the operating threshold (a logit)."""

    weights: dict[str, float]
    bias: float = 0.0
    threshold: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)

    def logit(self, features: Sequence[str]) -> float:
        if not features:
            return self.bias
        get = self.weights.get
        total = 0.0
        for f in features:
            total += get(f, 0.0)
        return self.bias + total / math.sqrt(len(features))

    def score_features(self, features: Sequence[str]) -> float:
        """In ``(0, 1)``; 0.5 exactly at the operating threshold."""
        z = self.logit(features) - self.threshold
        if z < -60:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    def score(self, sent: Span) -> float:
        return self.score_features(sentence_features(sent))

    def is_checkworthy(self, sent: Span) -> bool:
        return self.logit(sentence_features(sent)) >= self.threshold

    # -------------------------------------------------------- files

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "features_version": FEATURES_VERSION,
            "bias": round(self.bias, 6),
            "threshold": round(self.threshold, 6),
            "meta": self.meta,
            "weights": {k: round(v, 5) for k, v in sorted(self.weights.items())},
        }

    def save(self, path: Path | str) -> Path:
        """Write the model as JSON, through a temporary file renamed into place."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self.to_json(), handle, ensure_ascii=False, separators=(",", ":"))
                handle.write("\n")
            os.chmod(tmp, 0o644)  # mkstemp makes it private; a model is an ordinary readable file
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    @classmethod
    def load(cls, path: Path | str) -> CheckworthyModel:
        """Read a model file; :class:`CheckworthyModelError` names the file and the problem."""
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CheckworthyModelError(f"{path}: cannot read the check-worthiness model ({exc.strerror or exc})") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CheckworthyModelError(f"{path}: not a JSON file ({exc})") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise CheckworthyModelError(f"{path}: not a Newsmark check-worthiness model (no \"format\": \"{FORMAT}\")")
        if data.get("version") != FORMAT_VERSION or data.get("features_version") != FEATURES_VERSION:
            raise CheckworthyModelError(
                f"{path}: model format {data.get('version')}/features {data.get('features_version')}; "
                f"this Newsmark reads {FORMAT_VERSION}/{FEATURES_VERSION} — train it again with `newsmark train-checkworthy`"
            )
        weights = data.get("weights")
        if not isinstance(weights, dict) or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in weights.values()):
            raise CheckworthyModelError(f"{path}: \"weights\" must map feature names to finite numbers")
        try:
            bias, threshold = float(data.get("bias", 0.0)), float(data.get("threshold", 0.0))
        except (TypeError, ValueError) as exc:
            raise CheckworthyModelError(f"{path}: \"bias\" and \"threshold\" must be numbers") from exc
        meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
        return cls({str(k): float(v) for k, v in weights.items()}, bias, threshold, meta)


@lru_cache(maxsize=4)
def _load_cached(path: str, mtime: float) -> CheckworthyModel:
    return CheckworthyModel.load(path)


def load_model(path: Path | str | None = None) -> CheckworthyModel:
    """The model at ``path`` (default: the shipped one), read once per process and file version."""
    p = Path(path) if path else default_model_path()
    try:
        mtime = p.stat().st_mtime
    except OSError as exc:
        raise CheckworthyModelError(f"{p}: the check-worthiness model is missing ({exc.strerror or exc})") from exc
    return _load_cached(str(p), mtime)


# ---------------------------------------------------------------- training (numpy)


def fit(
    rows: Sequence[Sequence[str]],
    labels: Sequence[bool],
    *,
    min_count: int = 3,
    l2: float = 3e-6,
    steps: int = 800,
    learning_rate: float = 0.05,
) -> CheckworthyModel:
    """Logistic regression over binary features scaled to unit length, by full-batch Adam.

    Deterministic for given rows (no sampling). Features seen in fewer than
    ``min_count`` rows are left out. The threshold of the result is 0 (p = 0.5);
    :func:`best_threshold` picks another on held-out rows.
    """
    import numpy as np

    counts: dict[str, int] = {}
    for feats in rows:
        for f in set(feats):
            counts[f] = counts.get(f, 0) + 1
    names = sorted(f for f, c in counts.items() if c >= min_count)
    vocab = {f: i for i, f in enumerate(names)}
    idx_list: list[int] = []
    val_list: list[float] = []
    ptr = [0]
    for feats in rows:
        known = [vocab[f] for f in dict.fromkeys(feats) if f in vocab]
        # scaled by the sentence's whole feature count, as CheckworthyModel.logit does
        scale = 1.0 / math.sqrt(len(set(feats))) if feats else 0.0
        idx_list += known
        val_list += [scale] * len(known)
        ptr.append(len(idx_list))
    idx = np.asarray(idx_list, dtype=np.int64)
    val = np.asarray(val_list, dtype=np.float64)
    offsets = np.asarray(ptr, dtype=np.int64)
    y = np.asarray(labels, dtype=np.float64)
    n, n_feat = len(rows), len(names)
    row_of = np.repeat(np.arange(n), np.diff(offsets))
    w = np.zeros(n_feat)
    b = 0.0
    m_w, v_w = np.zeros(n_feat), np.zeros(n_feat)
    m_b = v_b = 0.0
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, steps + 1):
        z = np.bincount(row_of, weights=w[idx] * val, minlength=n) + b
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -60, 60)))
        g = (p - y) / n
        g_w = np.bincount(idx, weights=g[row_of] * val, minlength=n_feat) + l2 * w
        g_b = float(g.sum())
        m_w = beta1 * m_w + (1 - beta1) * g_w
        v_w = beta2 * v_w + (1 - beta2) * g_w * g_w
        m_b = beta1 * m_b + (1 - beta1) * g_b
        v_b = beta2 * v_b + (1 - beta2) * g_b * g_b
        c1, c2 = 1 - beta1**step, 1 - beta2**step
        w -= learning_rate * (m_w / c1) / (np.sqrt(v_w / c2) + eps)
        b -= learning_rate * (m_b / c1) / (math.sqrt(v_b / c2) + eps)
    weights = {name: float(value) for name, value in zip(names, w) if abs(value) >= 1e-5}
    return CheckworthyModel(weights, float(b), 0.0)


@dataclass(frozen=True, slots=True)
class BinaryScores:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def binary_scores(logits: Sequence[float], labels: Sequence[bool], threshold: float) -> BinaryScores:
    tp = fp = fn = tn = 0
    for z, y in zip(logits, labels):
        predicted = z >= threshold
        if predicted and y:
            tp += 1
        elif predicted:
            fp += 1
        elif y:
            fn += 1
        else:
            tn += 1
    return BinaryScores(tp, fp, fn, tn)


def best_threshold(logits: Sequence[float], labels: Sequence[bool], *, low: float = -2.0, high: float = 2.0, step: float = 0.05) -> tuple[float, BinaryScores]:
    """The logit threshold (on a grid) with the best F1 of the positive class; ties go to the one nearest 0."""
    best: tuple[float, float, BinaryScores] | None = None
    k = 0
    while low + k * step <= high + 1e-9:
        t = round(low + k * step, 6)
        scores = binary_scores(logits, labels, t)
        if best is None or (scores.f1, -abs(t)) > (best[0], -abs(best[1])):
            best = (scores.f1, t, scores)
        k += 1
    assert best is not None
    return best[1], best[2]
