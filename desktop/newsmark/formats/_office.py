"""PDF (pypdf) and Word .docx (python-docx) files to article text.

Both libraries raise a wide and version-dependent range of exceptions for
damaged files (``KeyError``, ``ValueError``, zip and XML errors, their own
types ...). The readers therefore catch ``Exception`` around the library
calls — this module is the boundary where a broken file becomes a message —
and re-raise it as :class:`Unreadable` with the reason.
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import docx
import pypdf
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf.errors import DependencyError

from newsmark.formats._decode import Unreadable

# pypdf logs what it repairs ("EOF marker not found" ...); the user gets our Problem instead, so
# keep those records from falling through to Python's last-resort stderr handler. An application
# that configures logging still receives them.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

# The first bytes of an OLE compound file: an encrypted Office document, or an old binary .doc.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(slots=True)
class OfficeText:
    """Text and document properties read from a PDF or Word file."""

    text: str
    title: str | None = None
    author: str | None = None
    meta: dict[str, object] = field(default_factory=dict)


def read_pdf(path: Path) -> OfficeText:
    """The text of each page (pages separated by a blank line) and the title/author properties."""
    try:
        reader = pypdf.PdfReader(path)
        if reader.is_encrypted:
            _open_encrypted(reader)
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        info = reader.metadata
        title = info.title if info else None
        author = info.author if info else None
        created = info.creation_date if info else None
    except Unreadable:
        raise
    except DependencyError:  # raised when opening the file or, lazily, when reading a page
        raise Unreadable("the PDF is encrypted with AES, which needs the 'cryptography' package to read") from None
    except Exception as exc:  # noqa: BLE001 - see the module doc
        raise Unreadable(f"cannot read the PDF, it may be damaged ({_reason(exc)})") from None
    text = "\n\n".join(page for page in pages if page)
    if not text:
        raise Unreadable("no text in the PDF: it may be scanned images of pages (Newsmark does not do OCR)")
    meta: dict[str, object] = {"pages": len(pages)}
    if isinstance(created, datetime):
        meta["created"] = created.isoformat()
    return OfficeText(text, _clean(title), _clean(author), meta)


def _open_encrypted(reader: pypdf.PdfReader) -> None:
    """Open a PDF that is encrypted without a password to open it (only to restrict editing)."""
    if reader.decrypt("") == pypdf.PasswordType.NOT_DECRYPTED:
        raise Unreadable("the PDF is protected by a password; save a copy without the password and import that")


def read_docx(path: Path) -> OfficeText:
    """Paragraphs and tables in document order (blocks separated by a blank line) and the core properties."""
    with path.open("rb") as file:
        head = file.read(len(_OLE_MAGIC))
    if head == _OLE_MAGIC:
        raise Unreadable("the document is password-protected or is an old Word (.doc) file; save it as an unprotected .docx")
    if not zipfile.is_zipfile(path):
        raise Unreadable("not a Word .docx document (it is not a zip package); the file is damaged or of another type")
    try:
        document = docx.Document(str(path))
        blocks = [_docx_block(item) for item in document.iter_inner_content()]
        properties = document.core_properties
        title, author, created = properties.title, properties.author, properties.created
    except Exception as exc:  # noqa: BLE001 - see the module doc
        raise Unreadable(f"cannot read the Word document, it may be damaged ({_reason(exc)})") from None
    text = "\n\n".join(block for block in blocks if block)
    if not text:
        raise Unreadable("the Word document has no text")
    meta: dict[str, object] = {}
    if isinstance(created, datetime):
        meta["created"] = created.isoformat()
    return OfficeText(text, _clean(title), _clean(author), meta)


def _docx_block(item: Paragraph | Table) -> str:
    """A paragraph's text, or a table as rows on lines with tab-separated cells."""
    if isinstance(item, Table):
        rows = ("\t".join(" ".join(cell.text.split()) for cell in row.cells) for row in item.rows)
        return "\n".join(row for row in rows if row.strip())
    return item.text.strip()


def _clean(value: str | None) -> str | None:
    if not isinstance(value, str):
        return None
    cleaned = " ".join(value.split())
    return cleaned or None


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__
