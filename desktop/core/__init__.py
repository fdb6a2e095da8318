"""Pure-Python domain logic: personas, scenarios, prompts, transcripts, metrics, grading, limits.

Nothing here imports Qt, peewee, or any network or audio library, so it is fast to test and reused by every layer.
"""
