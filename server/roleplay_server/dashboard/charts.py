"""Server-drawn SVG charts: numbers in, coordinates out; the template draws them (so every label is escaped)."""

from __future__ import annotations

from dataclasses import dataclass

SERIES = [
    ("overall", "Overall"),
    ("rapport", "Rapport"),
    ("discovery", "Discovery"),
    ("objection_handling", "Objections"),
    ("closing", "Closing"),
]
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 12, 28


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    points: str  # "x,y x,y ..." for a <polyline>
    last: tuple[float, float] | None


def progress_chart(sessions: list) -> dict:
    """Scores of graded calls in the order they were made, 0-100 on the vertical axis."""
    graded = [s for s in sessions if s.overall is not None]
    count = len(graded)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(index: int) -> float:
        return LEFT + (inner_w * index / (count - 1) if count > 1 else inner_w / 2)

    def y(score: float) -> float:
        return TOP + inner_h * (1 - score / 100)

    lines = []
    for key, label in SERIES:
        coords = [(round(x(i), 1), round(y(getattr(s, key) or 0), 1)) for i, s in enumerate(graded)]
        points = " ".join(f"{cx},{cy}" for cx, cy in coords)
        lines.append(Line(key, label, points, coords[-1] if coords else None))
    grid = [{"y": round(y(v), 1), "label": v} for v in (0, 25, 50, 75, 100)]
    ticks = []
    if count:
        step = max(1, count // 6)
        for i in range(0, count, step):
            ticks.append({"x": round(x(i), 1), "label": graded[i].started_at.strftime("%b %d")})
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "lines": lines,
        "grid": grid,
        "ticks": ticks,
        "count": count,
        "dots": count <= 40,
        "single": count == 1,
    }
