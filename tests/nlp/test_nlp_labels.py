"""The built-in label scheme (resources/labels.json) and the user's labels laid over it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsmark.labels import (
    CLAIM_TYPE_LABELS,
    ONTONOTES_LABELS,
    SCHEMA_VERSION,
    LabelSchemeError,
    claim_label,
    label_to_dict,
    load_label_scheme,
    merge_user_labels,
)
from newsmark.model import ClaimType, Label, SpanKind


@pytest.fixture(scope="module")
def scheme() -> list[Label]:
    return load_label_scheme()


def _luminance(color: str) -> float:
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_file_declares_its_schema_version() -> None:
    from newsmark.paths import resources_dir

    data = json.loads((resources_dir() / "labels.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == SCHEMA_VERSION


def test_every_ontonotes_label_claim_type_source_and_cue(scheme: list[Label]) -> None:
    names = {lab.name: lab for lab in scheme}
    for name in ONTONOTES_LABELS:
        assert names[name].kind == SpanKind.ENTITY
    for claim_type, name in CLAIM_TYPE_LABELS.items():
        assert names[name].kind == SpanKind.CLAIM and claim_label(claim_type) == name
    assert names["SOURCE"].kind == SpanKind.SOURCE and names["CUE"].kind == SpanKind.CUE
    assert all(lab.description and len(lab.description) < 160 and "\n" not in lab.description for lab in scheme)
    assert len(names) == len(scheme)


def test_hotkeys_and_hidden_labels(scheme: list[Label]) -> None:
    keys = {lab.hotkey: lab.name for lab in scheme if lab.hotkey}
    assert keys == {
        "1": "PERSON", "2": "ORG", "3": "GPE", "4": "NORP", "5": "LOC",
        "6": "DATE", "7": "MONEY", "8": "PERCENT", "9": "EVENT",
    }  # fmt: skip
    hidden = {lab.name for lab in scheme if not lab.shown}
    assert hidden == {"CARDINAL", "ORDINAL", "QUANTITY"}


def test_colours_are_legible_in_light_and_dark_mode(scheme: list[Label]) -> None:
    for lab in scheme:
        assert _contrast(lab.color, "#000000") >= 7, lab.name  # black text on the light colour
        assert _contrast(lab.color_dark, "#ffffff") >= 4.5, lab.name  # white text on the dark colour


def test_the_numbered_labels_are_easy_to_tell_apart(scheme: list[Label]) -> None:
    import colorsys

    numbered = [lab for lab in scheme if lab.hotkey]
    hues = []
    for lab in numbered:
        r, g, b = (int(lab.color[i : i + 2], 16) / 255 for i in (1, 3, 5))
        hues.append((colorsys.rgb_to_hls(r, g, b)[0] * 360, lab.name))
    for i, (h1, n1) in enumerate(hues):
        for h2, n2 in hues[i + 1 :]:
            distance = min(abs(h1 - h2), 360 - abs(h1 - h2))
            assert distance >= 12, f"{n1} and {n2} have nearly the same hue"
    assert len({lab.color for lab in scheme}) == len(scheme)


def test_merge_user_labels_changes_adds_and_moves_hotkeys(scheme: list[Label]) -> None:
    merged = merge_user_labels(
        scheme,
        [
            {"name": "CARDINAL", "shown": True},
            {"name": "PERSON", "color": "#AABBCC"},
            {"name": "VESSEL", "kind": "entity", "color": "#123456", "hotkey": "1", "description": "A ship"},
            Label("CUE", SpanKind.CUE, "#dddddd", "Attribution words", shown=False),
        ],
    )
    names = {lab.name: lab for lab in merged}
    assert names["CARDINAL"].shown and names["CARDINAL"].color == next(l.color for l in scheme if l.name == "CARDINAL")
    assert names["PERSON"].color == "#aabbcc" and names["PERSON"].hotkey is None  # "1" moved to VESSEL
    assert names["VESSEL"].hotkey == "1" and not names["VESSEL"].builtin and merged[-1].name == "VESSEL"
    assert names["CUE"].shown is False and names["CUE"].builtin
    # the inputs are untouched
    assert next(l for l in scheme if l.name == "PERSON").hotkey == "1"


def test_round_trip_through_dicts(scheme: list[Label]) -> None:
    from newsmark.labels import parse_label_scheme

    data = {"schema_version": 1, "labels": [label_to_dict(lab) for lab in scheme]}
    assert parse_label_scheme(json.loads(json.dumps(data))) == scheme
    assert label_to_dict(next(l for l in scheme if l.name == "QUOTE"))["claim_type"] == ClaimType.DIRECT_QUOTE.value


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not a JSON label scheme"),
        ('{"labels": 3}', "'labels' list"),
        ('{"schema_version": 99, "labels": []}', "schema_version 99 is not supported"),
        ('{"labels": [{"name": "A", "color": "red"}]}', "#rrggbb"),
        ('{"labels": [{"name": "A", "hotkey": "0"}]}', "hotkey must be one of 1-9"),
        ('{"labels": [{"name": "A"}, {"name": "A"}]}', "appears twice"),
        ('{"labels": [{"name": "A", "hotkey": 1}, {"name": "B", "hotkey": 1}]}', "hotkey 1 is already A"),
        ('{"labels": [{"name": "A", "kind": "animal"}]}', "not a valid SpanKind"),
    ],
)
def test_bad_scheme_files_name_the_file_and_the_problem(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "labels.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LabelSchemeError) as info:
        load_label_scheme(path)
    assert str(path) in str(info.value) and message in str(info.value)


def test_a_missing_file_is_a_scheme_error(tmp_path: Path) -> None:
    with pytest.raises(LabelSchemeError, match="cannot read"):
        load_label_scheme(tmp_path / "absent.json")
