"""The coach's dashboard: server-rendered pages over the team's synced sessions."""
