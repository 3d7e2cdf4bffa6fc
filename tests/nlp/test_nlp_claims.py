"""The claim detector on hand-written sentences: each claim type and each way of naming a speaker.

The seed article's own sentences (seeds/ceasefire-negotiations.txt) are checked too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parents[2] / "seeds" / "ceasefire-negotiations.txt"


def one(found: list[dict], **expected: object) -> dict:
    """The single claim whose fields equal ``expected`` (fails with the whole list otherwise)."""
    hits = [c for c in found if all(c[k] == v for k, v in expected.items())]
    assert len(hits) == 1, f"expected one claim with {expected}, got {found}"
    return hits[0]


# ---------------------------------------------------------------- reported statements


@pytest.mark.parametrize(
    ("text", "source", "cue", "content"),
    [
        ("The mayor said that the bridge would reopen in March.", "The mayor", "said", "that the bridge would reopen in March"),
        ("The bridge will reopen in March, the mayor said.", "the mayor", "said", "The bridge will reopen in March"),
        (
            "According to the transport ministry, about 40,000 cars cross the bridge every day.",
            "the transport ministry",
            "According to",
            "about 40,000 cars cross the bridge every day",
        ),
        ("He told reporters the bridge was safe.", "He", "told reporters", "the bridge was safe"),
        (
            "The mayor, a former engineer, added that the city had learned from the flood.",
            "The mayor, a former engineer",
            "added",
            "that the city had learned from the flood",
        ),
        (
            "Council members, who met on Tuesday, said the repairs cost more than planned.",
            "Council members, who met on Tuesday",
            "said",
            "the repairs cost more than planned",
        ),
        ("Engineers expect the repairs to last two more weeks.", "Engineers", "expect", "the repairs to last two more weeks"),
        ("This campaign, he says, is different.", "he", "says", "This campaign, he says, is different"),
    ],
)
def test_reported_statements(claims, text: str, source: str, cue: str, content: str) -> None:  # type: ignore[no-untyped-def]
    claim = one(claims(text), type="reported")
    assert (claim["source"], claim["cue"], claim["content"]) == (source, cue, content)
    assert 0.0 <= claim["score"] <= 1.0


def test_adding_inherits_the_speaker(claims) -> None:  # type: ignore[no-untyped-def]
    found = claims("The harbour was closed for a week, the port director said, adding that ferries would run again on Friday.")
    one(found, cue="said", source="the port director", content="The harbour was closed for a week")
    one(found, cue="adding", source="the port director", content="that ferries would run again on Friday")


def test_a_passive_expectation_without_a_speaker_is_a_prediction_not_an_attribution(claims) -> None:  # type: ignore[no-untyped-def]
    found = claims("The new ferry line is expected to open in 2027.")
    assert [c["type"] for c in found] == ["prediction"]


def test_opinions_in_ones_own_voice_are_not_attributions(claims) -> None:  # type: ignore[no-untyped-def]
    assert not [c for c in claims("I think we should all calm down a little.") if c["type"] == "reported"]


# ---------------------------------------------------------------- direct quotes


def test_quote_with_speaker_after(claims) -> None:  # type: ignore[no-untyped-def]
    claim = one(claims("“We have fixed the cables,” said Anna Berg, a spokeswoman for the city."), type="direct_quote")
    assert claim["content"] == "“We have fixed the cables,”"
    assert claim["source"] == "Anna Berg, a spokeswoman for the city"
    assert claim["cue"] == "said"


def test_quote_with_speaker_before_over_three_sentences(claims) -> None:  # type: ignore[no-untyped-def]
    text = "Anna Berg, a spokeswoman for the city, told Radio North, “The work is finished. The bridge is safe. Traffic can return on Monday.”"
    claim = one(claims(text), type="direct_quote")
    assert claim["content"] == "“The work is finished. The bridge is safe. Traffic can return on Monday.”"
    assert (claim["source"], claim["cue"]) == ("Anna Berg, a spokeswoman for the city", "told Radio North")


def test_short_quote_with_a_speaker_is_still_a_quote(claims) -> None:  # type: ignore[no-untyped-def]
    claim = one(claims("“No,” he said."), type="direct_quote")
    assert (claim["content"], claim["source"], claim["cue"]) == ("“No,”", "he", "said")


def test_straight_quotes_work_like_curly_ones(claims) -> None:  # type: ignore[no-untyped-def]
    claim = one(claims('"The tunnel is closed until further notice," the police said.'), type="direct_quote")
    assert (claim["source"], claim["cue"]) == ("the police", "said")


def test_a_quote_over_paragraphs_and_the_next_quote_keep_the_speaker(claims) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The chief engineer, Maria Lopez, said: “We checked every cable.\n\n"
        "“We found two that were worn and replaced them.”\n\n"
        "“Nothing else was wrong,” Lopez added. “The bridge is ready.”"
    )
    found = [c for c in claims(text) if c["type"] == "direct_quote"]
    assert [c["content"] for c in found] == [
        "“We checked every cable.\n\n“We found two that were worn and replaced them.”",
        "“Nothing else was wrong,”",
        "“The bridge is ready.”",
    ]
    assert found[0]["source"] == "The chief engineer, Maria Lopez"
    assert [c["source"] for c in found[1:]] == ["Lopez", "Lopez"]
    assert [c["cue"] for c in found[1:]] == ["added", "added"]


def test_scare_quotes_inside_a_statement_are_not_separate_quotes(claims) -> None:  # type: ignore[no-untyped-def]
    found = claims("Trump has “enormous respect” for the military, the aide said.")
    assert [c["type"] for c in found] == ["reported"]
    assert found[0]["content"] == "Trump has “enormous respect” for the military"
    found = claims("The minister said that the plan was “a pretty significant opening” for talks.")
    assert [c["type"] for c in found] == ["reported"]
    assert found[0]["content"].endswith("“a pretty significant opening” for talks")


def test_an_unattributed_quotation_is_a_quote_without_a_speaker(claims) -> None:  # type: ignore[no-untyped-def]
    claim = one(claims("“This cannot go on. We need a new bridge.”"), type="direct_quote")
    assert claim["source"] is None and claim["score"] < 0.9


# ---------------------------------------------------------------- unattributed assertions


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Unemployment fell to 4.2 percent in June, the lowest level since 2001.", "statistic"),
        ("The city spent $3.5 million on the repairs.", "statistic"),
        ("The harbour is bigger than the one in Oslo.", "comparison"),
        ("It is the largest bridge in the country.", "comparison"),
        ("The new ferry line is expected to open in 2027.", "prediction"),
        ("The company sold its shipyard to a Danish group last year.", "assertion"),
    ],
)
def test_check_worthy_assertions(claims, text: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    claim = one(claims(text), type=kind)
    assert claim["content"] == text
    assert claim["source"] is None and 0.5 <= claim["score"] <= 1.0


@pytest.mark.parametrize("text", ["What a day!", "Do you like bridges?", "I love this town."])
def test_no_claim_in_questions_exclamations_and_feelings(claims, text: str) -> None:  # type: ignore[no-untyped-def]
    assert claims(text) == []


# ---------------------------------------------------------------- the seed article


@pytest.fixture(scope="module")
def seed_claims(claims) -> list[dict]:  # type: ignore[no-untyped-def]
    return claims(SEED.read_text(encoding="utf-8"))


def test_seed_speaker_is_the_whole_coordinated_phrase(seed_claims) -> None:  # type: ignore[no-untyped-def]
    claim = one(seed_claims, source="an Israeli official and a source familiar with the negotiations")
    assert claim["cue"] == "said" and claim["type"] == "reported"
    assert claim["content"].startswith("Israeli Prime Minister") and claim["content"].endswith("deal with Hamas")


def test_seed_told_cnn_quote_runs_over_three_sentences(seed_claims) -> None:  # type: ignore[no-untyped-def]
    claim = one(seed_claims, cue="told CNN")
    assert claim["type"] == "direct_quote"
    assert claim["source"] == "Basem Naim, a member of Hamas’ political bureau"
    assert claim["content"].startswith("“there is nothing official") and claim["content"].endswith("Negotiations did not start yet.”")


def test_seed_quote_then_added_then_a_second_quote(seed_claims) -> None:  # type: ignore[no-untyped-def]
    quotes = [c for c in seed_claims if c["type"] == "direct_quote" and c["source"] == "Naim"]
    assert [c["content"][:20] for c in quotes] == ["“We are also waiting", "“We have no informat"]
    assert {c["cue"] for c in quotes} == {"added"}


def test_seed_according_to_and_the_senior_official(seed_claims) -> None:  # type: ignore[no-untyped-def]
    claim = one(seed_claims, source="a senior Biden administration official")
    assert claim["cue"] == "according to"
    assert claim["content"] == "Talks are expected to be held in Doha, Qatar, starting as early as Friday"
    one(seed_claims, source="a source with knowledge of the talks", cue="according to")
    said = one(seed_claims, source="the senior Biden administration official", cue="said")
    assert said["content"] == "The call focused on the details of the hostage and ceasefire deal"
    adding = one(seed_claims, cue="adding")
    assert adding["source"] == "the senior Biden administration official"
    assert "“pretty significant opening”" in adding["content"]
    # the scare quote is part of the reported statement, not a quote of its own
    assert not [c for c in seed_claims if c["type"] == "direct_quote" and "pretty significant" in c["content"]]


def test_seed_sources_after_the_clause(seed_claims) -> None:  # type: ignore[no-untyped-def]
    one(seed_claims, source="an Israeli source familiar with the talks", cue="said")
    claim = one(seed_claims, source="the Israeli source", cue="said")
    assert claim["content"] == "Those negotiations are expected to last two to three weeks"
    claim = one(seed_claims, source="the official", cue="said")
    assert claim["content"].endswith("“fully protects Israel’s interests.”")
