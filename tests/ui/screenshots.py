"""Make the screenshots in docs/screenshots: the main window on the sample article, light and dark.

    python tests/ui/screenshots.py            # both themes
    python tests/ui/screenshots.py dark       # one

Not a test (pytest does not collect it): it runs the real spaCy pipeline on the
sample articles, so it takes a few seconds.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "docs" / "screenshots"


def build_library(path: Path):  # type: ignore[no-untyped-def]
    from newsmark.model import SpanKind, SpanStatus
    from newsmark.nlp.loader import load_pipeline
    from newsmark.nlp.suggest import annotate
    from newsmark.services.importer import load_seeds_if_new
    from newsmark.store import Library

    lib = Library.open(path)
    load_seeds_if_new(lib)
    docs = lib.list_documents()
    nlp = load_pipeline()
    for doc_id, suggestions in annotate(((d.id, lib.get_document(d.id).text) for d in docs), nlp):
        lib.replace_suggestions(doc_id, suggestions)
    # a journalist has been through the first paragraphs of the ceasefire article
    main = next(d for d in docs if "Netanyahu" in d.title)
    spans = lib.spans(main.id)
    for span in spans:
        if span.end < 700 and span.kind == SpanKind.ENTITY:
            lib.set_span_status(span.id, SpanStatus.ACCEPTED)
    claim = next((s for s in spans if s.kind == SpanKind.CLAIM and s.start > 150), None)
    if claim is not None:
        lib.set_span_status(claim.id, SpanStatus.ACCEPTED)
        lib.set_span_tags(claim.id, ["check with second source"])
    lib.set_document_tags(main.id, ["gaza", "negotiations"])
    return lib, main.id, claim.id if claim else None


def shoot(theme: str, lib, doc_id: int, mark_id: int | None) -> Path:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    from newsmark.ui.app import application, build_main_window
    from newsmark.ui.theme import apply_theme

    app = application()
    apply_theme(app, theme)
    window = build_main_window(lib)
    window.resize(1440, 900)
    window.show()
    window.open_document(doc_id, mark_id)
    window._model_loaded(lib.spans(doc_id)[0].origin_detail or "model")  # as after the app's own model run
    for _ in range(5):
        QApplication.processEvents()
    window.inspector.load_history_now()  # (read once the selection settles: do not wait for it)
    QApplication.processEvents()
    out = OUT / f"main-{theme}.png"
    window.grab().save(str(out))
    window.close()
    return out


def main(argv: list[str]) -> int:
    themes = argv[1:] or ["light", "dark"]
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["NEWSMARK_DATA_DIR"] = tmp
        lib, doc_id, mark_id = build_library(Path(tmp) / "shots.sqlite")
        for theme in themes:
            print(shoot(theme, lib, doc_id, mark_id))
        lib.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
