"""Nothing leaves the machine.

- The whole test suite runs with network sockets refused (pytest-socket: ``--disable-socket
  --allow-unix-socket`` in pyproject.toml); no test asks for an exception.
- The real app — the ``newsmark`` entry point, offscreen — and the command line are run behind a
  wall that kills the process at the first network socket, whoever opens it (Python, Qt's C++, a C
  library), with an audit hook recording every Python-level network event, on a web page that tries
  every way a page can reach out; then Qt's network module must not have been loaded, and the
  reader must not have asked for any resource (see ``offline_app.py``). As root, the same again in a
  network namespace with no interface but loopback.
- Each detector is shown to fire on purpose (the positive controls), so none of them can be blind
  without a test failing.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
REPO = TESTS.parent
HARNESS = HERE / "offline_app.py"
LINUX = sys.platform.startswith("linux")
TEST_NET = "192.0.2.1"  # TEST-NET-1 (RFC 5737): documentation only, never routed

# A page that tries every way a web page can reach out or run code.
HOSTILE_PAGE = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://{TEST_NET}/xhtml1-strict.dtd">
<html lang="en"><head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="0; url=http://{TEST_NET}/refresh">
<base href="http://{TEST_NET}/base/">
<title>Minister resigns over <img src="http://{TEST_NET}/title.png"> harbour deal</title>
<link rel="stylesheet" href="http://{TEST_NET}/style.css">
<link rel="preload" href="http://{TEST_NET}/font.woff2" as="font">
<link rel="icon" href="http://{TEST_NET}/favicon.ico">
<link rel="dns-prefetch" href="//tracker.{TEST_NET}">
<style>@import url("http://{TEST_NET}/import.css"); body {{ background: url(http://{TEST_NET}/bg.png) }}
@font-face {{ font-family: X; src: url(http://{TEST_NET}/f.woff) }}</style>
<script src="http://{TEST_NET}/app.js"></script>
<script>fetch("http://{TEST_NET}/beacon"); new Image().src = "http://{TEST_NET}/pixel.gif"; document.write("<p>SCRIPT-RAN</p>")</script>
</head><body onload="location='http://{TEST_NET}/onload'">
<article>
<h1>Minister resigns over harbour deal</h1>
<p>The harbour minister resigned on Tuesday after reporters found that the contract for the new quay had been given to a
company owned by his brother-in-law, officials said. <img src="http://{TEST_NET}/inline.png"
srcset="http://{TEST_NET}/a.png 1x, http://{TEST_NET}/b.png 2x" onerror="fetch('http://{TEST_NET}/onerror')"></p>
<picture><source srcset="http://{TEST_NET}/pic.webp"><img src="http://{TEST_NET}/pic.jpg" alt="A photo of the quay"></picture>
<p>"I have done nothing wrong," the minister told reporters outside parliament, adding that he would clear his name.
<a href="http://{TEST_NET}/link" ping="http://{TEST_NET}/ping">Read his statement</a>.
<svg><image href="http://{TEST_NET}/svg.png"/><use href="http://{TEST_NET}/sprite.svg#x"/></svg></p>
<iframe src="http://{TEST_NET}/frame"></iframe><iframe srcdoc="&lt;img src='http://{TEST_NET}/srcdoc.png'&gt;"></iframe>
<object data="http://{TEST_NET}/object.swf"></object><embed src="http://{TEST_NET}/embed.swf">
<video poster="http://{TEST_NET}/poster.jpg" src="http://{TEST_NET}/v.mp4"><track src="http://{TEST_NET}/t.vtt"></video>
<audio src="http://{TEST_NET}/a.mp3"></audio>
<form action="http://{TEST_NET}/form"><input type="image" src="http://{TEST_NET}/input.png"></form>
<p style="background-image:url(http://{TEST_NET}/style-attr.png)">The opposition leader, Maria Lopes, said the government had
known about the contract for months and called for an inquiry into every harbour deal signed since 2019.</p>
<p>The page also shows markup as text: &lt;img src="http://{TEST_NET}/literal.png"&gt; and &lt;script&gt;alert(1)&lt;/script&gt;
are words here, not code.</p>
<noscript><img src="http://{TEST_NET}/noscript.gif"></noscript>
</article></body></html>
"""
LITERAL = f'<img src="http://{TEST_NET}/literal.png"> and <script>alert(1)</script>'

NETWORK_PREFIXES = ("socket.", "urllib.", "http.client.", "ftplib.", "smtplib.", "poplib.", "imaplib.", "nntplib.", "telnetlib.", "webbrowser.")
URLLIB3_PROBE = [("socket.__new__", [str(int(socket.AF_INET6)), str(int(socket.SOCK_STREAM)), "0"]), ("socket.bind", ["('::1', 0)"])]


