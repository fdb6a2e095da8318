"""SessionRepository: the only code that writes sessions, transcript lines, grades and user personas.

Every public method runs as one transaction on the database writer thread, so no partial session ever exists and
writes land in the order they were made. The methods block until the write is durable: call them from worker
threads; GUI code hands them to `repository.submit` and keeps the Future.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from desktop.core.clock import parse_iso, to_iso, utc_now
from desktop.core.results import CallMetrics, Grade
from desktop.core.transcript import TranscriptLine
from desktop.core.vocabulary import END_REASONS, ENDED_STATUSES, GRADED_KINDS, KINDS, MODES, EndReason, Status
from desktop.secret_shapes import key_pasted_as_id_message, looks_like_key
from desktop.store.db import Store
from desktop.store.line_corrections import apply_correction, checked_correction
from desktop.store.models import GradeRow, LineRow, SessionRow, UserPersonaRow
from desktop.store.owner_lock import owner_is_running, remove_stale_locks
from desktop.store.processes import process_is_alive

T = TypeVar("T")


class SessionNotFound(LookupError):
    def __init__(self, session_id: int) -> None:
        super().__init__(f"no session with id {session_id}")
        self.session_id = session_id


class SessionNotActive(RuntimeError):
    pass


@dataclass(frozen=True)
class StartedSession:
    id: int
    client_session_id: str
    started_at: str


class SessionRepository:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._writer = store.writer
        self._db = store.db
        self._pid = os.getpid()
        self._host = socket.gethostname()

    def submit(self, job: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        """Runs any repository method on the writer thread without waiting (for the GUI)."""
        return self._writer.submit(job, *args, **kwargs)

    def _write(self, job: Callable[[], T]) -> T:
        def transaction() -> T:
            with self._db.atomic():
                return job()

        return self._writer.run(transaction)

    # -- a call, start to end -------------------------------------------------------------------------------

    def start_session(
        self,
        *,
        persona_snapshot: dict,
        scenario_snapshot: dict,
        difficulty: str,
        mode: str = "voice",
        kind: str = "roleplay",
        practice_mode: bool = True,
        trainee_name: str = "",
        agent_id: str = "",
        client_session_id: str | None = None,
        started_at: str | None = None,
    ) -> StartedSession:
        """Creates the session row, with what the persona and scenario were at this moment."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        for key in ("id", "name"):
            if not persona_snapshot.get(key):
                raise ValueError(f"the persona snapshot needs a {key!r}")
        if not scenario_snapshot.get("id"):
            raise ValueError("the scenario snapshot needs an 'id'")
        _refuse_a_key_as_agent_id(agent_id)
        session_uuid = client_session_id or str(uuid.uuid4())
        started = started_at or to_iso(utc_now())

        def job() -> StartedSession:
            row = SessionRow.create(
                client_session_id=session_uuid,
                kind=kind,
                mode=mode,
                status=Status.ACTIVE,
                persona_id=persona_snapshot["id"],
                persona_name=persona_snapshot["name"],
                persona_snapshot=json.dumps(persona_snapshot),
                scenario_id=scenario_snapshot["id"],
                scenario_snapshot=json.dumps({**scenario_snapshot, "difficulty": difficulty}),
                difficulty=difficulty,
                practice_mode=practice_mode,
                trainee_name=trainee_name,
                agent_id=agent_id,
                started_at=started,
                owner_pid=self._pid,
                owner_host=self._host,
                owner_lock=self._store.owner_lock.token(),
                last_write_at=started,
            )
            return StartedSession(row.id, session_uuid, started)

        return self._write(job)

    def set_conversation(self, session_id: int, *, conversation_id: str, agent_id: str | None = None) -> None:
        _refuse_a_key_as_agent_id(agent_id or "")

        def job() -> None:
            row = self._active(session_id)
            row.conversation_id = conversation_id
            if agent_id is not None:
                row.agent_id = agent_id
            row.last_write_at = to_iso(utc_now())
            row.save()

        self._write(job)

    def set_recording_path(self, session_id: int, path: str) -> None:
        """Noted as soon as the recording starts, so a call cut short by a crash still finds its audio."""

        def job() -> None:
            row = self._active(session_id)
            row.recording_path = path
            row.save()

        self._write(job)

    def set_parent_session(self, session_id: int, parent_session_id: int) -> None:
        """Links a coach debrief to the call it reviews. SessionNotFound when either session does not exist."""
        if session_id == parent_session_id:
            raise ValueError("a session cannot review itself")

        def job() -> None:
            row = self._get(session_id)
            self._get(parent_session_id)
            row.parent_session_id = parent_session_id
            row.save()
            self._bump_if_ended(session_id)

        self._write(job)

    def append_line(self, session_id: int, line: TranscriptLine) -> None:
        """Commits one final transcript line; when this returns, the line survives a crash."""
        if not line.text.strip():
            raise ValueError("a transcript line needs text")

        def job() -> None:
            self._active(session_id)
            SessionRow.update(last_write_at=to_iso(utc_now())).where(SessionRow.id == session_id).execute()
            LineRow.insert(
                session=session_id,
                seq=line.seq,
                speaker=line.speaker.value,
                text=line.text,
                offset_ms=line.offset_ms,
                duration_ms=line.duration_ms,
                interrupted=line.interrupted,
            ).execute()

        self._write(job)

    def replace_line_text(self, session_id: int, seq: int, text: str, *, interrupted: bool | None = None) -> None:
        """An agent correction: the line becomes what the trainee actually heard."""

        def job() -> None:
            updates: dict = {LineRow.text: text}
            if interrupted is not None:
                updates[LineRow.interrupted] = interrupted
            changed = LineRow.update(updates).where((LineRow.session == session_id) & (LineRow.seq == seq)).execute()
            if not changed:
                raise LookupError(f"session {session_id} has no line {seq}")
            self._bump_if_ended(session_id)

        self._write(job)

    def correct_line(self, session_id: int, seq: int, text: str) -> bool:
        """The trainee fixes a line of theirs the recogniser misheard, after the call (see `line_corrections`):
        the words first heard are kept, the call is measured and queued for grading again, and a new revision is
        pushed by sync. False when the text is what the line says already. ValueError (with words for the user)
        for empty or overlong text, a line that is not the trainee's, or a typed call; LookupError for no line."""
        corrected = checked_correction(text)
        return self._write(lambda: apply_correction(session_id, seq, corrected))

    def set_line_timings(self, session_id: int, timings: dict[int, tuple[int, int]]) -> None:
        """Measured (offset_ms, duration_ms) per seq, written at the end of a voice call in one transaction."""

        def job() -> None:
            for seq, (offset_ms, duration_ms) in timings.items():
                LineRow.update({LineRow.offset_ms: int(offset_ms), LineRow.duration_ms: int(duration_ms)}).where(
                    (LineRow.session == session_id) & (LineRow.seq == seq)
                ).execute()

        if timings:
            self._write(job)

    def end_session(
        self,
        session_id: int,
        *,
        end_reason: str,
        status: str = Status.COMPLETED,
        metrics: CallMetrics | None = None,
        error_message: str = "",
        ended_at: str | None = None,
        recording_path: str = "",
    ) -> None:
        """Closes an active session and queues it for grading (unless it never connected)."""
        if end_reason not in END_REASONS:
            raise ValueError(f"end_reason must be one of {END_REASONS}, got {end_reason!r}")
        if status not in ENDED_STATUSES:
            raise ValueError(f"status must be one of {ENDED_STATUSES}, got {status!r}")

        def job() -> None:
            row = self._active(session_id)
            row.ended_at = ended_at or to_iso(utc_now())
            row.duration_seconds = max(0.0, (parse_iso(row.ended_at) - parse_iso(row.started_at)).total_seconds())
            row.status = status
            row.end_reason = end_reason
            row.error_message = error_message
            row.metrics = json.dumps(metrics.to_dict()) if metrics else None
            row.recording_path = recording_path or row.recording_path
            # A call that never connected has nothing to grade.
            row.needs_grading = status != "failed" and row.kind in GRADED_KINDS
            row.owner_pid = None
            row.revision += 1
            row.save()

        self._write(job)

    def save_metrics(self, session_id: int, metrics: CallMetrics) -> None:
        def job() -> None:
            row = self._get(session_id)
            row.metrics = json.dumps(metrics.to_dict())
            row.revision += 1
            row.save()

        self._write(job)

    def save_grade(self, session_id: int, grade: Grade, *, graded_at: str | None = None) -> None:
        """Stores a grade (the newest one is the session's grade) and takes the session off the grading queue."""

        def job() -> None:
            row = self._get(session_id)
            if row.status == Status.ACTIVE:
                raise SessionNotActive(f"session {session_id} is still in progress; grade it after it ends")
            feedback = {
                "strengths": list(grade.strengths),
                "improvements": list(grade.improvements),
                "recommendations": list(grade.recommendations),
            }
            GradeRow.create(
                session=session_id,
                grader=grade.grader,
                rapport=grade.rapport,
                discovery=grade.discovery,
                objection_handling=grade.objection_handling,
                closing=grade.closing,
                overall=grade.overall,
                feedback=json.dumps(feedback),
                virtual_earnings=grade.virtual_earnings,
                xp_earned=grade.xp_earned,
                note=grade.note,
                graded_at=graded_at or to_iso(utc_now()),
            )
            row.needs_grading = False
            row.revision += 1
            row.save()

        self._write(job)

    def delete_session(self, session_id: int) -> None:
        def job() -> None:
            if not SessionRow.delete().where(SessionRow.id == session_id).execute():
                raise SessionNotFound(session_id)

        self._write(job)

    # -- crash recovery -------------------------------------------------------------------------------------

    def recover_orphaned_sessions(self, is_alive: Callable[[SessionRow], bool] | None = None) -> list[int]:
        """Sessions left `active` by a process that is gone become `interrupted`, keep their lines, and are
        queued for grading. Returns their ids. `is_alive(row)`: whether the row's owner still runs (a test seam;
        by default its OS lock, see owner_lock.py)."""
        owner_alive = is_alive or self._owner_is_running
        dead_owners: set[str] = set()

        def job() -> list[int]:
            recovered = []
            for row in SessionRow.select().where(SessionRow.status == Status.ACTIVE):
                # A session owned on another machine (a copied database) cannot still be running: recover it.
                if row.owner_host == self._host and owner_alive(row):
                    continue
                last = (
                    LineRow.select(LineRow.offset_ms, LineRow.duration_ms)
                    .where(LineRow.session == row.id)
                    .order_by((LineRow.offset_ms + LineRow.duration_ms).desc())
                    .first()
                )
                length_s = _recovered_length(row, last)
                row.status = Status.INTERRUPTED
                row.end_reason = EndReason.APP_EXIT.value
                row.duration_seconds = length_s
                row.ended_at = to_iso(parse_iso(row.started_at) + timedelta(seconds=length_s))
                row.needs_grading = last is not None and row.kind in GRADED_KINDS
                row.owner_pid = None
                row.revision += 1
                row.save()
                recovered.append(row.id)
                dead_owners.add(row.owner_lock)
            return recovered

        recovered = self._write(job)
        remove_stale_locks(self._store.locks_dir, dead_tokens=dead_owners)
        return recovered

    def _owner_is_running(self, row: SessionRow) -> bool:
        if row.owner_lock:
            return owner_is_running(self._store.locks_dir, row.owner_lock)
        # A row written before owner locks existed: only its process id is known.
        return row.owner_pid is not None and (row.owner_pid == self._pid or process_is_alive(row.owner_pid))

    # -- user-made personas -----------------------------------------------------------------------------------

    def save_user_persona(self, persona_id: str, data: dict) -> None:
        now = to_iso(utc_now())

        def job() -> None:
            updated = (
                UserPersonaRow.update(data=json.dumps(data), updated_at=now)
                .where(UserPersonaRow.id == persona_id)
                .execute()
            )
            if not updated:
                UserPersonaRow.create(id=persona_id, data=json.dumps(data), created_at=now, updated_at=now)

        self._write(job)

    def delete_user_persona(self, persona_id: str) -> bool:
        return self._write(lambda: UserPersonaRow.delete().where(UserPersonaRow.id == persona_id).execute() > 0)

    # -- helpers (run on the writer thread) ---------------------------------------------------------------------

    @staticmethod
    def _get(session_id: int) -> SessionRow:
        row = SessionRow.get_or_none(SessionRow.id == session_id)
        if row is None:
            raise SessionNotFound(session_id)
        return row

    def _active(self, session_id: int) -> SessionRow:
        row = self._get(session_id)
        if row.status != Status.ACTIVE:
            raise SessionNotActive(f"session {session_id} has ended ({row.status}); it takes no more lines")
        return row

    def _bump_if_ended(self, session_id: int) -> None:
        SessionRow.update(revision=SessionRow.revision + 1).where(
            (SessionRow.id == session_id) & (SessionRow.status != Status.ACTIVE)
        ).execute()


def _recovered_length(row: SessionRow, last_line: LineRow | None) -> float:
    """How long a crashed call ran: until its last write. Line offsets are no measure: in a typed call they are
    estimated speaking times (a 3 s call summed to 14 s). Rows from before `last_write_at` keep the old estimate."""
    if row.last_write_at:
        return max(0.0, (parse_iso(row.last_write_at) - parse_iso(row.started_at)).total_seconds())
    return (last_line.offset_ms + last_line.duration_ms) / 1000 if last_line else 0.0


def _refuse_a_key_as_agent_id(agent_id: str) -> None:
    """The agent id is stored with the call and pushed to the team backend: a key pasted there must not be."""
    if agent_id and looks_like_key(agent_id):
        raise ValueError(key_pasted_as_id_message("agent id"))
