"""The rule-played coach of a debrief."""
