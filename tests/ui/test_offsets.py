"""Code points <-> UTF-16: the one conversion, checked on every kind of character."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from newsmark.ui.offsets import OffsetMap, utf16_len


def test_ascii_is_identity() -> None:
    m = OffsetMap("hello world")
    assert [m.to_qt(i) for i in range(12)] == list(range(12))
    assert [m.to_py(i) for i in range(12)] == list(range(12))
    assert not m.has_astral


def test_astral_characters_count_twice_in_qt() -> None:
    text = "a😀b𝒳c"  # two characters outside the BMP
    m = OffsetMap(text)
    assert m.length_utf16 == len(text.encode("utf-16-le")) // 2 == 7
    assert [m.to_qt(i) for i in range(len(text) + 1)] == [0, 1, 3, 4, 6, 7]
    assert [m.to_py(q) for q in (0, 1, 3, 4, 6, 7)] == [0, 1, 2, 3, 4, 5]


def test_position_inside_a_surrogate_pair_rounds() -> None:
    m = OffsetMap("a😀b")
    assert m.to_py(2) == 1  # inside the emoji: its start
    assert m.to_py(2, round_up=True) == 2  # ... or its end, for the end of a range
    assert m.range_to_py(2, 2) == (1, 2)


def test_bmp_non_ascii_is_one_unit() -> None:
    text = "山田 花子 منى דוד Ж é"
    m = OffsetMap(text)
    assert all(m.to_qt(i) == i for i in range(len(text) + 1))


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_round_trip_on_any_text(text: str) -> None:
    m = OffsetMap(text)
    assert m.length_utf16 == utf16_len(text) == len(text.encode("utf-16-le")) // 2
    for i in range(len(text) + 1):
        q = m.to_qt(i)
        assert q == len(text[:i].encode("utf-16-le")) // 2
        assert m.to_py(q) == i
