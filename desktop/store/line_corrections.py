"""Correcting what the recogniser heard: after a spoken call the trainee may fix a line of theirs that was misheard
("Is now a good time?" stored as "It's now and on time."), so the call is graded on what they said. The words first
heard are never lost: they stay in `heard_text` until the line reads as heard again.

`apply_correction` runs inside a repository transaction on the writer thread (`SessionRepository.correct_line`).
"""

from __future__ import annotations

import json

from desktop.core.metrics import compute_metrics
from desktop.core.results import CallMetrics
from desktop.core.transcript import MAX_LINE_CHARS, Speaker, TranscriptLine, why_line_stays_as_heard
from desktop.core.vocabulary import GRADED_KINDS, Status
from desktop.store.models import LineRow, SessionRow

_SPEAKERS = {speaker.value: speaker for speaker in Speaker}


def checked_correction(text: str) -> str:
    """The corrected words as they will be stored (trimmed); ValueError, in the user's words, when they cannot be."""
    corrected = text.strip()
    if not corrected:
        raise ValueError("The corrected line is empty. Type what you said, or cancel to keep the line as heard.")
    if len(corrected) > MAX_LINE_CHARS:
        raise ValueError(
            f"The corrected line is too long: {len(corrected)} characters, and a line holds at most {MAX_LINE_CHARS}."
        )
    return corrected


def apply_correction(session_id: int, seq: int, corrected: str) -> bool:
    """Writes one correction (inside the caller's transaction); False when the line says that already."""
    session = SessionRow.get_or_none(SessionRow.id == session_id)
    if session is None:
        raise LookupError(f"no session with id {session_id}")
    line = LineRow.get_or_none((LineRow.session == session_id) & (LineRow.seq == seq))
    if line is None:
        raise LookupError(f"session {session_id} has no line {seq}")
    refusal = why_line_stays_as_heard(
        mode=session.mode,
        active=session.status == Status.ACTIVE,
        practice=session.practice_mode,
        line=TranscriptLine(
            seq, _SPEAKERS.get(line.speaker, Speaker.SELLER), line.text, line.offset_ms, line.duration_ms
        ),
    )
    if refusal:
        raise ValueError(refusal)
    if corrected == line.text:
        return False
    # The first heard words survive any number of corrections; back to exactly them, the line is as heard again.
    heard = line.text if line.heard_text is None else line.heard_text
    # The full-text index follows `text` through the update trigger of migration 2.
    LineRow.update(text=corrected, heard_text=None if corrected == heard else heard).where(
        LineRow.id == line.id
    ).execute()
    if session.metrics is not None:
        session.metrics = json.dumps(_measure_again(session).to_dict())
    # The grading queue's durable flag: a crash before the new grade still regrades at the next start.
    session.needs_grading = session.kind in GRADED_KINDS
    session.revision += 1  # a new revision: sync pushes the corrected text
    session.save()
    return True


def _measure_again(session: SessionRow) -> CallMetrics:
    """The call's analytics on its lines as stored now, measured the way the end of the call measured them."""
    rows = LineRow.select().where(LineRow.session == session.id).order_by(LineRow.seq)
    lines = [
        TranscriptLine(
            r.seq, _SPEAKERS.get(r.speaker, Speaker.SELLER), r.text, r.offset_ms, r.duration_ms, r.interrupted
        )
        for r in rows
    ]
    try:
        persona = json.loads(session.persona_snapshot)
    except ValueError:
        persona = {}
    patterns = persona.get("objection_patterns") if isinstance(persona, dict) else None
    return compute_metrics(
        lines,
        objection_patterns=tuple(patterns or ()),
        voice=session.mode == "voice",
        call_length_s=session.duration_seconds,
    )
