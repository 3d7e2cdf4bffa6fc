"""A learned attribution tagger stacked on the rules: Source / Cue / Content as token tags.

The claims part of a model trained from the user's corrections
(:mod:`newsmark.nlp.training`). It does not start from zero: every token is
described by what the parser says about it **and by what the attribution rules
(:mod:`newsmark.nlp.attribution`) predicted for it and its neighbours**, so the
model learns where the rules go wrong (a source one word too long, a cue the
rules never use, a content the rules invent) rather than the whole task.

Model: for each role (source, cue, content) an independent ``O``/``B``/``I``
tagger — multinomial logistic regression over hashed sparse features (numpy
only, Adagrad; about ten seconds per pass over 840 news articles on one core),
decoded per role with a Viterbi pass that forbids ``O → I`` and lowers ``O``'s
score by a penalty per role (:data:`DEFAULT_OFFSETS`: more recall). Roles may
overlap (an outer content holds an inner source and cue), which independent
taggers allow. Optionally a second tagger is stacked on the first one's
cross-validated predictions (:func:`fit_attribution`, :func:`stacked_strings`).

Features per token (:func:`feature_ids`): word, lemma, part of speech, tag,
dependency label, entity, shape; the head's lemma and part of speech; whether
the lemma is a reporting/stance verb or a noun of saying (the rules' lexicon);
the dependency path up to the nearest such verb (``nsubj``, ``ccomp>nsubj`` …)
and that verb's lemma; inside or outside a quotation; position in sentence and
paragraph, the sentence's first word; the neighbours' words and tags; the rules' Source/Cue/Content tag
(and the rule that produced it) at the token and at ±1, ±2 — and conjunctions of
the rules' tags with the token's part of speech, dependency label, word and
quotation state. Feature strings are hashed (CRC-32, stable across runs) into
:data:`N_BUCKETS` rows.

Tidying (:func:`refine`): a content is widened to the end of the phrase its last
word heads; contents and sources that mostly agree with a rule's take the
rule's edges, when the training marks showed the user shares them
(:func:`choose_snap`).

From tags to claims (:func:`link`): every predicted content becomes a claim;
its cue is the predicted cue that governs it in the parse (else the nearest in
its sentence or the one before/after), its source the predicted source attached
to that cue (else the nearest); a rule claim whose content the prediction
overlaps lends its source and cue when they were predicted too. A predicted cue
left without a content takes the content of the rule claim it belongs to, or
the clause its verb governs (with the nearest free source); a source no claim
took is dropped. :func:`merge_with_rules` then puts the learned attributions in
place of the rules' ones, keeping the rules' unattributed claims.

This module imports neither spaCy nor thinc: it reads the tokens of a ``Doc``
it is given (numpy is imported inside the functions that need it).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from newsmark.model import ClaimType
from newsmark.nlp.attribution import FoundClaim
from newsmark.nlp.learned import edge_trim

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from spacy.tokens import Doc

TokSpan = tuple[int, int]
ROLES = ("source", "cue", "content")
TAGS = ("O", "B", "I")
O, B, I = 0, 1, 2
N_BUCKETS = 1 << 20
LEARNED_RULE = "learned"
_QUOTE_CHARS = frozenset('"“”„«»')
_UNATTRIBUTED_PREFIXES = ("factual:", "checkworthy:")


def attributed(claims: Iterable[FoundClaim]) -> list[FoundClaim]:
    """The rule claims that are attributions (not the check-worthy assertions of unattributed sentences)."""
    return [c for c in claims if not c.rule.startswith(_UNATTRIBUTED_PREFIXES)]


# ------------------------------------------------------------------ features


def _lexicon_sets() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    from newsmark.nlp import lexicon

    reporting = frozenset(getattr(lexicon, "REPORTING_VERBS", frozenset()))
    stance = frozenset(getattr(lexicon, "STANCE_VERBS", frozenset())) | frozenset(getattr(lexicon, "SEEM_VERBS", frozenset()))
    nouns = frozenset(getattr(lexicon, "NOUN_CUES", frozenset()))
    return reporting, stance, nouns


def _bucket(word_count: int) -> str:
    if word_count <= 2:
        return str(word_count)
    if word_count <= 4:
        return "3-4"
    if word_count <= 9:
        return "5-9"
    if word_count <= 19:
        return "10-19"
    return "20+"


def _inside_quotes(doc: Doc) -> list[str]:
    """Per token: ``q`` inside a quotation, ``m`` a quotation mark, ``-`` outside (per paragraph)."""
    from newsmark.nlp.quotes import find_quotes

    n = len(doc)
    state = ["-"] * n
    starts = [t.idx for t in doc]
    import bisect

    for quote in find_quotes(doc.text):
        first = bisect.bisect_left(starts, quote.start)
        last = bisect.bisect_left(starts, quote.end)
        for i in range(first, min(last, n)):
            state[i] = "q"
    for i, tok in enumerate(doc):
        if tok.text in _QUOTE_CHARS or tok.text in ("``", "''"):
            state[i] = "m"
    return state


def rule_tags(n: int, claims: Sequence[FoundClaim]) -> tuple[list[list[str]], list[list[str]]]:
    """Per role, the rules' BIO tag of every token, and the rule (and claim type) behind it."""
    tags = [["O"] * n for _ in ROLES]
    names = [["-"] * n for _ in ROLES]
    for claim in sorted(claims, key=lambda c: c.content[0] - c.content[1]):  # longest first, inner ones win
        for r, span in enumerate((claim.source, claim.cue, claim.content)):
            if not span:
                continue
            start, end = span
            rule = claim.rule.split(":")[0] + ":" + claim.claim_type.value if r == 2 else claim.rule
            for i in range(max(0, start), min(end, n)):
                tags[r][i] = "B" if i == start else "I"
                names[r][i] = rule
    return tags, names


