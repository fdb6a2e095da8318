"""The Roleplay Trainer team server: the sync API the desktop app speaks and the coach's dashboard."""
