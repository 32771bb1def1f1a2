"""Routing suggestion (issue 15, point 7): a learned model with a keyword fallback."""
