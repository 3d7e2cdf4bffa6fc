"""Finding quotations character by character (no spaCy)."""

from __future__ import annotations

from newsmark.nlp.quotes import Quote, find_quotes


def texts(text: str) -> list[str]:
    return [text[q.start : q.end] for q in find_quotes(text)]


def test_curly_and_straight_quotes() -> None:
    text = 'She said, “It is done.” He answered: "Not yet." Then “maybe”.'
    assert texts(text) == ["“It is done.”", '"Not yet."', "“maybe”"]


def test_no_quotes_no_work() -> None:
    assert find_quotes("Nothing quoted here, it’s plain.") == []


def test_a_quote_runs_over_paragraphs_when_the_next_one_reopens_it() -> None:
    text = "He said: “First part of it.\n\n“Second part.\n\n“Third part,” he added.\n\nAfter."
    [quote] = find_quotes(text)
    assert text[quote.start : quote.end] == "“First part of it.\n\n“Second part.\n\n“Third part,”"
    assert quote.closed and quote.paragraphs == 3


def test_an_unclosed_quote_ends_with_its_paragraph() -> None:
    text = "“We are leaving now\n\nThe next paragraph is narrative."
    [quote] = find_quotes(text)
    assert quote == Quote(0, len("“We are leaving now"), closed=False, paragraphs=1)


def test_marks_are_read_by_their_neighbours() -> None:
    # a closing mark used to open a paragraph (a typesetting slip seen in real copy)
    text = "”Mr. Smith is wrong,” she wrote."
    assert texts(text) == ["”Mr. Smith is wrong,”"]


def test_doubled_apostrophes_stand_for_quotation_marks() -> None:
    text = "''This is a business decision,'' the executive said. It's fine."
    assert texts(text) == ["''This is a business decision,''"]


def test_single_quotes_and_apostrophes_are_not_quotes() -> None:
    assert find_quotes("Trump ‘absolutely right’ in saying it’s rubble, Flynn's aide says.") == []


def test_offsets_are_code_points_with_emoji_before() -> None:
    text = "🎉🇮🇱 Party: “Great news,” she said."
    [quote] = find_quotes(text)
    assert text[quote.start : quote.end] == "“Great news,”"
    assert quote.start == text.index("“")
