"""The store: the only part of Newsmark that talks to the database.

The plain types (errors, query and row types) load with the package; the
:class:`Library` and everything that needs SQLAlchemy load when first named
(``from newsmark.store import Library``), so the window can show the library's
first screen before SQLAlchemy is imported (see :mod:`newsmark.store.opening`).
"""

from typing import TYPE_CHECKING, Any

from newsmark.store.records import HEAD, AddResult, DocumentQuery, DocumentSummary, NotFound, SchemaError, StoreError

if TYPE_CHECKING:
    from newsmark.store.library import Library

__all__ = ["HEAD", "AddResult", "DocumentQuery", "DocumentSummary", "Library", "NotFound", "SchemaError", "StoreError"]


def __getattr__(name: str) -> Any:
    if name == "Library":
        from newsmark.store.library import Library

        return Library
    raise AttributeError(f"module 'newsmark.store' has no attribute {name!r}")
