"""The call screen and its parts, its controller and the adapter from call events to Qt signals."""
