"""Issue 15, item 9: the PDF export uses the paper size of the user's locale (Letter in the US, A4 elsewhere)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtGui import QPageSize

from desktop.ui.session.export import locale_page_size, write_pdf


def _media_box(pdf: bytes) -> tuple[float, float]:
    match = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert match, "the PDF names no page size"
    return float(match.group(1)), float(match.group(2))


@pytest.mark.parametrize(
    ("language", "territory", "expected"),
    [
        (QLocale.Language.English, QLocale.Country.UnitedStates, QPageSize.PageSizeId.Letter),
        (QLocale.Language.English, QLocale.Country.Canada, QPageSize.PageSizeId.Letter),
        (QLocale.Language.German, QLocale.Country.Germany, QPageSize.PageSizeId.A4),
        (QLocale.Language.English, QLocale.Country.UnitedKingdom, QPageSize.PageSizeId.A4),
    ],
)
def test_the_page_size_follows_the_locale(language, territory, expected) -> None:
    assert locale_page_size(QLocale(language, territory)).id() == expected


@pytest.mark.parametrize(
    ("territory", "points"),
    [(QLocale.Country.UnitedStates, (612, 792)), (QLocale.Country.France, (595, 842))],
)
def test_the_pdf_is_written_on_the_locales_paper(qapp, tmp_path, territory, points) -> None:
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, territory))
    try:
        target = tmp_path / "call.pdf"
        write_pdf("# Call\n\nHello.", target)
    finally:
        QLocale.setDefault(before)
    width, height = _media_box(target.read_bytes())
    assert (round(width), round(height)) == points
