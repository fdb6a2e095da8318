"""One finished call: feedback, offline review, the recording player, export."""