def feature_strings(doc: Doc, rule_claims: Sequence[FoundClaim]) -> list[list[str]]:
    """The feature strings of every token (a fixed number per token; see the module notes)."""
    n = len(doc)
    reporting, stance, nouns = _lexicon_sets()
    toks = list(doc)
    low = [t.lower_ if len(t.lower_) <= 24 else t.lower_[:24] for t in toks]
    lem = [(t.lemma_ or t.lower_).lower()[:24] for t in toks]
    pos = [t.pos_ or "-" for t in toks]
    tag = [t.tag_ or "-" for t in toks]
    dep = [t.dep_ or "-" for t in toks]
    ent = [(t.ent_iob_ + "-" + t.ent_type_) if t.ent_type_ else "O" for t in toks]
    shape = [t.shape_[:5] for t in toks]
    head = [t.head.i for t in toks]
    cls = []
    for t, lm in zip(toks, lem, strict=True):
        if lm in reporting and t.pos_ in ("VERB", "AUX"):
            cls.append("R")
        elif lm in stance and t.pos_ == "VERB":
            cls.append("S")
        elif lm in nouns and t.pos_ in ("NOUN", "PROPN"):
            cls.append("N")
        elif lm == "accord" or (t.lower_ == "to" and t.i > 0 and toks[t.i - 1].lower_ == "according"):
            cls.append("A")
        else:
            cls.append("-")
    quotes = _inside_quotes(doc)
    tags, names = rule_tags(n, rule_claims)
    rt = ["".join(tags[r][i] for r in range(3)) for i in range(n)]  # e.g. "OBI": not source, begins a cue, inside a content
    # sentence and paragraph positions
    sent_start = [0] * n
    sent_end = [n] * n
    sent_rule = ["-"] * n
    if doc.has_annotation("SENT_START"):
        for sent in doc.sents:
            has = "C" if any(tags[2][i] != "O" for i in range(sent.start, sent.end)) else "-"
            has += "Q" if any(quotes[i] != "-" for i in range(sent.start, sent.end)) else "-"
            has += "R" if any(cls[i] in ("R", "A") for i in range(sent.start, sent.end)) else "-"
            for i in range(sent.start, sent.end):
                sent_start[i] = sent.start
                sent_end[i] = sent.end
                sent_rule[i] = has
    para_first = [False] * n
    new_para = True
    for i, t in enumerate(toks):
        if t.is_space and "\n" in t.text:
            new_para = True
            continue
        para_first[i] = new_para
        new_para = "\n" in t.whitespace_
    # the dependency path up to the nearest verb of saying (or a rule cue)
    path = ["-"] * n
    path_lem = ["-"] * n
    for i in range(n):
        cur, deps = i, []
        for _ in range(6):
            if cls[cur] != "-" or tags[1][cur] != "O":
                path[i] = ">".join(deps[-3:]) or "self"
                path_lem[i] = lem[cur] + "|" + cls[cur] + ("c" if tags[1][cur] != "O" else "")
                break
            if head[cur] == cur:
                break
            deps.append(dep[cur])
            cur = head[cur]
    kids: list[set[str]] = [set() for _ in range(n)]
    for i in range(n):
        if head[i] != i and dep[i] in ("nsubj", "nsubjpass", "ccomp", "dobj", "xcomp", "agent", "dative", "advcl", "parataxis"):
            kids[head[i]].add(dep[i])

    def at(seq: list[str], j: int) -> str:
        return seq[j] if 0 <= j < n else ("<s>" if j < 0 else "</s>")

    out: list[list[str]] = []
    for i in range(n):
        h = head[i]
        w_in = i - sent_start[i]
        w_left = sent_end[i] - i - 1
        feats = [
            "b",
            "w=" + low[i],
            "l=" + lem[i],
            "p=" + pos[i],
            "t=" + tag[i],
            "d=" + dep[i],
            "e=" + ent[i],
            "sh=" + shape[i],
            "c=" + cls[i],
            "q=" + quotes[i],
            "hl=" + lem[h],
            "hp=" + pos[h],
            "dhl=" + dep[i] + "|" + lem[h],
            "dhp=" + dep[i] + "|" + pos[h] + "|" + pos[i],
            "hc=" + cls[h] + dep[i],
            "k=" + ",".join(sorted(kids[i])),
            "kc=" + cls[i] + ",".join(sorted(kids[i])),
            "pa=" + path[i],
            "pal=" + path[i] + "|" + path_lem[i],
            "pl=" + path_lem[i],
            "w-1=" + at(low, i - 1),
            "w+1=" + at(low, i + 1),
            "w-2=" + at(low, i - 2),
            "w+2=" + at(low, i + 2),
            "p-1=" + at(pos, i - 1),
            "p+1=" + at(pos, i + 1),
            "pp=" + at(pos, i - 2) + at(pos, i - 1) + pos[i],
            "pn=" + pos[i] + at(pos, i + 1) + at(pos, i + 2),
            "d-1=" + at(dep, i - 1) + dep[i],
            "d+1=" + dep[i] + at(dep, i + 1),
            "q-1=" + at(quotes, i - 1) + quotes[i] + at(quotes, i + 1),
            "si=" + _bucket(w_in) + "|" + _bucket(w_left),
            "sf=" + ("1" if w_in == 0 else "0") + ("1" if para_first[i] else "0"),
            "sr=" + sent_rule[i],
            "sw=" + low[sent_start[i]],
            # the rules' own predictions
            "r=" + rt[i],
            "r-1=" + at(rt, i - 1) + rt[i],
            "r+1=" + rt[i] + at(rt, i + 1),
            "r-2=" + at(rt, i - 2),
            "r+2=" + at(rt, i + 2),
            "rs=" + names[0][i],
            "rc=" + names[1][i],
            "rn=" + names[2][i],
            "rp=" + rt[i] + pos[i],
            "rd=" + rt[i] + dep[i],
            "rw=" + rt[i] + low[i],
            "rq=" + rt[i] + quotes[i] + cls[i],
            "rpa=" + rt[i] + path[i],
            "rsr=" + rt[i] + sent_rule[i],
            "re=" + rt[i] + ent[i],
        ]
        out.append(feats)
    return out


