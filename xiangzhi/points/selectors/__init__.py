"""Reads of the points app that pages and the API show, one module per sub-domain."""
