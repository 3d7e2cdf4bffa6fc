"""PDF and Word files, made in the test: text per page/paragraph, properties, and damaged or locked files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pypdf
import pytest
from pypdf.errors import DependencyError
from article_helpers import make_docx, make_pdf, only_error, read_one

# --- PDF ---------------------------------------------------------------------------------------


def test_pdf_pages_are_joined_by_a_blank_line_and_properties_read(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "report.pdf", [["Port strike ends", "Workers return (finally) today."], ["Page two: café owners relieved."]],
                    title="Port strike ends after nine days", author="Lena Vogt")
    doc = read_one(path)
    assert doc.text == "Port strike ends\nWorkers return (finally) today.\n\nPage two: café owners relieved."
    assert (doc.title, doc.author) == ("Port strike ends after nine days", "Lena Vogt")
    assert doc.meta == {"file": "report.pdf", "format": "pdf", "pages": 2}
    assert doc.origin == str(path)


def test_pdf_without_a_title_property_is_titled_by_its_first_line(tmp_path: Path) -> None:
    assert read_one(make_pdf(tmp_path / "a.pdf", [["First line", "second"]])).title == "First line"


def test_a_pdf_with_an_open_password_is_refused(tmp_path: Path) -> None:
    plain = make_pdf(tmp_path / "plain.pdf", [["Secret memo"]])
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(plain))
    writer.encrypt("hunter2", algorithm="RC4-128")
    locked = tmp_path / "locked.pdf"
    writer.write(locked)
    assert only_error(locked).message.startswith("the PDF is protected by a password")


def test_a_pdf_encrypted_only_against_editing_is_read(tmp_path: Path) -> None:
    plain = make_pdf(tmp_path / "plain.pdf", [["Open to read"]])
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(plain))
    writer.encrypt("", owner_password="owner", algorithm="RC4-128")
    restricted = tmp_path / "restricted.pdf"
    writer.write(restricted)
    assert read_one(restricted).text == "Open to read"


def test_an_aes_pdf_without_the_crypto_library_is_refused_with_the_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def needs_cryptography(*args: object, **kwargs: object) -> None:
        raise DependencyError("cryptography>=3.1 is required for AES algorithm")

    monkeypatch.setattr(pypdf.PageObject, "extract_text", needs_cryptography)
    path = make_pdf(tmp_path / "aes.pdf", [["Text"]])
    assert only_error(path).message == "the PDF is encrypted with AES, which needs the 'cryptography' package to read"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "cannot read the PDF, it may be damaged"),
        (b"This is not a PDF at all, just text.\n", "cannot read the PDF, it may be damaged"),
    ],
)
def test_a_damaged_pdf_is_refused(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "bad.pdf"
    path.write_bytes(data)
    assert only_error(path).message.startswith(message)


def test_a_truncated_pdf_is_refused(tmp_path: Path) -> None:
    whole = make_pdf(tmp_path / "whole.pdf", [["Alpha"], ["Beta"]]).read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(whole[: len(whole) // 2])
    assert "cannot read the PDF" in only_error(path).message


def test_a_pdf_without_text_is_refused(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "scan.pdf", [[]])
    assert only_error(path).message.startswith("no text in the PDF")


# --- Word --------------------------------------------------------------------------------------


def test_docx_paragraphs_and_tables_in_order_with_properties(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "story.docx", ["Flood defences hold", "", "The river peaked at 6.2 m overnight."],
                     title="Flood defences hold", author="Sam Reyes", table=[["Town", "Level"], ["Riverside", "6.2 m"]])
    doc = read_one(path)
    assert doc.text == "Flood defences hold\n\nThe river peaked at 6.2 m overnight.\n\nTown\tLevel\nRiverside\t6.2 m"
    assert (doc.title, doc.author) == ("Flood defences hold", "Sam Reyes")
    assert doc.meta["format"] == "docx" and doc.meta["file"] == "story.docx"
    assert "created" in doc.meta


def test_a_word_document_without_text_is_refused(tmp_path: Path) -> None:
    assert only_error(make_docx(tmp_path / "blank.docx", [])).message == "the Word document has no text"


def test_an_encrypted_or_old_word_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "locked.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    assert only_error(path).message.startswith("the document is password-protected or is an old Word (.doc) file")


def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fake.docx"
    path.write_text("just text", encoding="utf-8")
    assert only_error(path).message.startswith("not a Word .docx document")


def test_a_zip_that_is_not_a_word_document_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert only_error(path).message.startswith("cannot read the Word document, it may be damaged")


def test_a_truncated_word_document_is_refused(tmp_path: Path) -> None:
    whole = make_docx(tmp_path / "whole.docx", ["Some text"]).read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(whole[: len(whole) // 2])
    assert only_error(path).message.startswith(("not a Word .docx document", "cannot read the Word document"))
