"""The store: the only part of Newsmark that talks to the database."""

from newsmark.store.library import AddResult, DocumentQuery, DocumentSummary, Library, NotFound, StoreError
from newsmark.store.migrate import SchemaError

__all__ = ["AddResult", "DocumentQuery", "DocumentSummary", "Library", "NotFound", "SchemaError", "StoreError"]
