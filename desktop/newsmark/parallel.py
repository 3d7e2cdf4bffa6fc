"""Work spread over worker processes, results back in order, never far ahead.

Two jobs use it: pre-annotation (each worker runs the spaCy pipeline and sends
back compact suggestions, not ``Doc`` objects) and large exports (each worker
reads and renders a block of documents). Both hand out *chunks* of work and
consume the results in the order the chunks were given, with at most
``ahead`` chunks per worker in flight — so memory stays bounded however long
the input is, and stopping early (a cancel, an error) ends the workers.

Standard library only; no Qt, no spaCy, no database.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")
_END = object()


def usable_cores() -> int:
    """The cores this process may run on (its affinity, where the system tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def can_start_workers() -> bool:
    """False where a spawned worker could not re-import the main program.

    (``python - < script.py``: ``__main__`` names a file that does not exist,
    and a spawned process dies trying to load it.)
    """
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return main_file is None or os.path.exists(main_file)


def start_method(*, fork_allowed: bool = True) -> str:
    """``fork`` where it is safe and cheap, else ``spawn``.

    Forking copies what the parent has loaded (a spaCy pipeline: seconds saved
    per worker) but is only safe from a process with one thread: the app runs
    Qt's threads (and calls this from a background thread), so there — or when
    the caller's state must not be shared, ``fork_allowed=False`` — workers are
    spawned fresh.
    """
    if (
        fork_allowed
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
        and "PySide6.QtCore" not in sys.modules  # Qt's own threads are invisible to `threading`
    ):
        return "fork"
    return "spawn"


def ordered_map(
    func: Callable[..., R],
    chunks: Iterable[T],
    *,
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
    args: tuple[Any, ...] = (),
    ahead: int = 2,
    method: str = "spawn",
) -> Iterator[R]:
    """``func(chunk, *args)`` for every chunk, in ``workers`` processes; results yielded in chunk order.

    ``chunks`` is read lazily: at most ``ahead * workers`` chunks are handed
    out before their results are taken. An exception in a worker is raised
    here, at its chunk. Closing the iterator early (``break``, cancel, error)
    terminates the workers.
    """
    source = iter(chunks)
    context = multiprocessing.get_context(method)
    with context.Pool(workers, initializer=initializer, initargs=initargs) as pool:
        pending: deque[Any] = deque()

        def submit() -> None:
            chunk = next(source, _END)
            if chunk is not _END:
                pending.append(pool.apply_async(func, (chunk, *args)))

        for _ in range(max(1, ahead) * workers):
            submit()
        while pending:
            result = pending.popleft().get()
            submit()
            yield result
    # leaving the with-block (done, stopped or failed) terminates the workers
