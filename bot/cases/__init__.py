"""Following a case: its timeline of releases, follows and alerts, digests."""
