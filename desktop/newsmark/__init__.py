"""Newsmark: read news with its people, places and claims already marked; correct, tag, export."""

__version__ = "0.1.0"
APP_NAME = "Newsmark"
