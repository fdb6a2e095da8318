"""The rule grader and its parts: `rule_grader` puts together the facts of a call (`facts`) and the four scores
(`scores`); `rubric` holds the cues and weights, `feedback_wording` the words of the tips."""
