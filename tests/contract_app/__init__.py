"""A throwaway app that lives only in the test suite: the smallest app built on the contract
(docs/architecture.md, "How to add an app"). It names nothing in core; the scope walk, the audit
declaration check and the sheet pages cover it from what it registers."""
