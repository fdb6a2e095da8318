"""History of past calls and the progress chart."""
