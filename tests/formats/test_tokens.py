"""The span-aligned tokeniser shared by Prodigy tokens, CoNLL and the spaCy DocBin."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from newsmark.formats.tokens import TokenIndex, tokenize


def words(text: str, cuts=()) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.text(text) for t in tokenize(text, cuts)]


def test_words_keep_their_combining_marks() -> None:
    # Python's \w does not count combining marks: Hindi vowel signs, Arabic harakat, a stress accent.
    assert words("Ми́ша said हिन्दी is مُحَمَّد") == ["Ми́ша", "said", "हिन्दी", "is", "مُحَمَّد"]


def test_punctuation_apostrophes_and_emoji() -> None:
    assert words("Basem Naim’s “war” — 3.5% 👋🏽!") == ["Basem", "Naim’s", "“", "war", "”", "—", "3", ".", "5", "%", "👋", "🏽", "!"]


def test_cuts_split_tokens_and_ws_is_kept() -> None:
    text = "Basem Naim told CNN"
    tokens = tokenize(text, [2, 8])
    assert [t.text(text) for t in tokens] == ["Ba", "sem", "Na", "im", "told", "CNN"]
    assert [t.ws for t in tokens] == [False, True, False, True, True, False]
    index = TokenIndex(tokens)
    assert index.span(0, 10) == (0, 3) and index.span(2, 8) == (1, 2)
    assert index.span(1, 10) is None  # not on a token boundary


@settings(max_examples=200, deadline=None)
@given(text=st.text(min_size=1, max_size=60), data=st.data())
def test_tokens_cover_every_non_space_character_once_and_align_with_every_cut(text: str, data) -> None:  # type: ignore[no-untyped-def]
    cuts = data.draw(st.lists(st.integers(0, len(text)), max_size=6))
    tokens = tokenize(text, cuts)
    covered = [i for t in tokens for i in range(t.start, t.end)]
    assert covered == sorted(set(covered))  # in order, no overlap
    assert set(covered) == {i for i, c in enumerate(text) if not c.isspace()}
    for cut in cuts:  # a cut inside a token always splits it
        assert not any(t.start < cut < t.end for t in tokens)
    assert all(t.start < t.end for t in tokens)
