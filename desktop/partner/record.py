"""What a practice partner call is set to do (`PartnerOptions`) and what happened on it (`ConversationRecord`, read
through `PracticePartner.conversations()` by tests, benchmarks and diagnosis)."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_RECORD_LINES = 400  # a call left running keeps only its recent lines and timings


@dataclass(frozen=True)
class PartnerOptions:
    reply_delay: float = 0.35  # a human-like pause before each answer; tests use 0
    ping_interval: float = 5.0
    max_missed_pongs: int = 4  # consecutive ping intervals without a pong before the call is dropped; 0: never
    first_frame_timeout: float = 10.0
    audio_chunk_ms: int = 100
    audio_lead_s: float = 0.5  # how far audio is sent ahead of real time (when the partner has a voice)


@dataclass
class ConversationRecord:
    """What happened on one conversation, for tests and diagnosis (read it through `PracticePartner`)."""

    conversation_id: str
    persona_id: str = ""
    scenario_id: str = ""
    difficulty: str = ""
    played_by: str = "rules"
    role: str = "seller"  # or "coach", for a debrief
    lines: list[tuple[str, str]] = field(default_factory=list)  # (speaker, text): "seller" or "trainee"
    pongs: int = 0
    pings: int = 0
    spoken_turns: int = 0
    heard_s: float = 0.0  # seconds of trainee audio taken in
    tentatives: int = 0
    interruptions: int = 0
    echo_turns: int = 0  # turns that were the seller's own voice coming back, and were dropped
    # Seconds from the end of a spoken turn (the detector closing it) to the seller's first audio chunk sent.
    reply_s: list[float] = field(default_factory=list)
    ignored_frames: int = 0
    fallbacks: int = 0
    end_reason: str = ""
    ended: bool = False
