"""Everything stored: SQL, revisions, plans, identity, and the snapshot every reader loads."""
