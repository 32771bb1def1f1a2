"""Reads of the appeals app that pages and the API show, one module per sub-domain."""
