"""The appeals app's models, one module per sub-domain."""