N_FEATURES = 50  # len(feature_strings(...)[i]) for every token


def stacked_strings(doc: Doc, spans: Sequence[Sequence[TokSpan]]) -> list[list[str]]:
    """Features from a first model's predicted spans (per role), for the second model of the stack.

    The predicted tags at the token and its neighbours, with its part of
    speech and dependency label, and the dependency path up to the nearest
    predicted cue (so a cue the rules never knew still finds its source and
    content). A fixed number per token (:data:`N_STACKED`).
    """
    n = len(doc)
    tags = [["O"] * n for _ in ROLES]
    for r, role_spans in enumerate(spans):
        for start, end in role_spans:
            for i in range(max(0, start), min(end, n)):
                tags[r][i] = "B" if i == start else "I"
    pt = ["".join(tags[r][i] for r in range(3)) for i in range(n)]
    toks = list(doc)
    path = ["-"] * n
    for i in range(n):
        cur, deps = i, []
        for _ in range(6):
            if tags[1][cur] != "O":
                path[i] = ">".join(deps[-3:]) or "self"
                break
            head = toks[cur].head.i
            if head == cur:
                break
            deps.append(toks[cur].dep_)
            cur = head
    sent_has = ["-"] * n
    if doc.has_annotation("SENT_START"):
        for sent in doc.sents:
            has = "".join("1" if any(tags[r][i] != "O" for i in range(sent.start, sent.end)) else "0" for r in range(3))
            for i in range(sent.start, sent.end):
                sent_has[i] = has

    def at(j: int) -> str:
        return pt[j] if 0 <= j < n else "<>"

    out = []
    for i, tok in enumerate(toks):
        out.append([
            "S=" + pt[i],
            "S-1=" + at(i - 1) + pt[i],
            "S+1=" + pt[i] + at(i + 1),
            "S-2=" + at(i - 2),
            "S+2=" + at(i + 2),
            "Sp=" + pt[i] + tok.pos_,
            "Sd=" + pt[i] + tok.dep_,
            "Spa=" + path[i],
            "Spad=" + path[i] + "|" + tok.pos_,
            "Ss=" + sent_has[i] + pt[i],
        ])
    return out


N_STACKED = 10


def hash_features(strings: Sequence[Sequence[str]], cache: dict[str, int] | None = None) -> np.ndarray:
    """Rows of hashed feature ids (``N_BUCKETS``), int32, one row per token."""
    import numpy as np

    cache = {} if cache is None else cache
    if len(cache) > 2_000_000:
        cache.clear()
    mask = N_BUCKETS - 1
    flat: list[int] = []
    width = len(strings[0]) if len(strings) else N_FEATURES
    for feats in strings:
        if len(feats) != width:
            raise ValueError(f"{len(feats)} features for a token, expected {width}")
        for s in feats:
            v = cache.get(s)
            if v is None:
                v = zlib.crc32(s.encode("utf-8")) & mask
                cache[s] = v
            flat.append(v)
    out = np.array(flat, dtype=np.int32).reshape(len(strings), width)
    return out


def feature_ids(doc: Doc, rule_claims: Sequence[FoundClaim], cache: dict[str, int] | None = None) -> np.ndarray:
    return hash_features(feature_strings(doc, rule_claims), cache)


# ------------------------------------------------------------------ gold


