"""What a grade and a debrief rest on, read from the call itself: the objections raised and where each was answered
(`objections`), and the moments of a graded call the coach can talk about (`moments`). Pure."""
