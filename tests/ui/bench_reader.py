"""Benchmark: a 100,000-word article with 15,000 marks (plus claims) in the reader.

    python tests/ui/bench_reader.py

Prints the time to open it (store read + reader), scrolling frame times and the time of
one keyboard edit. Not a test (pytest does not collect it); see docs/ui.md for figures.
"""
import os, time, random, sys, tempfile
os.environ["QT_QPA_PLATFORM"]="offscreen"
from newsmark.ui.app import application, build_main_window
from newsmark.store import Library
from newsmark.model import NewDocument, Span, Suggestions, SpanKind
from PySide6.QtWidgets import QApplication
app = application()
random.seed(2)
words = "the minister said that negotiations would continue next week in Geneva according to officials 👋 山田".split()
paras = [" ".join(random.choice(words) for _ in range(100)) for _ in range(1000)]
text = "\n\n".join(paras)
tmp = tempfile.mkdtemp()
os.environ["NEWSMARK_DATA_DIR"] = tmp
lib = Library.open(os.path.join(tmp, "p.sqlite")); lib.set_setting("seeds_loaded", True)
doc = lib.add_document(NewDocument(text=text, title="Huge")).doc_id
import re
toks = [m.span() for m in re.finditer(r"\w+", text)]
step = len(toks)//15000
spans = [Span(toks[i][0], toks[i][1], "PERSON" if i%3 else "ORG") for i in range(0, step*15000, step)]
spans += [Span(toks[i][0], toks[i+20][1], "REPORTED", kind=SpanKind.CLAIM) for i in range(5, len(toks)-30, 400)]
t=time.perf_counter(); lib.replace_suggestions(doc, Suggestions(spans=spans, model="m")); print(f"storing {len(spans)} suggestions: {time.perf_counter()-t:.2f} s")
small = lib.add_document(NewDocument(text="Small article.", title="Small")).doc_id
w = build_main_window(lib); w.resize(1440, 900); w.show(); app.processEvents()
w.open_document(small); app.processEvents()
t=time.perf_counter()
w.open_document(doc); app.processEvents()
print(f"open (store read + reader + panels): {time.perf_counter()-t:.2f} s")
t=time.perf_counter(); lib.spans(doc); print(f"  of which Library.spans(): {time.perf_counter()-t:.2f} s")

sb = w.reader.verticalScrollBar()
t=time.perf_counter()
for i in range(40):
    sb.setValue(int(sb.maximum()*i/40)); w.reader.viewport().repaint()
print("scroll frame ms", (time.perf_counter()-t)/40*1000)
t=time.perf_counter()
for i in range(40):
    sb.setValue(int(sb.maximum()*(40-i)/40)); w.reader.viewport().repaint()
print("scroll frame ms, 2nd pass", (time.perf_counter()-t)/40*1000)
t=time.perf_counter()
for i in range(40):
    sb.setValue(sb.value()+40); w.reader.viewport().repaint()
print("small scroll steps ms", (time.perf_counter()-t)/40*1000)
ed = w.editor
sid = next(iter(ed.spans))
ed.select(sid)
t=time.perf_counter(); ed.accept(advance=False); app.processEvents(); print("accept", time.perf_counter()-t)
os._exit(0)  # skip interpreter teardown (a PySide finaliser can trip on a window never closed)
