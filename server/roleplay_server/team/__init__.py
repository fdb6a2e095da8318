"""Teams, members, device tokens and everything synced: the server's data."""
