"""Tests of the editorial checks (`assessments.checks`), one module per family of checks,
with the entry points, the registry and the commands beside them."""
