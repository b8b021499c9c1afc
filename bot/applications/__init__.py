"""Sign-ups and the internship lifecycle (issue #5): statuses and their allowed transitions, review deadlines,
eligibility by the position's region, notifications, and a person's right to see and delete their data."""
