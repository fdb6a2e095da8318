"""What every screen shares: theme, icons, small controls, background tasks, the graded-call kit."""
