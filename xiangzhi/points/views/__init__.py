"""The points app's pages, one module per sub-domain."""
