"""Exports of a call whose transcript and persona hold markup (issue 14, item 14): the Markdown shows the characters
and carries no live HTML, image or `javascript:` link; the PDF embeds no image, whatever a line points at."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtGui import QColor, QImage

from desktop.core.transcript import Speaker, TranscriptLine
from desktop.ui.session.export import export_session
from tests.conftest import PERSONA, SCENARIO


def _hostile_call(repo, queries, image: Path):
    persona = {**PERSONA, "name": 'Walter <img src="x.png"> Briggs', "location": "[home](javascript:alert(1))"}
    started = repo.start_session(persona_snapshot=persona, scenario_snapshot=SCENARIO, difficulty="PRO")
    lines = [
        (Speaker.SELLER, f"Look at my land: ![x]({image.as_posix()})"),
        (Speaker.TRAINEE, f'<img src="file://{image.as_posix()}"> <script>alert(1)</script>'),
        (Speaker.SELLER, "[click here](javascript:alert(document.cookie)) **not bold** # not a heading"),
    ]
    for seq, (speaker, text) in enumerate(lines, start=1):
        repo.append_line(started.id, TranscriptLine(seq, speaker, text, seq * 1000, 800))
    repo.end_session(started.id, end_reason="user_hangup")
    return queries.get_session(started.id)


def _local_image(tmp_path: Path) -> Path:
    path = tmp_path / "local.png"
    image = QImage(400, 400, QImage.Format.Format_RGB32)
    for y in range(400):
        for x in range(400):
            image.setPixelColor(x, y, QColor((x * 7) % 256, (y * 13) % 256, (x * y) % 256))
    assert image.save(str(path))
    return path


def test_the_markdown_export_escapes_markup(qapp, repo, queries, tmp_path) -> None:
    record = _hostile_call(repo, queries, _local_image(tmp_path))
    text = export_session(record, "md", tmp_path / "call.md").read_text(encoding="utf-8")
    assert "<img" not in text and "<script" not in text
    assert not re.search(r"\]\((?:javascript:|/|file:)", text), "a live link or image survived"
    assert "![x](" not in text


def test_the_pdf_embeds_no_image_from_a_line(qapp, repo, queries, tmp_path) -> None:
    record = _hostile_call(repo, queries, _local_image(tmp_path))
    pdf = export_session(record, "pdf", tmp_path / "call.pdf").read_bytes()
    assert b"/Subtype /Image" not in pdf and b"/Subtype/Image" not in pdf


def test_a_rules_grade_is_exported_in_plain_words(qapp, repo, queries, tmp_path) -> None:
    """Issue 15, item 4: "Graded by the built-in rules", never the internal name "heuristic"."""
    from desktop.core.results import HEURISTIC_GRADER, Grade
    from desktop.store.documents import session_markdown

    started = repo.start_session(persona_snapshot=PERSONA, scenario_snapshot=SCENARIO, difficulty="PRO")
    repo.append_line(started.id, TranscriptLine(1, Speaker.TRAINEE, "Hi, this is Sam.", 0, 900))
    repo.end_session(started.id, end_reason="user_hangup")
    repo.save_grade(started.id, Grade(50, 40, 60, 20, grader=HEURISTIC_GRADER))
    text = session_markdown(queries.get_session(started.id))
    assert "Graded by the built-in rules." in text
    assert "heuristic" not in text.lower()
