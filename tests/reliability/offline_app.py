"""Run Newsmark for real behind a wall that notices any attempt to use the network; report what happened.

    python offline_app.py gui|cli WORKDIR [--no-wall]

Used by ``test_offline.py`` (each detector also has a positive control there, so
none of them can be blind without a test failing). Before anything of Newsmark
or Qt is imported, this process:

1. adds an **audit hook** (``sys.addaudithook``) that records every Python-level
   network event — ``socket.__new__``, ``socket.connect``, ``socket.bind``,
   ``socket.sendto``, ``socket.getaddrinfo`` and the other name look-ups,
   ``urllib.Request``, ``http.client.connect`` … — and every new process;
2. imports ``urllib3`` (trafilatura, the HTML importer, loads it). At import it
   creates an IPv6 socket and binds it to ``::1`` to learn whether the machine
   has IPv6 — it connects nowhere and sends nothing — and the audit hook records
   exactly that; the test checks it is the only socket event and that it
   happens before the wall goes up;
3. puts up the **wall**: a seccomp filter, inherited by every thread and child
   process, under which creating an ``AF_INET``, ``AF_INET6`` or ``AF_PACKET``
   socket — the first step of *any* network use, Python's or Qt's or a C
   library's — kills the process with SIGSYS (and faulthandler prints whose
   Python stack did it). io_uring, which could open sockets without the
   ``socket`` system call, is refused (ENOSYS). Local (``AF_UNIX``) and kernel
   (``AF_NETLINK``) sockets stay allowed.

Then it drives the app: ``gui`` starts the real ``newsmark`` entry point
(:func:`newsmark.launch.main`) offscreen on a new library, imports a web page
that tries every way a page can reach out (``WORKDIR/hostile.html``, written by
the test), opens it in the reader, lets the model annotate it, exports it, waits
for the scheduled backup, and raises an error in a slot to see it reach the
error dialog and the log; ``cli`` does the import, annotation, export and a
backup through the command line. Finally it writes ``WORKDIR/result.json``:
the audit events after the wall, whether ``PySide6.QtNetwork`` was imported and
whether Qt's network library (``libQt6Network``) is mapped into the process,
every resource a text document asked the reader for (``ReaderView.loadResource``
is overridden before the window exists), the reader's text and images, and what
the app did.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path

MODE = sys.argv[1] if len(sys.argv) > 1 else "gui"
WORK = Path(sys.argv[2]) if len(sys.argv) > 2 else Path.cwd()
WALL = "--no-wall" not in sys.argv

# ---------------------------------------------------------------------- 1. the audit hook

NETWORK_EVENTS = (
    "socket.",
    "urllib.",
    "http.client.",
    "ftplib.",
    "smtplib.",
    "poplib.",
    "imaplib.",
    "nntplib.",
    "telnetlib.",
    "webbrowser.",
)
PROCESS_EVENTS = ("subprocess.Popen", "os.system", "os.posix_spawn", "os.exec", "os.startfile")
EVENTS: list[dict[str, object]] = []
PHASE = ["before the wall"]


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event.startswith(NETWORK_EVENTS) or event.startswith(PROCESS_EVENTS):
        shown = []
        for arg in args:
            if event.startswith("socket.") and type(arg).__name__ == "socket":
                continue  # the socket object itself: its repr would ask the kernel again
            try:
                shown.append(repr(arg)[:200])
            except Exception:  # noqa: BLE001
                shown.append("?")
        EVENTS.append({"event": event, "args": shown, "phase": PHASE[0], "thread": threading.current_thread().name})


sys.addaudithook(_audit)

# ---------------------------------------------------------------------- 2. what loads before the wall

import urllib3  # noqa: E402,F401 - its IPv6 probe (see the module doc)

# ---------------------------------------------------------------------- 3. the wall


def install_wall() -> str:
    """The seccomp filter; returns what was installed (or why not)."""
    import ctypes
    import faulthandler
    import platform
    import signal
    import socket
    import struct

    arches = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}  # AUDIT_ARCH_*, __NR_socket
    if not sys.platform.startswith("linux") or platform.machine() not in arches:
        return f"no wall: seccomp filter not written for {sys.platform}/{platform.machine()}"
    audit_arch, nr_socket = arches[platform.machine()]
    nr_io_uring_setup = 425
    allow, trap, enosys = 0x7FFF0000, 0x00030000, 0x00050000 | 38
    ld_abs, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    program = [
        (ld_abs, 0, 0, 4),  # 0: arch
        (jeq, 0, 9, audit_arch),  # 1: another ABI (e.g. 32-bit calls on x86_64) -> trap
        (ld_abs, 0, 0, 0),  # 2: syscall number
        (jge, 7, 0, 0x40000000),  # 3: x32 numbers -> trap
        (jeq, 7, 0, nr_io_uring_setup),  # 4: io_uring -> ENOSYS
        (jeq, 0, 4, nr_socket),  # 5: not socket() -> allow
        (ld_abs, 0, 0, 16),  # 6: socket(domain, …): the domain
        (jeq, 3, 0, socket.AF_INET),  # 7
        (jeq, 2, 0, socket.AF_INET6),  # 8
        (jeq, 1, 0, socket.AF_PACKET),  # 9
        (ret, 0, 0, allow),  # 10
        (ret, 0, 0, trap),  # 11
        (ret, 0, 0, enosys),  # 12
    ]
    blob = b"".join(struct.pack("HBBI", *insn) for insn in program)
    buffer = ctypes.create_string_buffer(blob)

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = SockFprog(len(program), ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        return f"no wall: PR_SET_NO_NEW_PRIVS failed (errno {ctypes.get_errno()})"
    if libc.prctl(22, 2, ctypes.addressof(prog), 0, 0) != 0:  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
        return f"no wall: seccomp refused (errno {ctypes.get_errno()})"
    install_wall.keep = (buffer, prog)  # type: ignore[attr-defined]
    faulthandler.register(signal.SIGSYS, all_threads=True, chain=True)  # whose stack opened a network socket
    return "seccomp: AF_INET/AF_INET6/AF_PACKET sockets kill the process"


WALL_STATE = install_wall() if WALL else "no wall (--no-wall)"
PHASE[0] = "after the wall"

# ---------------------------------------------------------------------- what the app is driven with

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["NEWSMARK_DATA_DIR"] = str(WORK / "data")
os.environ.setdefault("NEWSMARK_ANNOTATOR", "offline-test")
LIBRARY = WORK / "data" / "newsmark.sqlite"
PAGE = WORK / "hostile.html"
RESULT: dict[str, object] = {"mode": MODE, "wall": WALL_STATE, "steps": []}


def step(text: str) -> None:
    RESULT["steps"].append(f"{time.monotonic():.1f} {text}")  # type: ignore[union-attr]


def network_state() -> dict[str, object]:
    maps = Path("/proc/self/maps").read_text(errors="replace") if Path("/proc/self/maps").exists() else ""
    qt_libs = sorted({line.split("/")[-1] for line in maps.splitlines() if "libQt6" in line})
    dev = Path("/proc/self/net/dev")
    interfaces = [line.split(":")[0].strip() for line in dev.read_text().splitlines()[2:]] if dev.exists() else None
    return {
        "interfaces": interfaces,  # in a network namespace of its own: only "lo"
        "qtnetwork_imported": "PySide6.QtNetwork" in sys.modules,
        "qt_libraries_mapped": qt_libs,
        "libqt6network_mapped": any("libQt6Network" in lib for lib in qt_libs),
        "network_modules_imported": sorted(m for m in ("requests", "http.client", "urllib.request", "ftplib", "smtplib", "webbrowser") if m in sys.modules),
    }


def finish(code: int = 0) -> None:
    RESULT.update(network_state())
    RESULT["events"] = EVENTS
    (WORK / "result.json").write_text(json.dumps(RESULT, indent=1, ensure_ascii=False), encoding="utf-8")


# ---------------------------------------------------------------------- gui


def run_gui() -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QTextCursor, QTextImageFormat
    from PySide6.QtWidgets import QApplication

    from newsmark.ui.reader import ReaderView

    asked: list[str] = []

    def load_resource(self, kind, url):  # type: ignore[no-untyped-def]
        asked.append(url.toString())
        return None  # nothing is ever loaded

    ReaderView.loadResource = load_resource  # before the window exists: every reader document asks this
    RESULT["resources_asked"] = asked

    from newsmark.ui.app import application

    app = application()
    deadline = time.monotonic() + float(os.environ.get("NEWSMARK_OFFLINE_TIMEOUT", "240"))
    state: dict[str, object] = {}

    def window():  # type: ignore[no-untyped-def]
        from newsmark.ui.mainwindow import MainWindow

        return next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None)

    def later(fn, ms: int = 50) -> None:  # type: ignore[no-untyped-def]
        def guarded() -> None:
            if time.monotonic() > deadline:
                RESULT["error"] = f"timed out at: {RESULT['steps'][-1] if RESULT['steps'] else 'start'}"  # type: ignore[index]
                finish()
                app.exit(3)
                return
            try:
                fn()
            except Exception:  # noqa: BLE001 - the harness's own failure, reported
                RESULT["error"] = traceback.format_exc()
                finish()
                app.exit(4)

        QTimer.singleShot(ms, guarded)

    def wait_for_window() -> None:
        w = window()
        if w is None or w.library_model.rowCount() == 0:
            later(wait_for_window, 100)
            return
        step(f"window up with {w.library_model.rowCount()} articles")
        state["window"] = w
        later(wait_for_first_annotation, 100)

    def wait_for_first_annotation() -> None:
        w = state["window"]
        if w.annotate_job is not None or w.model_label.text() in ("Model: not loaded", "Model: loading…"):  # type: ignore[attr-defined]
            later(wait_for_first_annotation, 200)
            return
        step(f"model: {w.model_label.text()}")  # type: ignore[attr-defined]
        job = w.start_import([str(PAGE)])  # type: ignore[attr-defined]
        w.importFinished.connect(imported)  # type: ignore[attr-defined]
        step("import started" if job is not None else "import refused")

    def imported(summary) -> None:  # type: ignore[no-untyped-def]
        w = state["window"]
        added = [r.doc_id for r in summary.added]
        RESULT["import"] = {"added": added, "problems": [str(p) for p in summary.problems]}
        step(f"imported {added}")
        if not added:
            finish()
            app.exit(5)
            return
        state["doc"] = added[0]
        w.open_document(added[0])  # type: ignore[attr-defined]
        later(wait_for_annotation, 300)

    def wait_for_annotation() -> None:
        w = state["window"]
        if w.annotate_job is not None:  # type: ignore[attr-defined]
            later(wait_for_annotation, 200)
            return
        w.open_document(state["doc"])  # type: ignore[attr-defined] - again, with the new marks
        reader = w.reader  # type: ignore[attr-defined]
        doc = reader.document()
        images, block = 0, doc.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                if it.fragment().charFormat().isImageFormat():
                    images += 1
                it += 1
            block = block.next()
        stored = w.library.get_document(state["doc"])  # type: ignore[attr-defined]
        RESULT["reader"] = {
            "plain_text": doc.toPlainText().replace("\u2028", "\n"),
            "stored_text": stored.text,
            "title": stored.title,
            "images": images,
            "marks": len(w.editor.spans),  # type: ignore[attr-defined]
            "window_title": w.windowTitle(),  # type: ignore[attr-defined]
        }
        step(f"reader: {len(stored.text)} characters, {len(w.editor.spans)} marks, {images} images")  # type: ignore[attr-defined]
        export_it()

    def export_it() -> None:
        w = state["window"]
        dialog = w.export_dialog()  # type: ignore[attr-defined]
        dialog.scope_all.setChecked(True)
        dialog.out_edit.setText(str(WORK / "export.jsonl"))
        dialog.exported.connect(exported)
        state["export_dialog"] = dialog
        dialog.start()

    def exported(summary) -> None:  # type: ignore[no-untyped-def]
        RESULT["export"] = {"documents": summary.documents, "spans": summary.spans}
        step(f"exported {summary.documents} articles")
        state["export_dialog"].close()  # type: ignore[attr-defined]
        later(wait_for_backup, 200)

    def wait_for_backup() -> None:
        backups = sorted((WORK / "data" / "backups").glob("*-scheduled.sqlite")) if (WORK / "data" / "backups").is_dir() else []
        if not backups:
            later(wait_for_backup, 200)
            return
        RESULT["backup"] = backups[-1].name
        step("scheduled backup taken")
        raise_in_a_slot()

    def raise_in_a_slot() -> None:
        def buggy() -> None:
            raise RuntimeError("offline harness: an error in a slot")

        QTimer.singleShot(0, buggy)
        later(wait_for_error_dialog, 100)

    def wait_for_error_dialog() -> None:
        from newsmark.ui.errors import reporter

        r = reporter()
        if r is None or r.dialog is None or not r.dialog.isVisible():
            later(wait_for_error_dialog, 100)
            return
        log = WORK / "data" / "logs" / "newsmark.log"
        RESULT["error_dialog"] = {
            "title": r.dialog.windowTitle(),
            "summary": r.dialog.summary.text(),
            "log_has_it": log.exists() and "offline harness: an error in a slot" in log.read_text(encoding="utf-8"),
        }
        r.dialog.close()
        step("error dialog shown")
        positive_control()

    def positive_control() -> None:
        """Rich text with a remote image in the real reader: the instrument must see the request (else it is blind)."""
        w = state["window"]
        before = len(asked)
        cursor = QTextCursor(w.reader.document())  # type: ignore[attr-defined]
        cursor.movePosition(QTextCursor.MoveOperation.End)
        image = QTextImageFormat()
        image.setName("http://192.0.2.1/control.png")
        cursor.insertImage(image)
        w.reader.viewport().repaint()  # type: ignore[attr-defined]
        app.processEvents()
        RESULT["control_resources"] = asked[before:]
        del asked[before:]
        RESULT["resources_asked"] = list(asked)
        step("positive control done")
        finish()
        w.close()  # type: ignore[attr-defined]
        app.quit()

    later(wait_for_window, 100)
    from newsmark import launch

    sys.argv = ["newsmark", "--db", str(LIBRARY)]
    try:
        launch.main()
    except SystemExit as exit_:
        RESULT["exit"] = exit_.code
    finish()


# ---------------------------------------------------------------------- cli


def run_cli() -> None:
    from click.testing import CliRunner

    from newsmark.cli import main

    runner = CliRunner()
    outputs = {}
    for name, args in (
        ("import", ["import", str(PAGE)]),
        ("export", ["export", "--all", "-o", str(WORK / "export.jsonl")]),
        ("backup", ["backup"]),
    ):
        result = runner.invoke(main, ["--db", str(LIBRARY), *args], catch_exceptions=True)
        outputs[name] = {"code": result.exit_code, "output": result.output[-2000:], "exception": repr(result.exception) if result.exception and not isinstance(result.exception, SystemExit) else None}
        step(f"{name}: exit {result.exit_code}")
    RESULT["cli"] = outputs
    finish()


if __name__ == "__main__":
    WORK.mkdir(parents=True, exist_ok=True)
    if MODE == "gui":
        run_gui()
    else:
        run_cli()
