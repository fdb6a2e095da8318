"""A call as Markdown or JSON, for the coach to keep or share."""

from __future__ import annotations

import json

from roleplay_server.team.models import TrainingSession


def is_corrected(line: object) -> bool:
    """A line the trainee rewrote after the call carries what the recogniser first heard."""
    return isinstance(line, dict) and isinstance(line.get("heard_text"), str) and line["heard_text"] != ""


def graded_by(grade: dict | None) -> str:
    """Who graded the call, in plain words: the app's rule grader ("heuristic" in the contract) is "the built-in
    rules"; a model is named as the app named it."""
    grader = str((grade or {}).get("grader") or "")
    return "the built-in rules" if grader in ("", "heuristic") else grader


def corrected_count(transcript: object) -> int:
    return sum(1 for line in transcript if is_corrected(line)) if isinstance(transcript, list) else 0


def corrected_note(count: int) -> str:
    """Said above the grade of a call with corrected lines, on the page and in the export; "" when none."""
    if not count:
        return ""
    lines = "1 line" if count == 1 else f"{count} lines"
    return f"{lines} corrected by the trainee after the call; the grade is on the corrected words."


def as_json(row: TrainingSession) -> str:
    return json.dumps({**row.document, "id": row.pk, "member": row.member.user.email}, indent=2, ensure_ascii=False)


def _md(text: object) -> str:
    # A transcript line is text, not markup: neutralise what Markdown would turn into links, headings or HTML.
    value = str(text).replace("\r", " ").replace("\n", " ")
    for char in "\\`*_[]<>#|":
        value = value.replace(char, "\\" + char)
    return value


def as_markdown(row: TrainingSession) -> str:
    doc = row.document
    persona, scenario, grade = doc.get("persona") or {}, doc.get("scenario") or {}, doc.get("grade")
    lines = [
        f"# Call with {_md(persona.get('name', ''))}",
        "",
        f"- Trainee: {_md(row.member.name)}",
        f"- Scenario: {_md(scenario.get('title', ''))} ({_md(scenario.get('difficulty', ''))})",
        f"- Mode: {_md(doc.get('mode', ''))}, status {_md(doc.get('status', ''))},"
        f" ended by {_md(doc.get('end_reason') or 'unknown')}",
        f"- Started: {_md(doc.get('started_at', ''))}, duration {_md(doc.get('duration_seconds') or 0)} s",
        "",
    ]
    transcript = doc.get("transcript") or []
    note = corrected_note(corrected_count(transcript))
    if note:
        # Said up front: the grade below was given on the corrected words, not on what was heard during the call.
        lines += [f"**{note}**", ""]
    if grade:
        lines += ["## Grade", "", f"Graded by {_md(graded_by(grade))}.", ""]
        lines += [
            f"- {label}: {_md(grade.get(key))}"
            for key, label in [
                ("overall", "Overall"),
                ("rapport", "Rapport"),
                ("discovery", "Discovery"),
                ("objection_handling", "Objection handling"),
                ("closing", "Closing"),
            ]
        ]
        for key, title in [("strengths", "Strengths"), ("improvements", "Improvements"), ("recommendations", "Next")]:
            lines += ["", f"### {title}", ""] + [f"- {_md(item)}" for item in grade.get(key) or []]
        lines.append("")
    lines += ["## Transcript", ""]
    for line in transcript:
        lines.append(f"**{_md(line.get('speaker', ''))}:** {_md(line.get('text', ''))}  ")
        if is_corrected(line):
            lines.append(f"_(corrected by the trainee; heard as: {_md(line['heard_text'])})_  ")
    return "\n".join(lines) + "\n"
