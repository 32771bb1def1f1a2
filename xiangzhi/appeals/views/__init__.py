"""The appeals app's pages, one module per sub-domain."""
