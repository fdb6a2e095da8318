"""The agent side of a call: the protocol, its messages, the connection, endpoints, which agent."""
