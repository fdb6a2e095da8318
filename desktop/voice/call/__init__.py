"""One call: the state machine and what it is made of (lines, timing, events, end reasons)."""
