"""Grading services: the queue that gives every ended call a grade."""
