"""Contrast of the theme's colours in light and dark (WCAG AA: 4.5:1 for text, 3:1 for icons), checked on the
numbers and on what is painted, plus dark screenshots of the screens they colour (history, review, dial pad,
settings)."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QLabel

from desktop import settings as app_settings
from desktop.core.personas import load_builtin_personas
from desktop.core.scenarios import load_scenarios
from desktop.grading.queue import grade_session, rule_based_grade
from desktop.ui.call.options import CallOptionsPanel
from desktop.ui.call.style import call_style
from desktop.ui.contacts.dialer import DialerPage
from desktop.ui.history.presenter import HistoryPresenter
from desktop.ui.history.progress_chart import series_color
from desktop.ui.history.view import HistoryView
from desktop.ui.session.feedback import FeedbackScreen
from desktop.ui.session.player import PLAY_ICON_COLOR, RecordingPlayer
from desktop.ui.session.presenters import ReviewPresenter
from desktop.ui.session.review import ReviewScreen
from desktop.ui.settings.page import SettingsDialog
from desktop.ui.settings.presenter import SettingsPresenter
from desktop.ui.shell.main_window import MainWindow
from desktop.ui.widgets import icons, theme
from tests.conftest import PERSONA
from tests.fixtures import FIXTURE_NAMES, load_fixture_call
from tests.ui.screens import app_state, seed_call, write_tone_wav
from tests.ui.shell.shell_screens import grab, themed

TEXT_AA, ICON_AA = 4.5, 3.0
PALETTES = [theme.LIGHT, theme.DARK]


def backgrounds(p: theme.Palette) -> dict[str, str]:
    """Where text and icons sit: the page, cards and inputs, alternate rows and the navigation rail."""
    return {"background": p.background, "surface": p.surface, "surface_alt": p.surface_alt}


@pytest.fixture
def active_palette():
    """Makes a palette's colours the module's for the test (as apply_theme does), then puts the light ones back."""
    yield theme.set_palette_constants
    theme.set_palette_constants(theme.LIGHT)


def test_the_contrast_ratio_follows_wcag():
    assert theme.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert theme.contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)
    assert theme.contrast_ratio("#2563eb", "#2563eb") == pytest.approx(1.0)
    assert theme.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the well-known AA grey


@pytest.mark.parametrize("palette", PALETTES, ids=lambda p: p.name)
def test_every_difficulty_colour_reads_as_text_on_its_theme(palette):
    colors = theme.DIFFICULTY_BY_PALETTE[palette.name]
    assert set(colors) == {"BEGINNER", "ROOKIE", "PRO", "ELITE", "NIGHTMARE"}
    low = {
        (level, where): round(theme.contrast_ratio(color, behind), 2)
        for level, color in colors.items()
        for where, behind in backgrounds(palette).items()
        if theme.contrast_ratio(color, behind) < TEXT_AA
    }
    assert low == {}


@pytest.mark.parametrize("palette", PALETTES, ids=lambda p: p.name)
def test_text_colours_read_on_every_background_and_on_their_fills(palette):
    roles = {name: getattr(palette, name) for name in ("text", "muted", "accent", "danger", "success", "warning")}
    low = {
        (role, where): round(theme.contrast_ratio(color, behind), 2)
        for role, color in roles.items()
        for where, behind in backgrounds(palette).items()
        if theme.contrast_ratio(color, behind) < TEXT_AA
    }
    assert low == {}
    # The global sheet writes on_accent on these fills: primary and call buttons, error and warning banners.
    for fill in (palette.accent, palette.success, palette.danger, palette.warning):
        assert theme.contrast_ratio(palette.on_accent, fill) >= TEXT_AA, fill


@pytest.mark.parametrize("palette", PALETTES, ids=lambda p: p.name)
def test_icon_colours_stand_out_on_their_theme(active_palette, palette):
    active_palette(palette)
    for color_name in (None, PLAY_ICON_COLOR, "DANGER", "ACCENT", "MUTED"):
        painted = icons.icon_color(color_name)
        for where, behind in backgrounds(palette).items():
            ratio = theme.contrast_ratio(painted, behind)
            assert ratio >= ICON_AA, f"{color_name or 'default'} icon on {where}: {ratio:.2f}"


def test_a_switch_recolours_the_levels_in_place_and_the_chart_follows(active_palette):
    kept = theme.DIFFICULTY_COLORS
    active_palette(theme.DARK)
    assert theme.DIFFICULTY_COLORS is kept and kept == theme.DIFFICULTY_BY_PALETTE["dark"]
    assert series_color("discovery") == theme.DIFFICULTY_BY_PALETTE["dark"]["ELITE"]
    active_palette(theme.LIGHT)
    assert kept["ELITE"] == "#7c3aed" and series_color("rapport") == theme.DIFFICULTY_BY_PALETTE["light"]["ROOKIE"]


def test_fills_under_white_glyphs_are_darkened_only_as_needed():
    assert theme.fill_for_white(theme.LIGHT.accent) == theme.LIGHT.accent  # already 5.2:1
    for color in (theme.DARK.danger, theme.DARK.accent, *theme.DIFFICULTY_BY_PALETTE["dark"].values()):
        fill = theme.fill_for_white(color)
        assert fill != color and theme.contrast_ratio("#ffffff", fill) >= TEXT_AA
        assert theme.contrast_ratio("#ffffff", fill) < 6.5  # darkened just enough: still the same hue, not black


def white_on_fills(sheet: str) -> list[str]:
    return re.findall(r"background: (#[0-9a-fA-F]{6});[^}]*?[; ]color: white", sheet)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_white_text_on_call_screen_and_level_fills_reads(qtbot, scheme):
    with themed(scheme):
        fills = white_on_fills(call_style())
        assert len(fills) >= 4  # the end-call buttons, the send and jump buttons, the current stage chip
        options = CallOptionsPanel()
        qtbot.addWidget(options)
        for button in options.difficulty.buttons.values():
            fills += white_on_fills(button.styleSheet())
    assert len(fills) >= 9
    assert [f for f in fills if theme.contrast_ratio("#ffffff", f) < TEXT_AA] == []


def darkest_opaque(icon: QIcon) -> QColor:
    """The colour an icon is painted in: its fully opaque pixels (inside the shape, away from anti-aliased edges)."""
    image = icon.pixmap(QSize(48, 48)).toImage()
    opaque = [
        image.pixelColor(x, y) for y in range(image.height()) for x in range(image.width())
        if image.pixelColor(x, y).alpha() == 255
    ]  # fmt: skip
    assert opaque, "the icon painted nothing"
    return opaque[len(opaque) // 2]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_review_play_and_back_icons_as_painted_reach_3_to_1(qtbot, scheme):
    with themed(scheme) as palette:
        player = RecordingPlayer()
        screen = ReviewScreen()
        qtbot.addWidget(player)
        qtbot.addWidget(screen)
        painted = {
            "play": darkest_opaque(player.play_button.icon()),
            "pause": darkest_opaque(icons.icon("pause", PLAY_ICON_COLOR)),
            "back": darkest_opaque(screen.back_button.icon()),
            "delete": darkest_opaque(screen.delete_button.icon()),
        }
        for name, color in painted.items():
            ratio = theme.contrast_ratio(color.name(), palette.surface)
            assert ratio >= ICON_AA, f"{name} icon {color.name()} on {palette.surface}: {ratio:.2f}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_feedback_screens_button_icons_as_painted_reach_3_to_1(qtbot, scheme):
    with themed(scheme) as palette:
        screen = FeedbackScreen()
        qtbot.addWidget(screen)
        for button in (screen.replay_button, screen.debrief_button):
            color = darkest_opaque(button.icon())
            ratio = theme.contrast_ratio(color.name(), palette.surface)
            assert ratio >= ICON_AA, f"{button.text()} icon {color.name()} on {palette.surface}: {ratio:.2f}"


@pytest.fixture
def state(store, repo, queries):
    return app_state(store, repo, queries)


def test_dark_screenshots_of_history_review_dial_pad_and_settings(qtbot, state, repo, queries, tmp_path):
    rng = random.Random(3)
    now = datetime.now(timezone.utc)
    last = 0
    for index, difficulty in enumerate(["BEGINNER", "ROOKIE", "PRO", "ELITE", "NIGHTMARE"] * 2):
        call = load_fixture_call(rng.choice(FIXTURE_NAMES))
        wav = write_tone_wav(app_settings.recordings_dir() / f"call-{index}.wav", seconds=20.0, rate=8000)
        last = seed_call(repo, call.lines, persona=PERSONA, difficulty=difficulty, recording_path=str(wav),
                         started_at=now - timedelta(days=10 - index, hours=2))  # fmt: skip
        grade_session(repo, queries, last, rule_based_grade)
    with themed("dark"):
        history = HistoryView()
        qtbot.addWidget(history)
        history.resize(1200, 800)
        history.show()
        presenter = HistoryPresenter(state, history)
        with qtbot.waitSignals([presenter.listing_loaded, presenter.progress_loaded], timeout=10_000):
            presenter.refresh()
        assert history.model.total == 10
        grab(history, "history_dark", tmp_path)

        review = ReviewScreen()
        qtbot.addWidget(review)
        review.resize(1200, 800)
        review.show()
        opener = ReviewPresenter(state, review)
        with qtbot.waitSignal(opener.review_shown, timeout=5000):
            opener.open_session(last)
        assert review.player.play_button.isEnabled()
        grab(review, "review_dark", tmp_path)

        window = MainWindow()
        qtbot.addWidget(window)
        dialer = DialerPage()
        for name in ("contacts", "history", "settings"):
            window.add_page(name, QLabel(name))
        window.add_page("dialer", dialer)
        dialer.set_personas(load_builtin_personas())
        dialer.set_scenarios(load_scenarios())
        dialer.options.difficulty.set_value("ELITE")
        window.show_page("dialer")
        window.resize(1200, 780)
        window.show()
        dialer.set_number("5550103817")
        grab(window, "dialer_dark", tmp_path)

        settings = SettingsDialog()
        qtbot.addWidget(settings)
        settings_presenter = SettingsPresenter(state, settings.page)
        settings.resize(900, 1400)
        settings.show()
        with qtbot.waitSignal(settings_presenter.loaded, timeout=10_000):
            settings_presenter.load()
        grab(settings, "settings_dark", tmp_path)


def test_difficulty_colours_follow_a_theme_switch_while_the_app_runs(qtbot):
    options = CallOptionsPanel()
    qtbot.addWidget(options)
    elite = options.difficulty.buttons["ELITE"]
    light_sheet = elite.styleSheet()
    with themed("dark"):
        dark_sheet = elite.styleSheet()
        assert dark_sheet != light_sheet
        assert theme.fill_for_white(theme.DIFFICULTY_BY_PALETTE["dark"]["ELITE"]) in dark_sheet
