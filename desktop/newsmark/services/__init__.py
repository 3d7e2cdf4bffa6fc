"""Use cases that combine the store, the importers and the language tools (used by the CLI and the app)."""
