"""newsmark.text: the two normalisations, the hash, titles, and decoding bytes."""

from __future__ import annotations

import codecs
import hashlib
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsmark.text import DecodeError, decode_bytes, guess_title, normalize_text, text_hash

# --- normalize_text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\r\nb\r\n", "a\nb\n"),  # Windows
        ("a\rb\r", "a\nb\n"),  # old Mac
        ("a\r\n\r\nb", "a\n\nb"),  # a blank line stays one blank line
        ("a\r\r\nb", "a\n\nb"),  # a lone CR before CRLF is its own line end
        ("\ufeffTitle\n", "Title\n"),  # a leading BOM that survived decoding
        ("cafe\u0301", "caf\u00e9"),  # NFD -> NFC
    ],
)
def test_normalize_text_line_endings_bom_and_nfc(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_normalize_text_changes_nothing_else() -> None:
    text = "  Leading spaces\tand tabs  \n\n\n  trailing  \u00a0\u2028zero\u200bwidth \ufeff inside\n"
    assert normalize_text(text) == text


def test_nfc_shortens_text_and_offsets_are_into_the_normalised_text() -> None:
    raw = "Jose\u0301 Martí\r\nsaid \u201cno\u201d."  # "José" decomposed, CRLF
    text = normalize_text(raw)
    assert text == "José Martí\nsaid “no”."
    start = text.index("said")
    assert start == 11  # 4 + 1 + 5 + 1: one code point per letter, one per line end
    assert text[start : start + 4] == "said"


def test_emoji_and_astral_characters_are_one_code_point_each() -> None:
    text = normalize_text("😀 Ünïcode 𝔘")
    assert len(text) == 11
    assert text.index("Ünïcode") == 2


@given(st.text())
def test_normalize_text_is_idempotent_and_leaves_no_cr(raw: str) -> None:
    once = normalize_text(raw)
    assert normalize_text(once) == once
    assert "\r" not in once
    assert unicodedata.is_normalized("NFC", once)


# --- text_hash ---------------------------------------------------------------------------------


def test_text_hash_is_sha256_of_the_normalised_utf8() -> None:
    assert text_hash("café\n") == hashlib.sha256("café\n".encode()).hexdigest()


def test_text_hash_is_the_same_for_texts_that_normalise_alike() -> None:
    assert text_hash("cafe\u0301\r\n") == text_hash("café\n")
    assert text_hash("a") != text_hash("a ")


# --- guess_title -------------------------------------------------------------------------------


def test_guess_title_takes_the_first_non_empty_line() -> None:
    assert guess_title("\n   \n  Storm   hits   coast \nBody text") == "Storm hits coast"


def test_guess_title_cuts_long_lines_on_a_word_boundary() -> None:
    line = "word " * 60
    title = guess_title(line)
    assert len(title) <= 120
    assert title.endswith("word…")


def test_guess_title_cuts_a_line_without_spaces() -> None:
    title = guess_title("x" * 500)
    assert title == "x" * 119 + "…"


def test_guess_title_of_blank_text_is_empty() -> None:
    assert guess_title(" \n\t\n") == ""


# --- decode_bytes ------------------------------------------------------------------------------

SAMPLE = "Zoë said “déjà vu” — 😀\nSecond line.\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (b"plain ascii\n", "utf-8"),
        (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "utf-16"),
        (codecs.BOM_UTF32_LE + SAMPLE.encode("utf-32-le"), "utf-32"),
        (codecs.BOM_UTF32_BE + SAMPLE.encode("utf-32-be"), "utf-32"),
    ],
)
def test_decode_unicode_files(data: bytes, encoding: str) -> None:
    text, found = decode_bytes(data, "a.txt")
    assert found == encoding
    assert text.removeprefix("\ufeff") == (SAMPLE if "😀" in text else "plain ascii\n")
    assert not text.startswith("\ufeff")


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Le président a déclaré que l’économie française allait « mieux ». " * 3, "cp1252"),
        ("Café in Zürich – the “best” coffee, said the naïve owner.\n", "cp1252"),
        ("Straße", "cp1252"),
        ("Привет, как дела? Сегодня хорошая погода, и все довольны. " * 3, "cp1251"),
    ],
)
def test_decode_legacy_8bit_text_guesses_the_encoding(text: str, codec: str) -> None:
    decoded, encoding = decode_bytes(text.encode(codec), "old.txt")
    assert encoding == codec
    assert decoded == text


def test_binary_with_nul_bytes_is_refused() -> None:
    with pytest.raises(DecodeError, match="looks like a binary file"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.txt")


def test_binary_with_many_control_bytes_is_refused() -> None:
    data = bytes(range(1, 32)) * 50 + b"some text"
    with pytest.raises(DecodeError, match="looks like a binary file") as caught:
        decode_bytes(data, "x.txt")
    assert caught.value.path == "x.txt"


def test_utf16_without_bom_is_refused_as_binary() -> None:
    with pytest.raises(DecodeError, match="binary"):
        decode_bytes("Hello".encode("utf-16-le"), "x.txt")


def test_mixed_encodings_name_the_line_column_and_byte() -> None:
    data = "First line is UTF-8: naïve.\nSecond: ".encode() + "café".encode("cp1252") + b"\nthird\n"
    with pytest.raises(DecodeError) as caught:
        decode_bytes(data, "mixed.txt")
    message = str(caught.value)
    assert message.startswith("mixed encodings: invalid UTF-8 at line 2, column 12, byte 0xE9")
    assert caught.value.line == 2
    assert isinstance(caught.value, ValueError)


def test_truncated_utf8_is_reported_as_truncated() -> None:
    data = "Déjà vu\n€".encode()[:-1]
    with pytest.raises(DecodeError, match=r"truncated UTF-8.*column 1") as caught:
        decode_bytes(data, "cut.txt")
    assert caught.value.line == 2


def test_a_false_bom_is_reported() -> None:
    with pytest.raises(DecodeError, match="UTF-16 byte-order mark but is not valid UTF-16"):
        decode_bytes(codecs.BOM_UTF16_LE + b"\x00\xd8a", "x.txt")  # a lone high surrogate


def test_empty_bytes_decode_to_empty_text() -> None:
    assert decode_bytes(b"", "empty.txt") == ("", "utf-8")
