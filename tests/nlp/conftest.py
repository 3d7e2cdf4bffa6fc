"""Fixtures for the language tests: the real pipeline loaded once per session, and a blank one."""

from __future__ import annotations

from collections.abc import Callable

import pytest


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    """The installed English pipeline with the claim detector (loaded once: it takes a few seconds)."""
    from newsmark.nlp.loader import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def blank_nlp():  # type: ignore[no-untyped-def]
    from newsmark.nlp.loader import load_pipeline

    return load_pipeline("blank:en")


@pytest.fixture(scope="session")
def claims(nlp) -> Callable[[str], list[dict]]:  # type: ignore[no-untyped-def]
    """Text -> the claims found, as dicts of strings: type, content, source, cue, score."""
    from newsmark.nlp.claims import claims_of

    def run(text: str) -> list[dict]:
        doc = nlp(text)
        out = []
        for claim in claims_of(doc):
            piece = lambda span: doc[span[0] : span[1]].text if span else None  # noqa: E731
            out.append(
                {
                    "type": claim.claim_type.value,
                    "content": piece(claim.content),
                    "source": piece(claim.source),
                    "cue": piece(claim.cue),
                    "score": claim.score,
                }
            )
        return out

    return run
