"""Extra style rules for the call screen, built from the theme's colours when the screen is made (so a theme switch
before that is honoured). Sizes are in points or relative to the font, so 200 % scaling stays readable."""

from __future__ import annotations

from desktop.ui.widgets import theme


def _tint(hex_color: str, alpha: int) -> str:
    """The colour at `alpha` (0-255) over whatever is behind it."""
    return f"rgba({int(hex_color[1:3], 16)}, {int(hex_color[3:5], 16)}, {int(hex_color[5:7], 16)}, {alpha})"


def call_style() -> str:
    t = theme
    # White glyphs sit on these fills (the end-call and send icons are white); dark mode's light red and blue, made
    # for text on the dark page, are darkened until white on them reads (4.5:1).
    danger_fill, accent_fill = t.fill_for_white(t.DANGER), t.fill_for_white(t.ACCENT)
    return f"""
QWidget#callScreen {{ background: {t.BACKGROUND}; }}
QFrame#callHeader, QFrame#callPanel, QFrame#hintStrip, QFrame#keypad, QFrame#dialingCard, QFrame#failureCard {{
    background: {t.SURFACE}; border: 1px solid {t.BORDER}; border-radius: 14px;
}}
QFrame#coachPanel {{ background: {t.BACKGROUND}; border: 1px dashed {t.BORDER}; border-radius: 14px; }}
QFrame#controlBar {{ background: {t.SURFACE}; border: 1px solid {t.BORDER}; border-radius: 18px; }}
QLabel#callName {{ font-size: 15pt; font-weight: 600; }}
QLabel#callTimer {{ font-size: 15pt; font-weight: 600; color: {t.TEXT}; }}
QLabel#countdown {{
    background: {_tint(t.WARNING, 40)}; color: {t.WARNING}; border-radius: 10px; padding: 2px 10px; font-weight: 600;
}}
QLabel#countdown[urgent="true"] {{ background: {_tint(t.DANGER, 40)}; color: {t.DANGER}; }}
QLabel#panelTitle {{ color: {t.MUTED}; font-weight: 600; }}
QLabel#panelHeadline {{ font-size: 12pt; font-weight: 600; }}
QLabel#agentStatus {{ color: {t.MUTED}; font-weight: 600; }}
QLabel#agentStatus[status="speaking"] {{ color: {t.SUCCESS}; }}
QLabel#agentStatus[status="thinking"] {{ color: {t.ACCENT}; }}
QLabel#dialName {{ font-size: 20pt; font-weight: 600; }}
QLabel#dialStatus {{ font-size: 13pt; color: {t.ACCENT}; font-weight: 600; }}
QLabel#dialChips {{ color: {t.MUTED}; }}
QLabel#failureHeadline {{ font-size: 17pt; font-weight: 600; }}
QLabel#failureNext {{ font-weight: 600; }}
QLabel#chip {{
    background: {t.BACKGROUND}; color: {t.MUTED}; border: 1px solid {t.BORDER}; border-radius: 9px; padding: 2px 8px;
}}
QLabel#chip[kind="current"] {{
    background: {accent_fill}; color: white; border-color: {accent_fill}; font-weight: 600;
}}
QLabel#chip[kind="done"], QLabel#chip[kind="answered"] {{
    background: {_tint(t.SUCCESS, 30)}; color: {t.SUCCESS}; border-color: {_tint(t.SUCCESS, 90)};
}}
QLabel#chip[kind="raised"] {{ background: {_tint(t.WARNING, 35)}; color: {t.WARNING}; border-color: {t.WARNING}; }}
QLabel#stripLabel {{ color: {t.MUTED}; font-weight: 600; }}
QLabel#hintTip {{ color: {t.TEXT}; }}
QFrame#timeBanner {{ background: {_tint(t.WARNING, 35)}; border: 1px solid {t.WARNING}; border-radius: 10px; }}
QFrame#problemBanner {{ background: {_tint(t.DANGER, 25)}; border: 1px solid {t.DANGER}; border-radius: 10px; }}
QFrame#infoBanner {{ background: {_tint(t.ACCENT, 25)}; border: 1px solid {t.ACCENT}; border-radius: 10px; }}
QFrame#timeBanner QToolButton, QFrame#problemBanner QToolButton, QFrame#infoBanner QToolButton {{
    background: transparent; border: none; }}
QToolButton#callButton::menu-indicator {{ image: none; width: 0px; }}
QFrame#confirmBar {{ background: {t.SURFACE}; border: 2px solid {t.DANGER}; border-radius: 12px; }}
QListView#transcript {{ background: {t.SURFACE}; border: 1px solid {t.BORDER}; border-radius: 14px; padding: 6px; }}
QPushButton#jumpButton {{
    background: {accent_fill}; color: white; border: none; border-radius: 12px; padding: 4px 14px; font-weight: 600;
}}
QToolButton#callButton {{
    background: {t.BACKGROUND}; border: 1px solid {t.BORDER}; border-radius: 14px; padding: 6px 8px;
}}
QToolButton#callButton:hover {{ border-color: {t.ACCENT}; }}
QToolButton#callButton:checked {{ background: {_tint(t.ACCENT, 40)}; border-color: {t.ACCENT}; }}
QToolButton#callButton:disabled {{ color: {t.MUTED}; background: {t.SURFACE}; }}
QToolButton#endCallButton {{
    background: {danger_fill}; color: white; border: none; border-radius: 14px; padding: 6px 14px; font-weight: 600;
}}
QToolButton#endCallButton:hover {{ background: {_tint(danger_fill, 220)}; }}
QToolButton#endCallButton:disabled {{ background: {t.BORDER}; }}
QPushButton#endCallPill, QPushButton#confirmEnd {{
    background: {danger_fill}; color: white; border: none; border-radius: 16px; padding: 8px 22px; font-weight: 600;
}}
QPushButton#keypadKey {{
    background: {t.BACKGROUND}; border: 1px solid {t.BORDER}; border-radius: 12px; font-size: 13pt; padding: 4px;
}}
QPushButton#keypadKey:hover {{ border-color: {t.ACCENT}; }}
QLabel#keypadDisplay {{ font-size: 15pt; font-weight: 600; letter-spacing: 2px; }}
QLabel#keypadDisplay[empty="true"] {{ color: {t.MUTED}; font-size: 11pt; }}
QLineEdit#typeInput {{ padding: 8px 12px; border-radius: 18px; }}
QPushButton#sendButton {{
    background: {accent_fill}; color: white; border: none; border-radius: 16px; padding: 7px 16px; font-weight: 600;
}}
QPushButton#sendButton:disabled {{ background: {t.BORDER}; }}
"""
