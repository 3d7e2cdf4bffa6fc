"""The label scheme: which labels exist, their colours, descriptions, hotkeys and visibility.

The built-in scheme is ``resources/labels.json`` (found through
:func:`newsmark.paths.resources_dir`). A user's own labels and changes
(another colour, a hotkey, a hidden label) are laid over it with
:func:`merge_user_labels`.

File format (``schema_version`` 1)::

    {"schema": "newsmark-labels", "schema_version": 1,
     "labels": [{"name": "PERSON", "kind": "entity", "color": "#ffc99a", "color_dark": "#8a4510",
                 "description": "...", "shown": true, "hotkey": "1"}, ...]}

``kind`` is a :class:`~newsmark.model.SpanKind` value; claim labels also name
their ``claim_type``. ``color`` is a background behind black text (light mode),
``color_dark`` one behind white text (dark mode).

Bottom layer: standard library and :mod:`newsmark.model` only (plus
:mod:`newsmark.paths` to find the file).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from newsmark.model import ClaimType, Label, SpanKind

SCHEMA_VERSION = 1
LABELS_FILE = "labels.json"

# The label each claim type gets (``resources/labels.json`` holds the same names).
CLAIM_TYPE_LABELS: dict[ClaimType, str] = {
    ClaimType.DIRECT_QUOTE: "QUOTE",
    ClaimType.REPORTED: "REPORTED",
    ClaimType.STATISTIC: "STATISTIC",
    ClaimType.COMPARISON: "COMPARISON",
    ClaimType.PREDICTION: "PREDICTION",
    ClaimType.ASSERTION: "ASSERTION",
}
LABEL_CLAIM_TYPES: dict[str, ClaimType] = {label: kind for kind, label in CLAIM_TYPE_LABELS.items()}
SOURCE_LABEL = "SOURCE"
CUE_LABEL = "CUE"

# spaCy's English (OntoNotes 5) entity labels
ONTONOTES_LABELS = (
    "PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART",
    "LAW", "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL",
)  # fmt: skip

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_HOTKEYS = {str(i) for i in range(1, 10)}


class LabelSchemeError(ValueError):
    """A label scheme file that cannot be used; the message names the file and the problem."""


def default_scheme_path() -> Path:
    from newsmark.paths import resources_dir

    return resources_dir() / LABELS_FILE


def load_label_scheme(path: Path | str | None = None) -> list[Label]:
    """The labels of a scheme file (default: the built-in ``resources/labels.json``), in file order."""
    path = Path(path) if path is not None else default_scheme_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LabelSchemeError(f"{path}: cannot read the label scheme: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LabelSchemeError(f"{path}: not a JSON label scheme: {exc}") from exc
    return parse_label_scheme(data, origin=str(path))


def parse_label_scheme(data: Any, origin: str = "<labels>") -> list[Label]:
    """Validate a scheme's JSON data and build its labels."""
    if not isinstance(data, Mapping) or not isinstance(data.get("labels"), list):
        raise LabelSchemeError(f"{origin}: expected an object with a 'labels' list")
    version = data.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or version > SCHEMA_VERSION or version < 1:
        raise LabelSchemeError(
            f"{origin}: schema_version {version!r} is not supported (this Newsmark reads version {SCHEMA_VERSION})"
        )
    labels: list[Label] = []
    seen: set[str] = set()
    hotkeys: dict[str, str] = {}
    for n, item in enumerate(data["labels"], 1):
        label = label_from_dict(item, origin=f"{origin}: label #{n}", builtin=True)
        if label.name in seen:
            raise LabelSchemeError(f"{origin}: label #{n}: {label.name!r} appears twice")
        seen.add(label.name)
        if label.hotkey:
            if label.hotkey in hotkeys:
                raise LabelSchemeError(f"{origin}: label #{n}: hotkey {label.hotkey} is already {hotkeys[label.hotkey]}")
            hotkeys[label.hotkey] = label.name
        labels.append(label)
    return labels


def label_from_dict(item: Any, origin: str = "<label>", builtin: bool = True) -> Label:
    """One label from its JSON object (unknown keys such as ``claim_type`` are ignored)."""
    if not isinstance(item, Mapping):
        raise LabelSchemeError(f"{origin}: expected an object")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise LabelSchemeError(f"{origin}: 'name' must be a non-empty string")
    name = name.strip()
    try:
        kind = SpanKind.parse(item.get("kind", "entity"))
    except ValueError as exc:
        raise LabelSchemeError(f"{origin} ({name}): {exc}") from exc
    color = item.get("color", "#9e9e9e")
    color_dark = item.get("color_dark") or ""
    for key, value in (("color", color), ("color_dark", color_dark)):
        if value and (not isinstance(value, str) or not _COLOR.match(value)):
            raise LabelSchemeError(f"{origin} ({name}): {key} must look like #rrggbb, got {value!r}")
    hotkey = item.get("hotkey")
    if hotkey is not None:
        hotkey = str(hotkey)
        if hotkey not in _HOTKEYS:
            raise LabelSchemeError(f"{origin} ({name}): hotkey must be one of 1-9, got {hotkey!r}")
    return Label(
        name=name,
        kind=kind,  # type: ignore[arg-type]
        color=str(color).lower(),
        description=str(item.get("description", "")),
        shown=bool(item.get("shown", True)),
        hotkey=hotkey,
        builtin=builtin,
        color_dark=str(color_dark).lower(),
        may_overlap=bool(item.get("may_overlap", False)),
    )


def label_to_dict(label: Label) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": label.name,
        "kind": label.kind.value,
        "color": label.color,
        "color_dark": label.color_dark,
        "hotkey": label.hotkey,
        "shown": label.shown,
        "description": label.description,
    }
    if label.may_overlap:
        out["may_overlap"] = True
    claim_type = LABEL_CLAIM_TYPES.get(label.name)
    if claim_type is not None and label.kind == SpanKind.CLAIM:
        out["claim_type"] = claim_type.value
    return out


def merge_user_labels(scheme: Iterable[Label], user: Iterable[Label | Mapping[str, Any]]) -> list[Label]:
    """The scheme with the user's labels laid over it.

    A user entry with the name of a scheme label changes that label (only the
    keys it gives, when it is a dict; every field but ``builtin``, when it is a
    :class:`Label`); a new name is added at the end with ``builtin=False``. A
    hotkey the user gives to one label is taken away from any other label.
    Neither input is modified.
    """
    merged = [replace(label) for label in scheme]
    by_name = {label.name: label for label in merged}
    field_names = {f.name for f in fields(Label)} - {"name", "builtin"}
    for n, entry in enumerate(user, 1):
        if isinstance(entry, Label):
            changes = {k: getattr(entry, k) for k in field_names}
            name = entry.name
        else:
            parsed = label_from_dict(entry, origin=f"user label #{n}", builtin=False)
            name = parsed.name
            changes = {k: getattr(parsed, k) for k in field_names if k in entry or (k == "kind" and "kind" in entry)}
        if name in by_name:
            target = by_name[name]
            for key, value in changes.items():
                setattr(target, key, value)
        else:
            target = Label(name=name, builtin=False)
            for key, value in changes.items():
                setattr(target, key, value)
            merged.append(target)
            by_name[name] = target
        if changes.get("hotkey"):
            for other in merged:
                if other is not target and other.hotkey == target.hotkey:
                    other.hotkey = None
    return merged


def claim_label(claim_type: ClaimType | str) -> str:
    """The label name of a claim type (``direct_quote`` → ``QUOTE``)."""
    return CLAIM_TYPE_LABELS[ClaimType(claim_type)]
