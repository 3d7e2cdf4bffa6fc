"""Reading CheckThat! check-worthiness files (tab-separated: ``Sentence_id``, ``Text``, ``class_label``).

The CheckThat! 2024 English files quote a text field that contains quotation
marks or tabs the CSV way (``"..."`` with ``""`` inside), so they are read with
:mod:`csv` in tab mode. ``class_label`` is ``Yes``/``No`` (case and spaces
ignored); a file without that column (a test file) gives ``label=None``.
The column order is taken from the header, so extra columns do no harm.
A bad row raises :class:`CheckworthyFormatError` naming the file and line.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ID_COLUMNS = ("sentence_id", "id", "tweet_id")
TEXT_COLUMNS = ("text", "tweet_text", "sentence")
LABEL_COLUMNS = ("class_label", "label", "check_worthiness")


class CheckworthyFormatError(ValueError):
    """A CheckThat! file that cannot be read; the message is ``path:line: what is wrong``."""


@dataclass(frozen=True, slots=True)
class CheckworthySentence:
    id: str
    text: str
    label: bool | None  # True = "Yes" (check-worthy)


def _column(header: list[str], names: tuple[str, ...], path: Path, required: bool) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    if required:
        raise CheckworthyFormatError(f"{path}:1: no {names[0]!r} column in the header {header!r}")
    return None


def iter_checkworthy(path: Path | str) -> Iterator[CheckworthySentence]:
    """The sentences of a CheckThat! TSV file, in file order."""
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quotechar='"')
        try:
            yield from _sentences(reader, path)
        except UnicodeDecodeError as exc:
            raise CheckworthyFormatError(f"{path}:{reader.line_num + 1}: not UTF-8 text ({exc.reason})") from exc
        except csv.Error as exc:  # a NUL byte, a field past csv's size limit …
            raise CheckworthyFormatError(f"{path}:{reader.line_num}: cannot read the row ({exc})") from exc


def _sentences(reader, path: Path) -> Iterator[CheckworthySentence]:  # type: ignore[no-untyped-def]
    try:
        header = next(reader)
    except StopIteration:
        raise CheckworthyFormatError(f"{path}:1: the file is empty") from None
    id_col = _column(header, ID_COLUMNS, path, required=True)
    text_col = _column(header, TEXT_COLUMNS, path, required=True)
    label_col = _column(header, LABEL_COLUMNS, path, required=False)
    for row in reader:
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        need = max(c for c in (id_col, text_col, label_col) if c is not None)
        if len(row) <= need:
            raise CheckworthyFormatError(f"{path}:{line}: expected {need + 1} columns, found {len(row)}")
        label: bool | None = None
        if label_col is not None:
            value = row[label_col].strip().lower()
            if value in ("yes", "1", "true"):
                label = True
            elif value in ("no", "0", "false"):
                label = False
            else:
                raise CheckworthyFormatError(f"{path}:{line}: class_label must be Yes or No, got {row[label_col]!r}")
        yield CheckworthySentence(row[id_col].strip(), row[text_col], label)  # type: ignore[index]


def read_checkworthy(path: Path | str) -> list[CheckworthySentence]:
    return list(iter_checkworthy(path))