def run_harness(mode: str, work: Path, *, prefix: tuple[str, ...] = (), extra: tuple[str, ...] = (), timeout: int = 400) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    (work / "hostile.html").write_text(HOSTILE_PAGE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("NEWSMARK_DB", "NEWSMARK_PASSPHRASE")}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONPATH=os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")]))
    proc = subprocess.run([*prefix, sys.executable, str(HARNESS), mode, str(work), *extra], capture_output=True, text=True, timeout=timeout, env=env, cwd=work)
    if proc.returncode == -signal.SIGSYS:
        pytest.fail(f"Newsmark opened a network socket (killed by the wall). Its stack:\n{proc.stderr[-6000:]}")
    result_file = work / "result.json"
    assert result_file.exists(), f"the harness wrote no result (exit {proc.returncode}):\n{proc.stderr[-4000:]}"
    result = json.loads(result_file.read_text(encoding="utf-8"))
    assert "error" not in result, result["error"] + "\n" + proc.stderr[-3000:]
    result["returncode"] = proc.returncode
    return result


def wall_available() -> str | None:
    import platform

    if not LINUX or platform.machine() not in ("x86_64", "aarch64"):
        return f"the seccomp wall is written for Linux on x86_64/aarch64, not {sys.platform}/{platform.machine()}"
    return None


def assert_nothing_left_the_machine(result: dict) -> None:
    if wall_available() is None:
        assert result["wall"].startswith("seccomp"), result["wall"]
    before = [(e["event"], e["args"]) for e in result["events"] if e["phase"] == "before the wall"]
    after = [e for e in result["events"] if e["phase"] == "after the wall"]
    assert before in ([], URLLIB3_PROBE), before  # urllib3's IPv6 probe: a bind to ::1, nothing sent
    network = [e for e in after if e["event"].startswith(NETWORK_PREFIXES)]
    assert network == [], network  # not a socket, not a name look-up, not a URL
    assert [e for e in after if not e["event"].startswith(NETWORK_PREFIXES)] == []  # and no other program started
    assert result["qtnetwork_imported"] is False
    if LINUX:
        assert result["libqt6network_mapped"] is False, result["qt_libraries_mapped"]


# ---------------------------------------------------------------------- the test suite itself


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_the_test_suite_runs_with_network_sockets_refused() -> None:
    import pytest_socket

    with pytest.raises(pytest_socket.SocketBlockedError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(pytest_socket.SocketBlockedError):
        socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    local = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)  # local sockets stay allowed (Qt, multiprocessing)
    local.close()
    addopts = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert "--disable-socket --allow-unix-socket" in addopts


