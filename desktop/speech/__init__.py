"""On-device speech: recognising the trainee's words and speaking the partner's lines."""