def char_to_tokens(doc: Doc, start: int, end: int) -> TokSpan | None:
    """The tokens a character span covers (expanded to whole tokens, punctuation trimmed)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None
    return edge_trim(doc, span.start, span.end)


def gold_tags(doc: Doc, spans: dict[str, list[TokSpan]]) -> np.ndarray:
    """Per token and role, the gold tag (``O``/``B``/``I``): the longest spans first, overlapping ones left out."""
    import numpy as np

    n = len(doc)
    out = np.zeros((n, 3), dtype=np.int8)
    for r, role in enumerate(ROLES):
        taken = [False] * n
        for start, end in sorted(set(spans.get(role, [])), key=lambda s: (s[0] - s[1], s[0])):
            if start >= end or any(taken[start:end]):
                continue
            out[start, r] = B
            out[start + 1 : end, r] = I
            for i in range(start, end):
                taken[i] = True
    return out


# ------------------------------------------------------------------ the model


@dataclass(slots=True)
class FitOptions:
    epochs: int = 12
    learn_rate: float = 0.2  # Adagrad
    l2: float = 1e-6  # per update, on the rows the batch touches
    batch_tokens: int = 3000
    rule_prior: float = 0.0  # start from "copy the rules": this weight on the rules' own tag of each role
    seed: int = 13


@dataclass
class TaggerModel:
    """Weights: one row of 9 scores (3 roles × O/B/I) per hashed feature."""

    weights: Any = None  # numpy (N_BUCKETS, 9) float32
    bias: Any = None  # numpy (9,)
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        import numpy as np

        if self.weights is None:
            self.weights = np.zeros((N_BUCKETS, 9), dtype=np.float32)
        if self.bias is None:
            self.bias = np.zeros(9, dtype=np.float32)

    # ---------------------------------------------------------- scores

    def scores(self, ids: np.ndarray) -> np.ndarray:
        """(n, 3, 3) log-probabilities per token, role and tag."""
        import numpy as np

        raw = self.weights[ids].sum(axis=1) + self.bias  # (n, 9)
        raw = raw.reshape(-1, 3, 3)
        raw = raw - raw.max(axis=2, keepdims=True)
        return raw - np.log(np.exp(raw).sum(axis=2, keepdims=True))

    def predict(self, ids: np.ndarray, offsets: Sequence[float] = (0.0, 0.0, 0.0)) -> list[list[TokSpan]]:
        """Per role, the decoded spans; ``offsets`` lowers the score of ``O`` per role (more spans, more recall)."""
        import numpy as np

        if not len(ids):
            return [[] for _ in ROLES]
        logp = self.scores(ids)
        logp[:, :, O] -= np.asarray(offsets, dtype=logp.dtype)[None, :]
        return [decode(logp[:, r, :]) for r in range(3)]

    # ---------------------------------------------------------- training

    def add_rule_prior(self, weight: float) -> None:
        """Make the untrained model copy the rules: the ``r=`` feature votes for the rules' tag of each role."""
        import itertools

        for combo in itertools.product(TAGS, repeat=3):
            row = zlib.crc32(("r=" + "".join(combo)).encode("utf-8")) & (N_BUCKETS - 1)
            for r, tag in enumerate(combo):
                self.weights[row, r * 3 + TAGS.index(tag)] += weight

    def fit(
        self,
        data: Sequence[tuple[np.ndarray, np.ndarray]],
        options: FitOptions | None = None,
        *,
        should_stop: Callable[[], bool] | None = None,
        on_epoch: Callable[[int, float], None] | None = None,
        on_batch: Callable[[int, int, int], None] | None = None,
    ) -> tuple[int, bool]:
        """Adagrad on the softmax loss of every token and role over ``(ids, gold)`` pairs.

        Returns (full epochs done, stopped early). ``should_stop`` is asked between
        batches (a time limit or a cancel, which the caller tells apart).
        """
        import numpy as np

        options = options or FitOptions()
        if options.rule_prior:
            self.add_rule_prior(options.rule_prior)
        rng = np.random.default_rng(options.seed)
        accum = np.full((N_BUCKETS, 9), 1e-6, dtype=np.float32)
        accum_bias = np.full(9, 1e-6, dtype=np.float32)
        order = np.arange(len(data))
        eye = np.eye(3, dtype=np.float32)
        done = 0
        for epoch in range(1, options.epochs + 1):
            rng.shuffle(order)
            batches: list[list[int]] = [[]]
            size = 0
            for j in order:
                if size >= options.batch_tokens:
                    batches.append([])
                    size = 0
                batches[-1].append(int(j))
                size += len(data[j][0])
            loss = 0.0
            for k, batch in enumerate(batches, 1):
                if should_stop is not None and (epoch > 1 or k > 1) and should_stop():  # at least one update
                    return done, True
                ids = np.concatenate([data[j][0] for j in batch])
                gold = np.concatenate([data[j][1] for j in batch]).astype(np.int64)
                if not len(ids):
                    continue
                logp = self.scores(ids)  # (n, 3, 3)
                probs = np.exp(logp)
                target = eye[gold]  # (n, 3, 3)
                loss -= float((logp * target).sum())
                grad = (probs - target).reshape(-1, 9)  # (n, 9)
                uniq, inverse = np.unique(ids, return_inverse=True)
                inverse = inverse.reshape(ids.shape)
                g = np.zeros((len(uniq), 9), dtype=np.float32)
                flat = inverse.ravel()
                for c in range(9):
                    g[:, c] = np.bincount(flat, weights=np.repeat(grad[:, c], ids.shape[1]), minlength=len(uniq))
                rows = self.weights[uniq]
                g += options.l2 * rows
                accum[uniq] += g * g
                self.weights[uniq] = rows - options.learn_rate * g / np.sqrt(accum[uniq])
                gb = grad.sum(axis=0)
                accum_bias += gb * gb
                self.bias -= options.learn_rate * gb / np.sqrt(accum_bias)
                if on_batch is not None:
                    on_batch(epoch, k, len(batches))
            done = epoch
            if on_epoch is not None:
                on_epoch(epoch, loss)
        return done, False

    # ---------------------------------------------------------- storage

    def to_bytes(self) -> bytes:
        import io
        import json

        import numpy as np

        rows = np.flatnonzero(np.abs(self.weights).sum(axis=1) > 0).astype(np.int32)
        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            rows=rows,
            values=self.weights[rows].astype(np.float16),
            bias=self.bias.astype(np.float32),
            meta=np.frombuffer(json.dumps(self.meta).encode("utf-8"), dtype=np.uint8),
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TaggerModel:
        import io
        import json

        import numpy as np

        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            weights = np.zeros((N_BUCKETS, 9), dtype=np.float32)
            weights[npz["rows"]] = npz["values"].astype(np.float32)
            meta = json.loads(npz["meta"].tobytes().decode("utf-8")) if "meta" in npz else {}
            return cls(weights, npz["bias"].astype(np.float32), meta)


