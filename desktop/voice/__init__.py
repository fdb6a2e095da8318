"""Voice calls: the agent protocol, the websocket connection, audio devices and the call engine."""
