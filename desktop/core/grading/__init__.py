"""The rule grader's parts: the facts of a call, and the four scores. `desktop.core.rule_grader` puts them together."""