def test_no_test_asks_for_the_network() -> None:
    """No test enables sockets or allows a host, not even loopback: none needs it."""
    markers = ["enable" + "_socket", "allow" + "_hosts", "socket" + "_enabled", "force-enable" + "-socket"]
    offenders = [
        f"{path.relative_to(REPO)}: {marker}"
        for path in TESTS.rglob("*.py")
        for marker in markers
        if marker in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


# ---------------------------------------------------------------------- the detectors fire (positive controls)


def _in_walled_child(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    script = textwrap.dedent(
        f"""
        import sys
        sys.argv = ["offline_app", "control", {str(tmp_path)!r}]
        sys.path.insert(0, {str(HERE)!r})
        import offline_app
        print(offline_app.WALL_STATE, flush=True)
        """
    ) + textwrap.dedent(code)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.skipif(wall_available() is not None, reason=str(wall_available()))
def test_the_wall_kills_a_python_socket_and_names_who_opened_it(tmp_path: Path) -> None:
    proc = _in_walled_child(
        """
        import socket
        def phone_home():
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        phone_home()
        print("survived")
        """,
        tmp_path,
    )
    assert proc.stdout.startswith("seccomp")
    assert proc.returncode == -signal.SIGSYS and "survived" not in proc.stdout
    assert "phone_home" in proc.stderr  # faulthandler: the Python stack that opened it


@pytest.mark.skipif(wall_available() is not None, reason=str(wall_available()))
def test_the_wall_kills_a_qt_socket_that_python_never_sees(tmp_path: Path) -> None:
    proc = _in_walled_child(
        """
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtNetwork import QTcpSocket
        app = QCoreApplication([])
        connection = QTcpSocket()
        connection.connectToHost("192.0.2.1", 80)   # C++ all the way down: no audit event
        connection.waitForConnected(100)
        print("survived")
        """,
        tmp_path,
    )
    assert proc.returncode == -signal.SIGSYS and "survived" not in proc.stdout


@pytest.mark.skipif(wall_available() is not None, reason=str(wall_available()))
def test_local_sockets_pass_the_wall_and_the_audit_hook_records_them(tmp_path: Path) -> None:
    proc = _in_walled_child(
        f"""
        import json, socket
        local = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            local.connect({str(tmp_path / 'nobody-listens')!r})
        except OSError:
            pass
        local.close()
        print(json.dumps([e["event"] for e in offline_app.EVENTS if e["phase"] == "after the wall"]))
        """,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1]) == ["socket.__new__", "socket.connect"]


def test_loading_qt_network_would_be_noticed(tmp_path: Path) -> None:
    proc = _in_walled_child(
        """
        import json
        import PySide6.QtNetwork
        print(json.dumps(offline_app.network_state()))
        """,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    state = json.loads(proc.stdout.splitlines()[-1])
    assert state["qtnetwork_imported"] is True
    if LINUX:
        assert state["libqt6network_mapped"] is True


# ---------------------------------------------------------------------- the app and the command line


@pytest.mark.slow
def test_the_app_opens_nothing_reads_a_hostile_page_as_text_and_asks_for_no_resource(tmp_path: Path) -> None:
    result = run_harness("gui", tmp_path / "gui")
    assert result["returncode"] == 0
    assert_nothing_left_the_machine(result)
    assert result["import"]["problems"] == [] and len(result["import"]["added"]) == 1
    reader = result["reader"]
    # the reader shows the stored text as text: markup in it stays characters, never an image or a link
    assert reader["plain_text"] == reader["stored_text"]
    assert LITERAL in reader["plain_text"]
    assert reader["images"] == 0
    assert result["resources_asked"] == []
    assert result["control_resources"] and set(result["control_resources"]) == {f"http://{TEST_NET}/control.png"}  # the instrument works
    # nothing of the page but its text: no script ran, no URL or attribute slipped in
    text = reader["stored_text"]
    assert "SCRIPT-RAN" not in text and "fetch(" not in text and "@import" not in text
    assert text.count(TEST_NET) == 1  # only in the sentence that quotes markup
    assert "<img" not in reader["title"] and reader["title"] == "Minister resigns over harbour deal"
    assert reader["marks"] > 0  # the model ran on it (behind the wall)
    assert result["export"]["documents"] >= 1 and result["backup"].endswith("-scheduled.sqlite")
    # the app's error handling is wired in: an error in a slot reached the dialog and the log
    assert result["error_dialog"] == {"title": "Something went wrong", "summary": "Newsmark ran into a problem it did not expect.", "log_has_it": True}


@pytest.mark.slow
def test_the_command_line_opens_nothing(tmp_path: Path) -> None:
    result = run_harness("cli", tmp_path / "cli")
    assert_nothing_left_the_machine(result)
    outcomes = {name: out["code"] for name, out in result["cli"].items()}
    assert outcomes == {"import": 0, "export": 0, "backup": 0}, result["cli"]
    assert "1 added" in result["cli"]["import"]["output"] and "annotated" in result["cli"]["import"]["output"]


@functools.cache
def _namespace_problem() -> str | None:
    if not LINUX or shutil.which("unshare") is None:
        return "needs Linux and unshare(1)"
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        return f"cannot make a network namespace here (it needs root, as in CI): {probe.stderr.strip()}"
    return None


@pytest.mark.slow
@pytest.mark.skipif(_namespace_problem() is not None, reason=f"network namespace: {_namespace_problem()}")
def test_the_app_in_a_network_namespace_with_no_interfaces(tmp_path: Path) -> None:
    """Belt and braces: even a way out the wall did not think of would find no interface but loopback (down)."""
    result = run_harness("gui", tmp_path / "netns", prefix=("unshare", "--net"))
    assert result["interfaces"] == ["lo"]
    assert result["returncode"] == 0
    assert_nothing_left_the_machine(result)
    assert result["resources_asked"] == [] and result["reader"]["images"] == 0
    cli = run_harness("cli", tmp_path / "netns-cli", prefix=("unshare", "--net"))
    assert cli["interfaces"] == ["lo"]
    assert {name: out["code"] for name, out in cli["cli"].items()} == {"import": 0, "export": 0, "backup": 0}


# ---------------------------------------------------------------------- the HTML importer, in this process


def test_the_html_importer_loads_no_dtd_and_resolves_no_entity_from_a_file(tmp_path: Path) -> None:
    from newsmark.formats.articles import read_articles
    from newsmark.model import NewDocument

    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY leak "DTD-WAS-LOADED">', encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-FILE-WAS-READ", encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text(
        f'<?xml version="1.0"?><!DOCTYPE html SYSTEM "file://{dtd}" [<!ENTITY file SYSTEM "file://{secret}">]>'
        + HOSTILE_PAGE.split("\n", 1)[1].replace("<p>The opposition", "<p>&leak; &file; The opposition"),
        encoding="utf-8",
    )
    [doc] = [d for d in read_articles(page) if isinstance(d, NewDocument)]
    assert "DTD-WAS-LOADED" not in doc.text and "SECRET-FILE-WAS-READ" not in doc.text
    assert "Maria Lopes" in doc.text and "SCRIPT-RAN" not in doc.text
