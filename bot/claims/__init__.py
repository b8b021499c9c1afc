"""Monthly attendance and subsidy claims of host units (issue #5)."""
