"""Every write of the appeals app, one module per sub-domain."""
