"""Host units: 见习单位申报 and its criteria, the positions units publish, their applicants (issue #5)."""