def decode(logp: np.ndarray) -> list[TokSpan]:
    """Viterbi over O/B/I log-probabilities (``O → I`` and a leading ``I`` forbidden); the B I* runs."""
    import numpy as np

    n = len(logp)
    if n == 0:
        return []
    neg = -1e9
    # allowed[prev, cur]
    allowed = np.array([[0, 0, neg], [0, 0, 0], [0, 0, 0]], dtype=np.float64)
    score = logp[0].astype(np.float64).copy()
    score[I] = neg
    back = np.zeros((n, 3), dtype=np.int8)
    for i in range(1, n):
        cand = score[:, None] + allowed  # (prev, cur)
        best = cand.argmax(axis=0)
        back[i] = best
        score = cand[best, np.arange(3)] + logp[i]
    path = [int(score.argmax())]
    for i in range(n - 1, 0, -1):
        path.append(int(back[i, path[-1]]))
    path.reverse()
    spans: list[TokSpan] = []
    start = None
    for i, t in enumerate(path):
        if t == B or t == O:
            if start is not None:
                spans.append((start, i))
                start = None
            if t == B:
                start = i
    if start is not None:
        spans.append((start, n))
    return spans


# ------------------------------------------------------------------ from tags to claims


def _overlaps(a: TokSpan, b: TokSpan) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _distance(a: TokSpan, b: TokSpan) -> int:
    return max(a[0] - b[1], b[0] - a[1], 0)


def _claim_type(doc: Doc, span: TokSpan) -> ClaimType:
    text = doc[span[0] : span[1]].text
    return ClaimType.DIRECT_QUOTE if text[:1] in _QUOTE_CHARS or (span[0] > 0 and doc[span[0] - 1].text in _QUOTE_CHARS) else ClaimType.REPORTED


def _governs(doc: Doc, cue: TokSpan, span: TokSpan, steps: int = 4) -> bool:
    """Whether a token of ``cue`` is an ancestor (within ``steps``) of the root of ``span``."""
    root = min(range(*span), key=lambda i: _depth(doc, i))
    cur = doc[root]
    for _ in range(steps):
        if cur.head.i == cur.i:
            return False
        cur = cur.head
        if cue[0] <= cur.i < cue[1]:
            return True
    return False


def _depth(doc: Doc, i: int) -> int:
    depth, tok = 0, doc[i]
    while tok.head.i != tok.i and depth < 50:
        tok = tok.head
        depth += 1
    return depth


def _sentence_index(doc: Doc) -> list[int]:
    sent_of = [0] * len(doc)
    if doc.has_annotation("SENT_START"):
        for k, sent in enumerate(doc.sents):
            for i in range(sent.start, sent.end):
                sent_of[i] = k
    return sent_of


