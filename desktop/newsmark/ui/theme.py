"""Light and dark: the app follows the system palette; a dark palette is here for systems
(and screenshots) that do not provide one. ``NEWSMARK_THEME=light|dark`` forces one."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication


def dark_palette() -> QPalette:
    p = QPalette()
    window, base, alt, text, dim = QColor("#26272b"), QColor("#1d1e21"), QColor("#2b2c30"), QColor("#e6e6e6"), QColor("#8b8d93")
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        p.setColor(group, QPalette.ColorRole.Window, window)
        p.setColor(group, QPalette.ColorRole.WindowText, text)
        p.setColor(group, QPalette.ColorRole.Base, base)
        p.setColor(group, QPalette.ColorRole.AlternateBase, alt)
        p.setColor(group, QPalette.ColorRole.Text, text)
        p.setColor(group, QPalette.ColorRole.Button, QColor("#323338"))
        p.setColor(group, QPalette.ColorRole.ButtonText, text)
        p.setColor(group, QPalette.ColorRole.ToolTipBase, QColor("#3a3b40"))
        p.setColor(group, QPalette.ColorRole.ToolTipText, text)
        p.setColor(group, QPalette.ColorRole.PlaceholderText, dim)
        p.setColor(group, QPalette.ColorRole.Highlight, QColor("#3d7bd9"))
        p.setColor(group, QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
        p.setColor(group, QPalette.ColorRole.Link, QColor("#7fb0ff"))
        p.setColor(group, QPalette.ColorRole.Mid, QColor("#3a3b40"))
        p.setColor(group, QPalette.ColorRole.Midlight, QColor("#45464c"))
        p.setColor(group, QPalette.ColorRole.Dark, QColor("#141517"))
        p.setColor(group, QPalette.ColorRole.Light, QColor("#505157"))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, dim)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Base, base)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Window, window)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Button, QColor("#2b2c30"))
    return p


def apply_theme(app: QApplication, theme: str | None = None) -> str:
    """Apply ``system`` (default), ``light`` or ``dark``. Returns the theme applied."""
    theme = (theme or os.environ.get("NEWSMARK_THEME") or "system").lower()
    hints = QGuiApplication.styleHints()
    if theme == "dark":
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
        try:
            hints.setColorScheme(Qt.ColorScheme.Dark)
        except AttributeError:  # Qt < 6.8
            pass
    elif theme == "light":
        app.setStyle("Fusion")
        app.setPalette(app.style().standardPalette())
        try:
            hints.setColorScheme(Qt.ColorScheme.Light)
        except AttributeError:
            pass
    return theme
