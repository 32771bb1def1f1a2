"""The points app's models, one module per sub-domain."""
