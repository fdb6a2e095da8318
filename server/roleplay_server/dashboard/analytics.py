"""A call's analytics beside the published targets (shared/reference/call-analytics.md), as rows for the page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetricRow:
    label: str
    value: str
    target: str
    status: str  # "good", "warn" or "" when there is no target to judge by


def _num(value, digits: int = 1) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return ""
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _judge(value, low: float | None, high: float | None) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return ""
    ok = (low is None or value >= low) and (high is None or value <= high)
    return "good" if ok else "warn"


def metric_rows(metrics: dict | None, mode: str) -> list[MetricRow]:
    """Timing metrics mean nothing in a typed call: they are left out, and the page says so."""
    m = metrics if isinstance(metrics, dict) else {}
    rows = []
    ratio = m.get("talk_ratio")
    if mode != "text" and isinstance(ratio, (int, float)):
        rows.append(MetricRow("Talk ratio", f"{ratio * 100:.0f} %", "40-60 %", _judge(ratio, 0.4, 0.6)))
    timing = [
        ("longest_monologue_s", "Longest monologue", " s", "under 45 s", None, 45),
        ("words_per_min", "Pace", " wpm", "130-170 wpm", 130, 170),
        ("fillers_per_min", "Fillers", " /min", "at most 2 /min", None, 2),
        ("patience_s", "Patience", " s", "about 1 s", 0.6, 2.0),
        ("switches_per_min", "Speaker switches", " /min", "more is better", None, None),
        ("interruptions", "Interruptions", "", "low", None, 2),
    ]
    if mode != "text":
        for key, label, unit, target, low, high in timing:
            if m.get(key) is not None and _num(m.get(key)):
                rows.append(MetricRow(label, _num(m[key]) + unit, target, _judge(m[key], low, high)))
    if _num(m.get("questions")):
        rows.append(MetricRow("Questions asked", _num(m["questions"]), "11-14", _judge(m["questions"], 11, 14)))
    raised = [str(o) for o in m.get("objections_raised") or [] if isinstance(o, str)]
    answered = {str(o) for o in m.get("objections_answered") or [] if isinstance(o, str)}
    if raised:
        done = sum(1 for o in raised if o in answered)
        rows.append(
            MetricRow(
                "Objections answered", f"{done} of {len(raised)}", "all", "good" if done == len(raised) else "warn"
            )
        )
    return rows
