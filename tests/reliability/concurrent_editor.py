"""One of two Newsmark instances editing the same library at once (see test_two_instances.py).

``python concurrent_editor.py DB NAME EDITS SEED`` opens the library as the app
does and makes EDITS edits — new marks, notes, tags, relabels of its own marks,
review statuses and a speaker on the shared articles — printing after each
call returns what the library must now hold for it. A refused edit (e.g. the
library stayed busy past the timeout) is printed as refused with the message.
"""

from __future__ import annotations

import json
import random
import sys

from newsmark.model import Origin, Span, SpanStatus
from newsmark.services.startup import close_library, open_library
from newsmark.store import StoreError

LABELS = ("PERSON", "ORG", "GPE", "DATE")
TAGS = ("check", "quote", "disputed")


def main(db: str, name: str, edits: int, seed: int) -> int:
    r = random.Random(seed)
    lib = open_library(db)
    lib.actor = name
    docs = {d: lib.get_document(d).text for d in sorted(lib.document_ids())[:3]}  # the shared articles
    mine: list[int] = []
    print(json.dumps({"ready": name}), flush=True)
    for i in range(edits):
        doc_id = r.choice(sorted(docs))
        text = docs[doc_id]
        kind = r.random()
        try:
            if kind < 0.4 or not mine:
                start = r.randrange(0, len(text) - 8)
                span = Span(start, start + r.randint(2, 8), r.choice(LABELS), status=SpanStatus.ACCEPTED, origin=Origin.USER, note=f"{name}-{i}")
                made = lib.add_spans(doc_id, [span])[0]
                mine.append(made.id)
                record = {"mark": made.id, "created": True, "note": f"{name}-{i}", "label": span.label}
            elif kind < 0.6:
                span_id = r.choice(mine)
                lib.update_span(span_id, note=f"{name}-{i}-edited")
                record = {"mark": span_id, "note": f"{name}-{i}-edited"}
            elif kind < 0.75:
                span_id = r.choice(mine)
                label = r.choice(LABELS)
                lib.update_spans([(span_id, {"label": label})])
                record = {"mark": span_id, "label": label}
            elif kind < 0.9:
                span_id = r.choice(mine)
                tags = sorted(r.sample(TAGS, r.randint(1, 2)))
                lib.set_span_tags(span_id, tags)
                record = {"mark": span_id, "tags": tags}
            else:
                lib.set_document_status(doc_id, r.choice(["in_progress", "done"]))
                record = {"status": doc_id}
        except StoreError as exc:
            record = {"refused": str(exc)}
        print(json.dumps({"edit": i, **record}), flush=True)
    close_library(lib)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
