"""Labels as the ui shows them: colours, hotkeys, visibility.

The label scheme comes from :func:`newsmark.labels.load_label_scheme` when
that module is present; until then (or if it fails) a small built-in palette
is used so the reader always has colours. Hotkeys 1–9 go to the labels in
palette order unless the scheme names its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from newsmark.model import ClaimType, Label, SpanKind

if TYPE_CHECKING:  # the Library (SQLAlchemy) loads after the window is up: newsmark.store.opening
    from newsmark.store import Library

FALLBACK: list[Label] = [
    Label("PERSON", SpanKind.ENTITY, "#f4a261", "People, including fictional", hotkey="1"),
    Label("ORG", SpanKind.ENTITY, "#7fb3ff", "Companies, agencies, institutions", hotkey="2"),
    Label("GPE", SpanKind.ENTITY, "#8fd18f", "Countries, cities, states", hotkey="3"),
    Label("LOC", SpanKind.ENTITY, "#b5d99c", "Non-political places: mountains, seas, regions", hotkey="4"),
    Label("NORP", SpanKind.ENTITY, "#e0a8f0", "Nationalities, religious or political groups", hotkey="5"),
    Label("DATE", SpanKind.ENTITY, "#f2d16b", "Dates and periods", hotkey="6"),
    Label("EVENT", SpanKind.ENTITY, "#f28fad", "Named events", hotkey="7"),
    Label("ASSERTION", SpanKind.CLAIM, "#d9d9ad", "A claim worth checking", hotkey="8"),
    Label("SOURCE", SpanKind.SOURCE, "#5bc0de", "Who makes a claim", hotkey="9"),
    Label("CUE", SpanKind.CUE, "#9e9e9e", "The reporting verb or phrase", hotkey=None),
    Label("MONEY", SpanKind.ENTITY, "#c9b26b", "Monetary values", hotkey=None),
    Label("PERCENT", SpanKind.ENTITY, "#c9a06b", "Percentages", hotkey=None),
    Label("CARDINAL", SpanKind.ENTITY, "#bdbdbd", "Numbers", hotkey=None),
]

CLAIM_TYPE_COLORS: dict[ClaimType, str] = {
    ClaimType.DIRECT_QUOTE: "#8e44ad",
    ClaimType.REPORTED: "#2e86de",
    ClaimType.STATISTIC: "#e67e22",
    ClaimType.COMPARISON: "#16a085",
    ClaimType.PREDICTION: "#c0392b",
    ClaimType.ASSERTION: "#7f8c8d",
}
CLAIM_DEFAULT_COLOR = "#d9534f"


def _color_for(name: str) -> str:
    """A stable, readable colour for a label the scheme does not know."""
    digest = hashlib.sha1(name.encode()).digest()
    hue = digest[0] / 255.0
    import colorsys

    r, g, b = colorsys.hls_to_rgb(hue, 0.7, 0.6)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def _scheme_labels(library: Library | None = None) -> list[Label] | None:
    """The bundled scheme with the library's own labels laid over it (None if it cannot be read)."""
    from newsmark.services.settings import label_scheme

    try:
        out = label_scheme(library)
    except Exception:  # noqa: BLE001 - a broken scheme must not stop the app: fall back
        return None
    return out or None


@dataclass
class Palette:
    """The labels in palette order, with their hotkeys, colours and whether they are shown."""

    labels: list[Label] = field(default_factory=list)
    from_scheme: bool = False

    @classmethod
    def load(cls, library: Library | None = None) -> Palette:
        found = _scheme_labels(library)
        labels = [replace(lab) for lab in (found or FALLBACK)]
        palette = cls(labels, from_scheme=found is not None)
        palette._assign_hotkeys()
        return palette

    def _assign_hotkeys(self) -> None:
        used = {lab.hotkey for lab in self.labels if lab.hotkey}
        free = [str(i) for i in range(1, 10) if str(i) not in used]
        for lab in self.labels:
            if not lab.hotkey and free and lab.kind in (SpanKind.ENTITY, SpanKind.CLAIM) and not used:
                lab.hotkey = free.pop(0)

    def get(self, name: str) -> Label:
        for lab in self.labels:
            if lab.name == name:
                return lab
        lab = Label(name, SpanKind.ENTITY, _color_for(name), builtin=False)
        self.labels.append(lab)
        return lab

    def ensure(self, names: Iterable[str], kinds: dict[str, SpanKind] | None = None) -> None:
        """Make sure every label used by a document has an entry (and a colour)."""
        for name in names:
            if not any(lab.name == name for lab in self.labels):
                kind = (kinds or {}).get(name, SpanKind.ENTITY)
                self.labels.append(Label(name, kind, _color_for(name), builtin=False))

    def color(self, name: str, *, dark: bool = False) -> str:
        """The label's background colour: behind black text, or behind white text in dark mode."""
        lab = self.get(name)
        if dark:
            return getattr(lab, "color_dark", "") or _darken(lab.color)
        return lab.color

    def ink(self, name: str) -> str:
        """A saturated colour for lines and swatches (claim underlines, legend icons)."""
        lab = self.get(name)
        ct = claim_type_of(lab)
        if ct is not None:
            return claim_color(ct)
        return lab.color

    def claim_labels(self) -> list[Label]:
        return [lab for lab in self.labels if lab.kind == SpanKind.CLAIM]

    def is_shown(self, name: str) -> bool:
        return self.get(name).shown

    def by_hotkey(self, key: str) -> Label | None:
        for lab in self.labels:
            if lab.hotkey == key:
                return lab
        return None

    def numbered(self) -> list[Label]:
        """The labels that have number hotkeys, in key order."""
        return sorted((lab for lab in self.labels if lab.hotkey and lab.hotkey.isdigit()), key=lambda lab: lab.hotkey or "")

    def allows_overlap(self, a: str, b: str) -> bool:
        """Whether two entity marks may cover the same characters: only if either label's scheme entry says ``may_overlap``."""
        return self.get(a).may_overlap or self.get(b).may_overlap


def _darken(color: str) -> str:
    import colorsys

    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    h, l, s = colorsys.rgb_to_hls(r, g, b)
    r, g, b = colorsys.hls_to_rgb(h, min(l, 0.32), s * 0.8)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def claim_type_of(label: Label | str) -> ClaimType | None:
    """The claim type a claim label stands for (QUOTE -> direct_quote), if any."""
    name = label.name if isinstance(label, Label) else label
    try:
        from newsmark.labels import LABEL_CLAIM_TYPES
    except ImportError:
        LABEL_CLAIM_TYPES = {}  # noqa: N806
    return LABEL_CLAIM_TYPES.get(name)


def claim_label_for(claim_type: ClaimType) -> str | None:
    try:
        from newsmark.labels import CLAIM_TYPE_LABELS
    except ImportError:
        return None
    return CLAIM_TYPE_LABELS.get(ClaimType(claim_type))


def claim_color(claim_type: ClaimType | str | None) -> str:
    if not claim_type:
        return CLAIM_DEFAULT_COLOR
    try:
        return CLAIM_TYPE_COLORS[ClaimType(claim_type)]
    except ValueError:
        return CLAIM_DEFAULT_COLOR
