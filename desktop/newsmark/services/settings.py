"""The library's settings: which language model to use, how to run it, and the user's own labels.

Settings live in the library (its ``settings`` table), so they travel with the
file and the app and the CLI see the same ones. Every value is checked here,
with a message a user can act on, before it is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsmark.labels import LabelSchemeError, label_from_dict, label_to_dict, load_label_scheme, merge_user_labels
from newsmark.model import Label

if TYPE_CHECKING:  # the Library (SQLAlchemy) loads after the window is up: newsmark.store.opening
    from newsmark.store import Library

USER_LABELS = "labels.user"


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    description: str
    kind: type
    default: Any
    minimum: int | None = None
    maximum: int | None = None


SETTINGS = {
    s.key: s
    for s in (
        Setting("nlp.model", "spaCy pipeline to annotate with (package name or folder); empty = the best English one installed", str, ""),
        Setting("nlp.n_process", "worker processes for annotation", int, 1, 1, 64),
        Setting("nlp.batch_size", "texts per spaCy batch", int, 32, 1, 10_000),
        Setting("annotator", "your name in the edit history (empty = your login name)", str, ""),
        Setting("backup.every_hours", "back the library up at start when the latest backup is older than this (0 = never)", int, 24, 0, 24 * 365),
        Setting("backup.keep", "how many scheduled backups to keep (older ones are deleted)", int, 7, 1, 1000),
    )
}


class SettingError(ValueError):
    pass


def get(library: Library, key: str) -> Any:
    setting = _setting(key)
    value = library.get_setting(key)
    return setting.default if value is None else value


def set_value(library: Library, key: str, raw: str | int | None) -> Any:
    """Check and store a setting; ``None`` or "" resets it to its default. Returns the stored value."""
    setting = _setting(key)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        library.set_setting(key, None)
        return setting.default
    if setting.kind is int:
        try:
            value: Any = int(raw)
        except (TypeError, ValueError):
            raise SettingError(f"{key} must be a whole number, not {raw!r}") from None
        if (setting.minimum is not None and value < setting.minimum) or (setting.maximum is not None and value > setting.maximum):
            raise SettingError(f"{key} must be between {setting.minimum} and {setting.maximum}, not {value}")
    else:
        value = str(raw).strip()
    library.set_setting(key, value)
    return value


def all_settings(library: Library) -> dict[str, Any]:
    return {key: get(library, key) for key in SETTINGS}


def _setting(key: str) -> Setting:
    if key not in SETTINGS:
        raise SettingError(f"unknown setting {key!r} (known: {', '.join(SETTINGS)})")
    return SETTINGS[key]


# ------------------------------------------------------------------------------ labels


def user_labels(library: Library) -> list[dict[str, Any]]:
    return list(library.get_setting(USER_LABELS) or [])


def label_scheme(library: Library | None) -> list[Label]:
    """The bundled scheme with the user's own labels (and changes to built-in ones) laid over it."""
    scheme = load_label_scheme()
    if library is None:
        return scheme
    try:
        return merge_user_labels(scheme, user_labels(library))
    except LabelSchemeError:
        return scheme  # a damaged entry must not hide the built-in labels; `labels list` shows the error


def save_label(library: Library, entry: dict[str, Any]) -> Label:
    """Add a label of the user's own, or change one (matched by name). Validated before it is stored."""
    label = label_from_dict(entry, origin="label", builtin=False)
    others = [e for e in user_labels(library) if e.get("name") != label.name]
    merged = merge_user_labels(load_label_scheme(), [*others, entry])  # raises on anything invalid
    assert any(m.name == label.name for m in merged)
    library.set_setting(USER_LABELS, [*others, {**entry, "name": label.name}])
    return next(m for m in merged if m.name == label.name)


def remove_label(library: Library, name: str) -> bool:
    """Forget the user's entry for ``name`` (a built-in label goes back to its defaults). False if there was none."""
    entries = user_labels(library)
    kept = [e for e in entries if e.get("name") != name]
    if len(kept) == len(entries):
        return False
    library.set_setting(USER_LABELS, kept)
    return True


def describe_label(label: Label) -> dict[str, Any]:
    return label_to_dict(label)