def link(doc: Doc, spans: Sequence[Sequence[TokSpan]], rule_claims: Sequence[FoundClaim]) -> list[FoundClaim]:
    """Claims from the predicted source, cue and content spans (see the module notes)."""
    sources, cues, contents = (list(s) for s in spans)
    sent_of = _sentence_index(doc)
    has_parse = doc.has_annotation("DEP")

    def near(pool: list[TokSpan], content: TokSpan) -> list[TokSpan]:
        """The spans of ``pool`` outside ``content``, in its sentence(s) or the one before or after."""
        here = {sent_of[content[0]], sent_of[content[1] - 1]}
        lo, hi = min(here) - 1, max(here) + 1
        return [p for p in pool if not _overlaps(p, content) and lo <= sent_of[p[0]] <= hi]

    claims: list[FoundClaim] = []
    used_sources: set[TokSpan] = set()
    used_cues: set[TokSpan] = set()
    for content in contents:
        claim = FoundClaim(_claim_type(doc, content), content, 0.8, rule=LEARNED_RULE)
        # a rule claim with the same content lends its parts, when the tagger found them too
        for rule in rule_claims:
            if _overlaps(rule.content, content):
                if claim.cue is None and rule.cue and any(_overlaps(rule.cue, c) for c in cues):
                    claim.cue = next(c for c in cues if _overlaps(rule.cue, c))
                if claim.source is None and rule.source and any(_overlaps(rule.source, s) for s in sources):
                    claim.source = next(s for s in sources if _overlaps(rule.source, s))
                    if rule.resolved and rule.source == claim.source:
                        claim.resolved = rule.resolved
        if claim.cue is None:
            options = near(cues, content)
            if options:
                governing = [c for c in options if has_parse and _governs(doc, c, content)]
                claim.cue = min(governing or options, key=lambda c: (_distance(c, content), c))
        if claim.source is None:
            options = near(sources, content)
            if options:
                if claim.cue is not None and has_parse:
                    attached = [s for s in options if any(doc[i].head.i in range(*claim.cue) for i in range(*s))]
                    options = attached or options
                anchor = claim.cue or content
                claim.source = min(options, key=lambda s: (_distance(s, anchor), s))
        if claim.source:
            used_sources.add(claim.source)
        if claim.cue:
            used_cues.add(claim.cue)
        claims.append(claim)
    # cues and sources no content took: the rule claim they belong to, or the clause the cue governs
    for cue in cues:
        if cue in used_cues:
            continue
        rule = next((r for r in rule_claims if r.cue and _overlaps(r.cue, cue)), None)
        content: TokSpan | None = None
        if rule is not None:
            content = rule.content
        elif has_parse:
            for i in range(*cue):
                for child in doc[i].children:
                    if child.dep_ in ("ccomp", "xcomp", "dobj", "pobj", "prep"):
                        content = edge_trim(doc, child.left_edge.i, child.right_edge.i + 1)
                        if content is not None:
                            break
                if content is not None:
                    break
        if content is None or any(_overlaps(content, c.content) and c.cue is None for c in claims):
            continue
        claim = FoundClaim(_claim_type(doc, content), content, 0.5, cue=cue, rule=LEARNED_RULE)
        options = near([s for s in sources if s not in used_sources], content)
        if rule is not None and rule.source and any(_overlaps(rule.source, s) for s in options):
            claim.source = next(s for s in options if _overlaps(rule.source, s))
        elif options:
            claim.source = min(options, key=lambda s: (_distance(s, cue), s))
        if claim.source:
            used_sources.add(claim.source)
        claims.append(claim)
    claims.sort(key=lambda c: (c.content[0], c.content[1]))
    return claims


def merge_with_rules(learned: Sequence[FoundClaim], rule_claims: Sequence[FoundClaim]) -> list[FoundClaim]:
    """The learned attributions plus the rules' unattributed claims (assertions …) that overlap none of them."""
    out = list(learned)
    for claim in rule_claims:
        if claim.rule.startswith(_UNATTRIBUTED_PREFIXES) and not any(_overlaps(claim.content, c.content) for c in learned):
            out.append(claim)
    out.sort(key=lambda c: (c.content[0], c.content[1]))
    return out


def snap_to_clause(doc: Doc, span: TokSpan, avoid: Sequence[TokSpan] = (), *, left: bool = True) -> TokSpan:
    """A predicted content widened to the whole phrase of its first and last root word.

    A token tagger tends to stop a content early (``that the party may have`` |
    ``to disavow Mr. Trump``): the span is widened to the right edge of the
    subtree of its last root (a word whose head lies outside the span), and to
    the left edge of its first root, within the sentence and never over a
    predicted source or cue (``avoid``).
    """
    start, end = span
    if not doc.has_annotation("DEP"):
        return span
    roots = [i for i in range(start, end) if not (start <= doc[i].head.i < end) or doc[i].head.i == i]
    if not roots:
        return span
    last, first = doc[roots[-1]], doc[roots[0]]
    sent_end = doc[end - 1].sent.end
    new_end = max(end, min(last.right_edge.i + 1, sent_end))
    new_start = start
    if left:
        sent_start = doc[start].sent.start
        new_start = min(start, max(first.left_edge.i, sent_start))
    for a in avoid:
        if _overlaps((end, new_end), a):
            new_end = max(end, a[0]) if a[0] >= end else end
        if _overlaps((new_start, start), a):
            new_start = min(start, a[1]) if a[1] <= start else start
    trimmed = edge_trim(doc, new_start, new_end)
    return trimmed or span


