"""OCDS publication: the append-only release log, compiled records and the search outbox."""
