"""The first start: what the app is, the trainee's name, a 20-second sound check, and a suggested first call."""