def snap_to_rules(spans: Sequence[TokSpan], rule_spans: Sequence[TokSpan], min_jaccard: float = 0.5) -> list[TokSpan]:
    """Predicted spans that mostly agree with a rule's span take the rule's boundaries (each span once, in order).

    The rules place boundaries at clause edges and quotation marks; a token
    tagger's edges are noisier. When the two cover mostly the same tokens
    (Jaccard ``min_jaccard`` or more), the rule's edges are used.
    """
    out: list[TokSpan] = []
    for span in spans:
        best, best_j = span, 0.0
        for rule in rule_spans:
            inter = min(span[1], rule[1]) - max(span[0], rule[0])
            if inter <= 0:
                continue
            j = inter / (max(span[1], rule[1]) - min(span[0], rule[0]))
            if j >= min_jaccard and j > best_j:
                best, best_j = rule, j
        if best not in out:
            out.append(best)
    return sorted(out)


# ------------------------------------------------------------------ the whole model: one tagger, or two stacked


DEFAULT_OFFSETS = (1.0, 1.0, 0.3)  # O's penalty per role at decoding: sources and cues are missed more than invented
DEFAULT_SNAP = (0.5, 0.5)  # (sources, contents): the Jaccard above which a rule's edges are taken; 0 = never


def refine(
    doc: Doc, spans: Sequence[Sequence[TokSpan]], rule_claims: Sequence[FoundClaim], snap: tuple[float, float] = DEFAULT_SNAP
) -> list[list[TokSpan]]:
    """Decoded spans tidied: contents widened to their clause (:func:`snap_to_clause`); contents and
    sources that mostly agree with a rule's take the rule's edges (:func:`snap_to_rules`) when ``snap`` says so."""
    sources, cues, contents = (list(s) for s in spans)
    contents = sorted({snap_to_clause(doc, c, sources + cues, left=False) for c in contents})
    if snap[1]:
        contents = snap_to_rules(contents, [c.content for c in rule_claims], snap[1])
    if snap[0]:
        sources = snap_to_rules(sources, [c.source for c in rule_claims if c.source], snap[0])
    return [sources, cues, contents]


def rule_edges_agree(doc: Doc, gold: dict[str, list[TokSpan]], rule_claims: Sequence[FoundClaim], min_jaccard: float = 0.5) -> dict[str, tuple[int, int]]:
    """Per role (source, content): (gold spans near a rule span, of which the rule's edges are exactly the gold's).

    Summed over the training texts, this decides whether snapping to the rules'
    edges suits the user's way of marking (PolNeAR includes a content's
    *that*; a user may not).
    """
    out: dict[str, tuple[int, int]] = {}
    for role in ("source", "content"):
        rules = [edge_trim(doc, *span) for span in (c.source if role == "source" else c.content for c in rule_claims) if span]
        near = agree = 0
        for g in gold.get(role, []):
            close = [r for r in rules if r and _overlaps(r, g) and (min(r[1], g[1]) - max(r[0], g[0])) / (max(r[1], g[1]) - min(r[0], g[0])) >= min_jaccard]
            if close:
                near += 1
                agree += g in close
        out[role] = (near, agree)
    return out


def choose_snap(counts: Iterable[dict[str, tuple[int, int]]], threshold: float = 0.5) -> tuple[float, float]:
    """The ``snap`` setting from :func:`rule_edges_agree` counts: a role snaps when the rules' edges were right at least half the time."""
    near = {"source": 0, "content": 0}
    agree = {"source": 0, "content": 0}
    for c in counts:
        for role in near:
            near[role] += c.get(role, (0, 0))[0]
            agree[role] += c.get(role, (0, 0))[1]
    return tuple(  # type: ignore[return-value]
        0.5 if near[role] and agree[role] / near[role] >= threshold else 0.0 for role in ("source", "content")
    )


@dataclass
class AttributionModel:
    """The learned attribution model: a tagger, and optionally a second one stacked on its predictions."""

    first: TaggerModel
    second: TaggerModel | None = None
    offsets: tuple[float, float, float] = DEFAULT_OFFSETS
    snap: tuple[float, float] = DEFAULT_SNAP
    meta: dict[str, Any] = field(default_factory=dict)
    # roles the training marks had examples of; for the others the rules' spans are used as they are
    # (a user who never marked a source has not said that nothing is one)
    learned: tuple[bool, bool, bool] = (True, True, True)

    def spans(self, doc: Doc, rule_claims: Sequence[FoundClaim], cache: dict[str, int] | None = None) -> list[list[TokSpan]]:
        """Per role, the predicted spans of ``doc`` (``rule_claims``: the rules' attributions)."""
        import numpy as np

        if not len(doc):
            return [[] for _ in ROLES]
        ids = feature_ids(doc, rule_claims, cache)
        if self.second is None:
            spans = self.first.predict(ids, self.offsets)
        else:
            first = self.first.predict(ids)
            stacked = np.concatenate([ids, hash_features(stacked_strings(doc, first), cache)], axis=1)
            spans = self.second.predict(stacked, self.offsets)
        for r, learned in enumerate(self.learned):
            if not learned:
                rule_spans = (c.source if r == 0 else c.cue if r == 1 else c.content for c in rule_claims)
                spans[r] = sorted({t for span in rule_spans if span and (t := edge_trim(doc, *span))})
        return refine(doc, spans, rule_claims, self.snap)

    def claims(self, doc: Doc, rule_claims: Sequence[FoundClaim]) -> list[FoundClaim]:
        """The learned attributions of ``doc`` as claims with their sources and cues (see :func:`link`)."""
        return link(doc, self.spans(doc, rule_claims), rule_claims)

    # ---------------------------------------------------------- storage

    def to_disk(self, folder: Any) -> None:
        import json
        from pathlib import Path

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "first.npz").write_bytes(self.first.to_bytes())
        if self.second is not None:
            (folder / "second.npz").write_bytes(self.second.to_bytes())
        cfg = {
            "offsets": list(self.offsets),
            "snap": list(self.snap),
            "learned": [role for role, on in zip(ROLES, self.learned, strict=True) if on],
            "stacked": self.second is not None,
            "n_buckets": N_BUCKETS,
            "meta": self.meta,
        }
        (folder / "model.json").write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def from_disk(cls, folder: Any) -> AttributionModel:
        import json
        from pathlib import Path

        folder = Path(folder)
        cfg = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        if int(cfg.get("n_buckets", N_BUCKETS)) != N_BUCKETS:
            raise ValueError(f"{folder}: a model with {cfg.get('n_buckets')} feature rows, this version reads {N_BUCKETS}")
        first = TaggerModel.from_bytes((folder / "first.npz").read_bytes())
        second = TaggerModel.from_bytes((folder / "second.npz").read_bytes()) if cfg.get("stacked") else None
        offsets = tuple(float(x) for x in cfg.get("offsets", DEFAULT_OFFSETS))
        snap = tuple(float(x) for x in cfg.get("snap", DEFAULT_SNAP))
        learned = tuple(role in cfg.get("learned", ROLES) for role in ROLES)
        return cls(first, second, offsets, snap, dict(cfg.get("meta") or {}), learned)  # type: ignore[arg-type]


