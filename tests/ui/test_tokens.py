"""Snapping a selection to tokens, and moving a mark's edges by a token."""

from __future__ import annotations

from newsmark.ui import tokens

TEXT = "Basem Naim, a member of Hamas’ political bureau, told CNN: “there is nothing official.”"


def cut(text: str, bounds: tuple[int, int] | None) -> str | None:
    return None if bounds is None else text[bounds[0] : bounds[1]]


def test_snap_widens_to_whole_words() -> None:
    s = TEXT.index("asem")
    assert cut(TEXT, tokens.snap(TEXT, s, s + 7)) == "Basem Naim"


def test_snap_drops_edge_whitespace_and_punctuation() -> None:
    s = TEXT.index(" Naim,")
    assert cut(TEXT, tokens.snap(TEXT, s, s + 7)) == "Naim"
    s = TEXT.index("Hamas’")
    assert cut(TEXT, tokens.snap(TEXT, s - 1, s + 7)) == "Hamas"


def test_snap_keeps_a_whole_quotation() -> None:
    s = TEXT.index("“")
    assert cut(TEXT, tokens.snap(TEXT, s, len(TEXT))) == "“there is nothing official.”"


def test_snap_of_nothing_markable() -> None:
    s = TEXT.index(", told")
    assert tokens.snap(TEXT, s, s + 2) is None
    assert tokens.snap(TEXT, 0, 0) is None


def test_exact_keeps_characters() -> None:
    s = TEXT.index("asem")
    assert cut(TEXT, tokens.exact(TEXT, s, s + 3)) == "ase"


def test_grow_and_shrink_by_a_token() -> None:
    s = TEXT.index("Naim")
    span = (s, s + 4)
    assert cut(TEXT, tokens.grow_start(TEXT, *span)) == "Basem Naim"
    assert cut(TEXT, tokens.grow_end(TEXT, *span)) == "Naim,"
    wide = tokens.grow_start(TEXT, *span)
    assert cut(TEXT, tokens.shrink_start(TEXT, *wide)) == "Naim"
    assert cut(TEXT, tokens.shrink_end(TEXT, *wide)) == "Basem"
    assert tokens.shrink_end(TEXT, *span) == span  # never empty


def test_words_in_other_scripts_and_after_emoji() -> None:
    text = "👋🏽 山田 花子 said منى الشريف agreed"
    s = text.index("花")
    assert cut(text, tokens.snap(text, s, s + 1)) == "花子"
    s = text.index("الشريف")
    assert cut(text, tokens.snap(text, s + 2, s + 3)) == "الشريف"


def test_occurrences_are_whole_words() -> None:
    text = "Hamas said Hamas’ leaders and Hamasite groups met Hamas."
    assert [text[a:b] for a, b in tokens.occurrences(text, "Hamas")] == ["Hamas"] * 3
