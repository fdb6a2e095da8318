"""Every command of `roleplay`: the parser and dispatch (main.py), one module a command."""