@dataclass(slots=True)
class FitReport:
    epochs_done: int = 0  # full passes of the (first) tagger
    stopped: bool = False  # should_stop said so before everything was done
    stacked: bool = False
    fits: int = 0  # taggers trained (1, or folds + 2 when stacked)
    tokens: int = 0


def fit_attribution(
    data: Sequence[tuple[np.ndarray, np.ndarray]],
    options: FitOptions | None = None,
    *,
    stack_folds: int = 0,
    stacked_ids: Callable[[int, list[list[TokSpan]]], np.ndarray] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_progress: Callable[[float], None] | None = None,
    offsets: tuple[float, float, float] = DEFAULT_OFFSETS,
    snap: tuple[float, float] = DEFAULT_SNAP,
) -> tuple[AttributionModel, FitReport]:
    """Train the model on ``(ids, gold)`` pairs (:func:`feature_ids`, :func:`gold_tags`).

    With ``stack_folds`` ≥ 2 (and ``stacked_ids``, which gives the extra
    feature ids of item ``j`` from a first model's spans, see
    :func:`stacked_strings`), a second tagger is trained on the first one's
    predictions: each item's predictions come from a first model trained on the
    other folds (so they are as wrong as they will be on new text). When
    ``should_stop`` fires, what was learned so far is kept: the first tagger
    (part-trained, if it came to that), without the second.
    """
    import numpy as np

    options = options or FitOptions()
    stacking = stack_folds >= 2 and stacked_ids is not None and len(data) >= stack_folds
    n_fits = 1 + (stack_folds + 1 if stacking else 0)
    report = FitReport(tokens=int(sum(len(ids) for ids, _ in data)))
    stopped = {"flag": False}

    def stop() -> bool:
        if not stopped["flag"] and should_stop is not None and should_stop():
            stopped["flag"] = True
        return stopped["flag"]

    def progress_of(index: int) -> Callable[[int, int, int], None]:
        def on_batch(epoch: int, k: int, batches: int) -> None:
            if on_progress is not None:
                on_progress(min(1.0, (index + ((epoch - 1) * batches + k) / (options.epochs * batches)) / n_fits))

        return on_batch

    first = TaggerModel()
    report.epochs_done, report.stopped = first.fit(data, options, should_stop=stop, on_batch=progress_of(0))
    report.fits = 1
    learned = tuple(bool(any((gold[:, r] != O).any() for _ids, gold in data)) for r in range(3))
    model = AttributionModel(first, None, offsets, snap, learned=learned)  # type: ignore[arg-type]
    if report.stopped or not stacking:
        return model, report
    assert stacked_ids is not None
    guesses: dict[int, list[list[TokSpan]]] = {}
    for fold in range(stack_folds):
        part = TaggerModel()
        _, halted = part.fit([d for j, d in enumerate(data) if j % stack_folds != fold], options, should_stop=stop, on_batch=progress_of(1 + fold))
        if halted:
            report.stopped = True
            return model, report
        for j, (ids, _gold) in enumerate(data):
            if j % stack_folds == fold:
                guesses[j] = part.predict(ids)
        report.fits += 1
    second_data = [(np.concatenate([ids, stacked_ids(j, guesses[j])], axis=1), gold) for j, (ids, gold) in enumerate(data)]
    guesses.clear()
    second = TaggerModel()
    _, halted = second.fit(second_data, options, should_stop=stop, on_batch=progress_of(n_fits - 1))
    if halted:
        report.stopped = True
        return model, report
    report.fits += 1
    report.stacked = True
    model.second = second
    return model, report
