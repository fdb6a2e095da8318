"""Colours and the application stylesheet: a calm light theme with one accent, like a modern phone app."""

from __future__ import annotations

ACCENT = "#2563eb"
DANGER = "#dc2626"
SUCCESS = "#16a34a"
WARNING = "#d97706"
TEXT = "#0f172a"
MUTED = "#64748b"
SURFACE = "#ffffff"
BACKGROUND = "#f1f5f9"
BORDER = "#e2e8f0"

STYLESHEET = f"""
QMainWindow, QWidget#page {{ background: {BACKGROUND}; }}
QWidget {{ color: {TEXT}; font-size: 13px; }}
QLabel#title {{ font-size: 20px; font-weight: 600; }}
QLabel#sectionTitle {{ font-size: 15px; font-weight: 600; }}
QLabel#muted {{ color: {MUTED}; }}
QFrame#card {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 12px; }}
QListWidget, QTableWidget {{
    background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 12px; padding: 4px;
    alternate-background-color: #f8fafc; gridline-color: transparent;
}}
QListWidget::item {{ border-radius: 8px; padding: 6px; }}
QListWidget::item:selected, QTableWidget::item:selected {{ background: #dbeafe; color: {TEXT}; }}
QHeaderView::section {{
    background: {SURFACE}; color: {MUTED}; border: none; border-bottom: 1px solid {BORDER};
    padding: 6px; font-weight: 600;
}}
QLineEdit {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 8px; padding: 6px 10px; }}
QLineEdit:focus {{ border-color: {ACCENT}; }}
QPushButton {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 8px; padding: 6px 14px; }}
QPushButton:hover {{ border-color: {ACCENT}; }}
QPushButton#primary {{ background: {ACCENT}; color: white; border: none; font-weight: 600; }}
QStatusBar {{ color: {MUTED}; }}
"""

DIFFICULTY_COLORS = {
    "BEGINNER": "#16a34a",
    "ROOKIE": "#0891b2",
    "PRO": "#2563eb",
    "ELITE": "#7c3aed",
    "NIGHTMARE": "#dc2626",
}


def score_color(score: int | None) -> str:
    if score is None:
        return MUTED
    if score >= 70:
        return SUCCESS
    return WARNING if score >= 40 else DANGER
