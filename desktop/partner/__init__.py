"""The embedded practice partner: a local server speaking the server side of the agent protocol."""
