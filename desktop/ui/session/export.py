"""Exports one stored call to Markdown, JSON (the sync contract's session document) or PDF.

Runs on a worker thread: QTextDocument and QPdfWriter paint without widgets, so no GUI-thread object is touched.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from PySide6.QtCore import QLocale, QMarginsF, QUrl
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from desktop.store.documents import session_document, session_markdown
from desktop.store.records import SessionRecord

# Where US Letter is the ordinary office paper; everywhere else uses A4.
_LETTER_TERRITORIES = frozenset(
    getattr(QLocale.Country, name)
    for name in (
        "UnitedStates",
        "Canada",
        "Mexico",
        "Philippines",
        "Chile",
        "Colombia",
        "Venezuela",
        "Guatemala",
        "CostaRica",
        "Panama",
        "PuertoRico",
        "DominicanRepublic",
        "ElSalvador",
        "Nicaragua",
        "Belize",
        "UnitedStatesOutlyingIslands",
        "UnitedStatesVirginIslands",
        "Guam",
        "AmericanSamoa",
    )
)

FORMATS = {"md": "Markdown (*.md)", "json": "JSON (*.json)", "pdf": "PDF (*.pdf)"}


def suggested_filename(record: SessionRecord, fmt: str) -> str:
    """e.g. call-42-walter-briggs-2025-03-14.md"""
    slug = re.sub(r"[^a-z0-9]+", "-", record.summary.persona_name.lower()).strip("-") or "seller"
    return f"call-{record.id}-{slug}-{record.summary.started_at[:10]}.{fmt}"


def export_session(record: SessionRecord, fmt: str, path: Path | str, device_id: str = "") -> Path:
    """Writes the call to `path` in `fmt` ("md", "json" or "pdf") and returns the path written."""
    target = Path(path)
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if target.suffix.lower() != f".{fmt}":
        target = target.with_name(target.name + f".{fmt}")
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "md":
        target.write_text(session_markdown(record), encoding="utf-8")
    elif fmt == "json":
        document = session_document(record, device_id, include_local_id=True)
        target.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        write_pdf(session_markdown(record), target, title=f"Call with {record.summary.persona_name}")
    return target


class _NoResources(QTextDocument):
    """A document that loads nothing: an image or a style sheet named in the text is never read from disk."""

    def loadResource(self, kind: int, name: QUrl) -> object:  # noqa: N802 (Qt's name)
        return None


def locale_page_size(locale: QLocale | None = None) -> QPageSize:
    """The paper of the user's locale (QLocale() unless given): Letter in the US and the Americas that use it,
    A4 elsewhere."""
    locale = QLocale() if locale is None else locale
    letter = (
        locale.territory() in _LETTER_TERRITORIES
        or locale.measurementSystem() == QLocale.MeasurementSystem.ImperialUSSystem
    )
    return QPageSize(QPageSize.PageSizeId.Letter if letter else QPageSize.PageSizeId.A4)


def write_pdf(markdown: str, target: Path, title: str = "Call") -> None:
    """The report as a PDF. The Markdown is escaped already; HTML is switched off and no resource is loaded all the
    same, so a line like `![x](/local.png)` can never pull a local file into the PDF."""
    document = _NoResources()
    features = QTextDocument.MarkdownFeature.MarkdownDialectGitHub | QTextDocument.MarkdownFeature.MarkdownNoHTML
    document.setMarkdown(markdown, features)
    writer = QPdfWriter(str(target))
    writer.setTitle(title)
    writer.setCreator("Roleplay Trainer")
    writer.setPageLayout(QPageLayout(locale_page_size(), QPageLayout.Orientation.Portrait, QMarginsF(18, 18, 18, 18)))
    document.print_(writer)
    if not target.exists() or target.stat().st_size == 0:
        raise OSError(f"the PDF writer produced nothing at {target}")
