"""Sync to the team backend: the outbox pusher, pull, server limits, team personas and the visible sync state.

Qt-free: the app, `roleplay sync`, the tests and the benchmarks all drive `SyncService` the same way.
"""
