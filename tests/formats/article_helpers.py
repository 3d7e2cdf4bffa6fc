"""Helpers for the article-importer tests: reading a file's results, and building PDF/Word fixtures.

The binary fixtures are made at test time from text written here, so the
repository holds no opaque files and nothing copied from elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from newsmark.formats.articles import read_articles
from newsmark.model import NewDocument, Problem, ProblemKind

FIXTURES = Path(__file__).parent / "fixtures"


def read_all(path: Path) -> tuple[list[NewDocument], list[Problem]]:
    """Everything read_articles yields for ``path``, split into documents and problems."""
    docs: list[NewDocument] = []
    problems: list[Problem] = []
    for item in read_articles(path):
        (problems if isinstance(item, Problem) else docs).append(item)
    return docs, problems


def read_one(path: Path) -> NewDocument:
    """The single document in ``path``; fails if there is any error."""
    docs, problems = read_all(path)
    assert [p for p in problems if p.kind == ProblemKind.ERROR] == []
    assert len(docs) == 1
    return docs[0]


def only_error(path: Path) -> Problem:
    """The single error for ``path``, which must yield no document."""
    docs, problems = read_all(path)
    assert docs == []
    assert len(problems) == 1, problems
    assert problems[0].kind == ProblemKind.ERROR
    assert problems[0].path == str(path)
    return problems[0]


def _pdf_string(text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("cp1252") + b")"


def make_pdf(path: Path, pages: list[list[str]], *, title: str | None = None, author: str | None = None) -> Path:
    """Write a minimal PDF by hand: one page per item, one text line per string, Helvetica.

    Written byte by byte (with a correct cross-reference table) so that the test
    does not depend on a PDF-writing library; pypdf reads it like any other PDF.
    """
    objects: list[bytes] = []
    page_ids = [4 + 2 * index for index in range(len(pages))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = b" ".join(b"%d 0 R" % page_id for page_id in page_ids)
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % len(pages))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for page_id, lines in zip(page_ids, pages, strict=True):
        content = b"BT /F1 12 Tf 14 TL 72 720 Td " + b" ".join(_pdf_string(line) + b" Tj T*" for line in lines) + b" ET"
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (page_id + 1))
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    info = []
    if title is not None:
        info.append(b"/Title " + _pdf_string(title))
    if author is not None:
        info.append(b"/Author " + _pdf_string(author))
    objects.append(b"<< " + b" ".join(info) + b" >>")
    info_id = len(objects)

    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, info_id, xref)
    path.write_bytes(bytes(out))
    return path


def make_docx(path: Path, paragraphs: list[str], *, title: str | None = None, author: str | None = None,
              table: list[list[str]] | None = None) -> Path:
    """A Word document with the paragraphs, then the table if any, made with python-docx."""
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    if title is not None:
        document.core_properties.title = title
    if author is not None:
        document.core_properties.author = author
    document.save(str(path))
    return path
