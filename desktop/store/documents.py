"""A stored session as the sync contract's session document (`shared/reference/sync-api.md`), and as a Markdown
report in which everything that came from a persona, a speaker or a model is escaped to literal characters."""

from __future__ import annotations

from desktop.core.clock import format_clock, to_rfc3339_seconds
from desktop.core.results import HEURISTIC_GRADER
from desktop.core.transcript import MAX_LINE_CHARS
from desktop.core.untrusted.display import escape_markdown as md
from desktop.store.records import SessionRecord

PERSONA_CONTRACT_FIELDS = (
    "id",
    "name",
    "property_type",
    "location",
    "motivation_level",
    "conversation_style",
    "objection_patterns",
)


def session_document(record: SessionRecord, device_id: str, *, include_local_id: bool = False) -> dict:
    summary = record.summary
    grade = None
    if record.grade is not None:
        g = record.grade
        grade = {
            "rapport": g.rapport,
            "discovery": g.discovery,
            "objection_handling": g.objection_handling,
            "closing": g.closing,
            "overall": g.overall,
            "strengths": list(g.strengths),
            "improvements": list(g.improvements),
            "recommendations": list(g.recommendations),
            "grader": g.grader,
            "graded_at": to_rfc3339_seconds(record.graded_at),
        }
    document: dict = {}
    if include_local_id:
        document["id"] = summary.id
    document.update(
        {
            "client_session_id": summary.client_session_id,
            "revision": summary.revision,
            "device_id": device_id,
            "mode": summary.mode,
            "practice_mode": record.practice_mode,
            "persona": {key: record.persona.get(key) for key in PERSONA_CONTRACT_FIELDS if key in record.persona},
            "scenario": {
                "id": record.scenario.get("id", summary.scenario_id),
                "title": record.scenario.get("title", ""),
                "difficulty": summary.difficulty,
            },
            "agent_id": record.agent_id,
            "conversation_id": record.conversation_id,
            "started_at": _timestamp(summary.started_at),
            "ended_at": _timestamp(record.ended_at),
            "duration_seconds": int(round(summary.duration_seconds)) if summary.duration_seconds is not None else None,
            "status": summary.status,
            "end_reason": summary.end_reason,
            "transcript": _transcript(record),
            "metrics": record.metrics.to_dict() if record.metrics else None,
            "grade": grade,
            "virtual_earnings": record.grade.virtual_earnings if record.grade else 0,
            "xp_earned": record.grade.xp_earned if record.grade else 0,
        }
    )
    return document


def _transcript(record: SessionRecord) -> list[dict]:
    """Each line as it reads now; a line the trainee corrected after the call also carries what the recogniser first
    heard, so the team's coach sees that a graded line was rewritten (and from what)."""
    lines = []
    for line in record.lines:
        item = line.to_dict()
        heard = record.heard_texts.get(line.seq)
        if heard is not None:
            # The call keeps no longer line, and the contract refuses one: a longer one would block the push forever.
            item["heard_text"] = heard[:MAX_LINE_CHARS]
        lines.append(item)
    return lines


def session_markdown(record: SessionRecord) -> str:
    """A readable report of one call: who, how it went, the grade and feedback, analytics, transcript."""
    summary = record.summary
    persona = record.persona
    out = [
        f"# Call with {md(summary.persona_name)} (session {summary.id})",
        "",
        f"- **Persona:** {md(str(persona.get('name', summary.persona_name)))}, "
        f"{md(str(persona.get('property_type', '')))}, {md(str(persona.get('location', '')))}".rstrip(", "),
        f"- **Scenario:** {md(str(record.scenario.get('title', summary.scenario_id)))} ({summary.difficulty}, "
        f"{'practice' if record.practice_mode else 'exam'} mode, {summary.mode})",
        f"- **Started:** {md(str(_timestamp(summary.started_at)))}",
        f"- **Length:** {int(summary.duration_seconds or 0) // 60} min {int(summary.duration_seconds or 0) % 60} s",
        f"- **Status:** {summary.status}" + (f" ({summary.end_reason})" if summary.end_reason else ""),
    ]
    if record.error_message:
        out.append(f"- **Problem:** {md(record.error_message)}")
    out.append("")
    grade = record.grade
    if grade is None:
        out += ["## Grade", "", "Grading is pending." if summary.needs_grading else "Not graded.", ""]
    else:
        out += [
            f"## Grade: {grade.overall}/100",
            "",
            "| rapport | discovery | objection handling | closing |",
            "|---|---|---|---|",
            f"| {grade.rapport} | {grade.discovery} | {grade.objection_handling} | {grade.closing} |",
            "",
            f"Graded by {_grader_words(grade.grader)}" + (f" ({md(grade.note)})" if grade.note else "") + ".",
            f"Virtual earnings: ${grade.virtual_earnings:,}. XP: {grade.xp_earned}.",
            "",
        ]
        for title, items in (
            ("Strengths", grade.strengths),
            ("Improvements", grade.improvements),
            ("Recommendations", grade.recommendations),
        ):
            if items:
                out += [f"### {title}", "", *[f"- {md(item)}" for item in items], ""]
    if record.metrics is not None:
        out += ["## Call analytics", ""]
        for key, value in record.metrics.to_dict().items():
            if value is None or value == []:
                continue
            shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            out.append(f"- {key.replace('_', ' ')}: {md(shown)}")
        out.append("")
    out += ["## Transcript", ""]
    if not record.lines:
        out.append("(no lines were recorded)")
    for line in record.lines:
        mark = " *(interrupted)*" if line.interrupted else ""
        heard = record.heard_texts.get(line.seq)
        # A corrected line keeps what the recogniser heard beside it: the report shows what the grade read and why.
        if heard is not None:
            mark += f" *(corrected; heard as: {md(heard)})*"
        out.append(f"**[{format_clock(line.offset_ms / 1000)}] {line.speaker.value}:** {md(line.text)}{mark}  ")
    if record.heard_texts:
        out += ["", f"Graded on the corrected words ({_lines(len(record.heard_texts))} corrected after the call)."]
    return "\n".join(out).rstrip() + "\n"


def _lines(count: int) -> str:
    return "1 line" if count == 1 else f"{count} lines"


def _timestamp(text: str | None) -> str | None:
    """The contract's form of a stored time; a time that does not parse (a bad row) is shown as it is stored."""
    try:
        return to_rfc3339_seconds(text)
    except (ValueError, TypeError):
        return text


def _grader_words(grader: str) -> str:
    """Who graded the call, in plain words: the rules are "the built-in rules", a model is named as it is."""
    return "the built-in rules" if grader == HEURISTIC_GRADER else md(grader)
