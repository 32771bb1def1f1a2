"""Every write of the points app, one module per sub-domain."""

from .ledger import account_for, entry_post, entry_reverse

__all__ = ["account_for", "entry_post", "entry_reverse"]
